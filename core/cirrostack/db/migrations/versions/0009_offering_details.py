"""Service offering details (createServiceOffering's serviceofferingdetails).

Revision ID: 0009_offering_details
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_offering_details"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_offering_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["offering_id"], ["service_offerings.id"],
                                name=op.f("fk_service_offering_details_offering_id_service_offerings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_offering_details")),
        sa.UniqueConstraint("offering_id", "name", name=op.f("uq_service_offering_details_offering_id_name")),
    )
    op.create_index(op.f("ix_service_offering_details_offering_id"), "service_offering_details", ["offering_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_service_offering_details_offering_id"), table_name="service_offering_details")
    op.drop_table("service_offering_details")
