"""SSH key pairs, usage events and records, resource limits and counts.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _owner_table(name: str, value_column: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_type", sa.String(length=8), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.Integer(), nullable=False),
        value_column,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("owner_type", "owner_id", "resource_type",
                            name=op.f(f"uq_{name}_owner_type_owner_id_resource_type")),
    )


def upgrade() -> None:
    op.create_table(
        "ssh_keypairs",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_ssh_keypairs_account_id_accounts")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_ssh_keypairs_domain_id_domains")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ssh_keypairs")),
        sa.UniqueConstraint("uuid", name=op.f("uq_ssh_keypairs_uuid")),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_ssh_keypairs_account_id_name")),
    )
    op.create_index(op.f("ix_ssh_keypairs_account_id"), "ssh_keypairs", ["account_id"], unique=False)
    _owner_table("resource_limits", sa.Column("max", sa.BigInteger(), nullable=False))
    _owner_table("resource_counts", sa.Column("count", sa.BigInteger(), nullable=False))
    op.create_table(
        "usage_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("resource_id", sa.BigInteger(), nullable=False),
        sa.Column("resource_uuid", sa.String(length=40), nullable=False),
        sa.Column("resource_name", sa.String(length=255), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_usage_events_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_events")),
    )
    op.create_index(op.f("ix_usage_events_created"), "usage_events", ["created"], unique=False)
    op.create_index(op.f("ix_usage_events_account_id"), "usage_events", ["account_id"], unique=False)
    op.create_index("ix_usage_events_resource", "usage_events", ["resource_id", "created"], unique=False)
    op.create_table(
        "usage_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("usage_type", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("resource_id", sa.BigInteger(), nullable=False),
        sa.Column("resource_uuid", sa.String(length=40), nullable=False),
        sa.Column("resource_name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("raw_usage", sa.Float(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("cpu_number", sa.Integer(), nullable=True),
        sa.Column("cpu_speed", sa.Integer(), nullable=True),
        sa.Column("memory", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.DateTime(), nullable=False),
        sa.Column("end_date", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_usage_records_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_records")),
    )
    op.create_index("ix_usage_records_period", "usage_records", ["start_date", "account_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_usage_records_period", table_name="usage_records")
    op.drop_table("usage_records")
    op.drop_index("ix_usage_events_resource", table_name="usage_events")
    op.drop_index(op.f("ix_usage_events_account_id"), table_name="usage_events")
    op.drop_index(op.f("ix_usage_events_created"), table_name="usage_events")
    op.drop_table("usage_events")
    op.drop_table("resource_counts")
    op.drop_table("resource_limits")
    op.drop_index(op.f("ix_ssh_keypairs_account_id"), table_name="ssh_keypairs")
    op.drop_table("ssh_keypairs")
