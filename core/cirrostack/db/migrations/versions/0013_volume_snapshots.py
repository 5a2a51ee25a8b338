"""Volume snapshots and snapshot policies.

Revision ID: 0013_volume_snapshots
Revises: 0012_vm_guest_os_scaling
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_volume_snapshots"
down_revision = "0012_vm_guest_os_scaling"
branch_labels = None
depends_on = None


def _resource_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "snapshot_policies",
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("interval_type", sa.String(length=16), nullable=False),
        sa.Column("schedule", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("max_snaps", sa.Integer(), nullable=False),
        sa.Column("next_run", sa.DateTime(), nullable=False),
        *_resource_columns(),
        sa.ForeignKeyConstraint(["volume_id"], ["volumes.id"], name=op.f("fk_snapshot_policies_volume_id_volumes")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_snapshot_policies_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_policies")),
        sa.UniqueConstraint("uuid", name=op.f("uq_snapshot_policies_uuid")),
    )
    with op.batch_alter_table("snapshot_policies", schema=None) as batch_op:
        batch_op.create_index("ix_snapshot_policies_volume_id_removed", ["volume_id", "removed"], unique=False)
        batch_op.create_index("ix_snapshot_policies_next_run", ["next_run"], unique=False)
    op.create_table(
        "snapshots",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("snapshot_type", sa.String(length=16), nullable=False),
        sa.Column("interval_type", sa.String(length=16), nullable=True),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("hypervisor_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("physical_size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=1024), nullable=True),
        *_resource_columns(),
        sa.ForeignKeyConstraint(["volume_id"], ["volumes.id"], name=op.f("fk_snapshots_volume_id_volumes")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_snapshots_account_id_accounts")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_snapshots_domain_id_domains")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_snapshots_zone_id_zones")),
        sa.ForeignKeyConstraint(["policy_id"], ["snapshot_policies.id"],
                                name=op.f("fk_snapshots_policy_id_snapshot_policies")),
        sa.ForeignKeyConstraint(["pool_id"], ["storage_pools.id"], name=op.f("fk_snapshots_pool_id_storage_pools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sa.UniqueConstraint("uuid", name=op.f("uq_snapshots_uuid")),
    )
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_snapshots_volume_id_removed", ["volume_id", "removed"], unique=False)
        batch_op.create_index("ix_snapshots_account_id_removed", ["account_id", "removed"], unique=False)
        batch_op.create_index("ix_snapshots_policy_id", ["policy_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_snapshots_policy_id")
        batch_op.drop_index("ix_snapshots_account_id_removed")
        batch_op.drop_index("ix_snapshots_volume_id_removed")
    op.drop_table("snapshots")
    with op.batch_alter_table("snapshot_policies", schema=None) as batch_op:
        batch_op.drop_index("ix_snapshot_policies_next_run")
        batch_op.drop_index("ix_snapshot_policies_volume_id_removed")
    op.drop_table("snapshot_policies")
