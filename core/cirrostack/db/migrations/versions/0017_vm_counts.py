"""Per-account VM counts kept by triggers, for listVirtualMachines' total count (cirrostack.db.vm_counts).

Merges the branches that existed when it was written, so that it runs after every earlier change to
`vm_instances` and `accounts`.

Revision ID: 0017_vm_counts
Revises: 0007, 0008, 0009_offering_details, 0011_network_rules, 0012_vm_guest_os_scaling
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cirrostack.db import vm_counts

revision = "0017_vm_counts"
down_revision = ("0007", "0008", "0009_offering_details", "0011_network_rules", "0012_vm_guest_os_scaling")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vm_counts",
        sa.Column("account_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("live", sa.BigInteger(), nullable=False),
        sa.Column("destroyed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_vm_counts")),
    )
    try:
        vm_counts.install(op.get_bind())
    except Exception:
        # MariaDB's DDL does not roll back: leave no table behind, so the migration can run again once
        # the database user may create triggers.
        vm_counts.drop(op.get_bind())
        op.drop_table("vm_counts")
        raise


def downgrade() -> None:
    vm_counts.drop(op.get_bind())
    op.drop_table("vm_counts")
