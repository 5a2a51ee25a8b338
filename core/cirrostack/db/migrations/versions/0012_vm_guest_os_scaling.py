"""A VM's own OS type and dynamic scaling flag (updateVirtualMachine ostypeid and isdynamicallyscalable).

Revision ID: 0012_vm_guest_os_scaling
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_vm_guest_os_scaling"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vm_instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guest_os_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dynamically_scalable", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f("fk_vm_instances_guest_os_id_guest_os"), "guest_os",
                                    ["guest_os_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("vm_instances", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_vm_instances_guest_os_id_guest_os"), type_="foreignkey")
        batch_op.drop_column("dynamically_scalable")
        batch_op.drop_column("guest_os_id")
