"""Affinity groups and their VM memberships (createAffinityGroup, deploy with affinitygroupids).

Revision ID: 0014_affinity_groups
Revises: 0012_vm_guest_os_scaling
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_affinity_groups"
down_revision = "0012_vm_guest_os_scaling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "affinity_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=4096), nullable=True),
        sa.Column("type", sa.String(length=255), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_affinity_groups_account_id_accounts")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_affinity_groups_domain_id_domains")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affinity_groups")),
        sa.UniqueConstraint("uuid", name=op.f("uq_affinity_groups_uuid")),
        sa.UniqueConstraint("account_id", "name", "live", name=op.f("uq_affinity_groups_account_id_name_live")),
    )
    op.create_index(op.f("ix_affinity_groups_account_id"), "affinity_groups", ["account_id"])
    op.create_table(
        "affinity_group_vm_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("vm_id", sa.Integer(), nullable=False),
        sa.Column("migration_host_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["affinity_groups.id"],
                                name=op.f("fk_affinity_group_vm_map_group_id_affinity_groups")),
        sa.ForeignKeyConstraint(["vm_id"], ["vm_instances.id"],
                                name=op.f("fk_affinity_group_vm_map_vm_id_vm_instances")),
        sa.ForeignKeyConstraint(["migration_host_id"], ["hosts.id"],
                                name=op.f("fk_affinity_group_vm_map_migration_host_id_hosts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affinity_group_vm_map")),
        sa.UniqueConstraint("group_id", "vm_id", name=op.f("uq_affinity_group_vm_map_group_id_vm_id")),
    )
    op.create_index("ix_affinity_group_vm_map_vm_id", "affinity_group_vm_map", ["vm_id"])


def downgrade() -> None:
    op.drop_index("ix_affinity_group_vm_map_vm_id", table_name="affinity_group_vm_map")
    op.drop_table("affinity_group_vm_map")
    op.drop_index(op.f("ix_affinity_groups_account_id"), table_name="affinity_groups")
    op.drop_table("affinity_groups")
