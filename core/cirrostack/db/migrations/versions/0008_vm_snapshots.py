"""VM snapshots.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vm_snapshots",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("vm_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("snapshot_type", sa.String(length=16), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("strategy_name", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["vm_id"], ["vm_instances.id"], name=op.f("fk_vm_snapshots_vm_id_vm_instances")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_vm_snapshots_account_id_accounts")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_vm_snapshots_domain_id_domains")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_vm_snapshots_zone_id_zones")),
        sa.ForeignKeyConstraint(["parent_id"], ["vm_snapshots.id"],
                                name=op.f("fk_vm_snapshots_parent_id_vm_snapshots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vm_snapshots")),
        sa.UniqueConstraint("uuid", name=op.f("uq_vm_snapshots_uuid")),
    )
    with op.batch_alter_table("vm_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_vm_snapshots_vm_id_removed", ["vm_id", "removed"], unique=False)
        batch_op.create_index("ix_vm_snapshots_account_id_removed", ["account_id", "removed"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vm_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_vm_snapshots_account_id_removed")
        batch_op.drop_index("ix_vm_snapshots_vm_id_removed")
    op.drop_table("vm_snapshots")
