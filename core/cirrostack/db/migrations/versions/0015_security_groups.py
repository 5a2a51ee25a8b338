"""Security groups, their rules, VM membership and rule-set versions.

Revision ID: 0015_security_groups
Revises: 0012_vm_guest_os_scaling
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_security_groups"
down_revision = "0012_vm_guest_os_scaling"
branch_labels = None
depends_on = None


def _resource_columns(table: str) -> list[sa.Column | sa.Constraint]:
    return [sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("uuid", sa.String(length=40), nullable=False),
            sa.Column("created", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("uuid", name=op.f(f"uq_{table}_uuid"))]


def _owner(table: str) -> list[sa.Column | sa.Constraint]:
    return [sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("domain_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f(f"fk_{table}_account_id_accounts")),
            sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f(f"fk_{table}_domain_id_domains"))]


def upgrade() -> None:
    op.create_table(
        "security_groups", *_resource_columns("security_groups"), *_owner("security_groups"),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=4096), nullable=True),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_security_groups_account_id_name")))
    op.create_table(
        "security_group_rules", *_resource_columns("security_group_rules"), *_owner("security_group_rules"),
        sa.Column("security_group_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("start_port", sa.Integer(), nullable=True),
        sa.Column("end_port", sa.Integer(), nullable=True),
        sa.Column("icmp_type", sa.Integer(), nullable=True),
        sa.Column("icmp_code", sa.Integer(), nullable=True),
        sa.Column("cidr", sa.String(length=64), nullable=True),
        sa.Column("allowed_group_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["security_group_id"], ["security_groups.id"], ondelete="CASCADE",
                                name=op.f("fk_security_group_rules_security_group_id_security_groups")),
        sa.ForeignKeyConstraint(["allowed_group_id"], ["security_groups.id"],
                                name=op.f("fk_security_group_rules_allowed_group_id_security_groups")))
    op.create_index("ix_security_group_rules_security_group_id_direction", "security_group_rules",
                    ["security_group_id", "direction"])
    op.create_index("ix_security_group_rules_allowed_group_id", "security_group_rules", ["allowed_group_id"])
    op.create_table(
        "security_group_vm_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("security_group_id", sa.Integer(), nullable=False),
        sa.Column("vm_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_group_vm_map")),
        sa.UniqueConstraint("security_group_id", "vm_id",
                            name=op.f("uq_security_group_vm_map_security_group_id_vm_id")),
        sa.ForeignKeyConstraint(["security_group_id"], ["security_groups.id"],
                                name=op.f("fk_security_group_vm_map_security_group_id_security_groups")),
        sa.ForeignKeyConstraint(["vm_id"], ["vm_instances.id"],
                                name=op.f("fk_security_group_vm_map_vm_id_vm_instances")))
    op.create_index("ix_security_group_vm_map_vm_id", "security_group_vm_map", ["vm_id"])
    op.create_table(
        "security_rule_set_versions",
        sa.Column("vm_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("vm_id", name=op.f("pk_security_rule_set_versions")),
        sa.ForeignKeyConstraint(["vm_id"], ["vm_instances.id"],
                                name=op.f("fk_security_rule_set_versions_vm_id_vm_instances")))


def downgrade() -> None:
    op.drop_table("security_rule_set_versions")
    op.drop_index("ix_security_group_vm_map_vm_id", table_name="security_group_vm_map")
    op.drop_table("security_group_vm_map")
    op.drop_index("ix_security_group_rules_allowed_group_id", table_name="security_group_rules")
    op.drop_index("ix_security_group_rules_security_group_id_direction", table_name="security_group_rules")
    op.drop_table("security_group_rules")
    op.drop_table("security_groups")
