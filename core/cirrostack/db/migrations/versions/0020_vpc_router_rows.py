"""The VPC's router as a row of `routers`: `vpc_id` (one live router per VPC) and `network_id` optional,
since a VPC's router serves all of the VPC's tiers rather than one network.

Revision ID: 0020_vpc_router_rows
Revises: 0016_vpc
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_vpc_router_rows"
down_revision = "0016_vpc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("routers", schema=None) as batch_op:
        batch_op.alter_column("network_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("vpc_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_routers_vpc_id_vpcs"), "vpcs", ["vpc_id"], ["id"])
        batch_op.create_unique_constraint(batch_op.f("uq_routers_vpc_id_live"), ["vpc_id", "live"])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM routers WHERE network_id IS NULL"))  # VPC routers have no place in the old model
    with op.batch_alter_table("routers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_routers_vpc_id_vpcs"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_routers_vpc_id_live"), type_="unique")
        batch_op.drop_column("vpc_id")
        batch_op.alter_column("network_id", existing_type=sa.Integer(), nullable=False)
