"""Network rules: firewall (ingress and egress), port forwarding, load balancing and its policies.

Revision ID: 0011_network_rules
Revises: 0010_networks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_network_rules"
down_revision = "0010_networks"
branch_labels = None
depends_on = None


def _resource_columns() -> list[sa.Column]:
    return [sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("uuid", sa.String(length=40), nullable=False),
            sa.Column("created", sa.DateTime(), nullable=False)]


def _owner(table: str) -> list[sa.Column | sa.ForeignKeyConstraint]:
    return [sa.Column("network_id", sa.Integer(), nullable=False),
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("domain_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["network_id"], ["networks.id"], name=op.f(f"fk_{table}_network_id_networks")),
            sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f(f"fk_{table}_account_id_accounts")),
            sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f(f"fk_{table}_domain_id_domains"))]


def _keys(table: str) -> list[sa.Constraint]:
    return [sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("uuid", name=op.f(f"uq_{table}_uuid"))]


def _public_ip(table: str, nullable: bool) -> list[sa.Column | sa.ForeignKeyConstraint]:
    return [sa.Column("public_ip_id", sa.Integer(), nullable=nullable),
            sa.ForeignKeyConstraint(["public_ip_id"], ["public_ip_addresses.id"],
                                    name=op.f(f"fk_{table}_public_ip_id_public_ip_addresses"))]


def _lb_child(table: str) -> list[sa.Column | sa.ForeignKeyConstraint]:
    return [sa.Column("lb_rule_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["lb_rule_id"], ["load_balancer_rules.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{table}_lb_rule_id_load_balancer_rules"))]


def upgrade() -> None:
    op.create_table(
        "firewall_rules", *_resource_columns(), *_owner("firewall_rules"), *_public_ip("firewall_rules", True),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("start_port", sa.Integer(), nullable=True),
        sa.Column("end_port", sa.Integer(), nullable=True),
        sa.Column("icmp_type", sa.Integer(), nullable=True),
        sa.Column("icmp_code", sa.Integer(), nullable=True),
        sa.Column("source_cidrs", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("opened_for", sa.String(length=40), nullable=True),
        *_keys("firewall_rules"),
    )
    op.create_index("ix_firewall_rules_network_id_direction", "firewall_rules", ["network_id", "direction"])
    op.create_index("ix_firewall_rules_public_ip_id", "firewall_rules", ["public_ip_id"])
    op.create_index("ix_firewall_rules_account_id", "firewall_rules", ["account_id"])

    op.create_table(
        "port_forwarding_rules", *_resource_columns(), *_owner("port_forwarding_rules"),
        *_public_ip("port_forwarding_rules", False),
        sa.Column("vm_id", sa.Integer(), nullable=False),
        sa.Column("private_ip", sa.String(length=64), nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("public_start_port", sa.Integer(), nullable=False),
        sa.Column("public_end_port", sa.Integer(), nullable=False),
        sa.Column("private_start_port", sa.Integer(), nullable=False),
        sa.Column("private_end_port", sa.Integer(), nullable=False),
        sa.Column("source_cidrs", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["vm_id"], ["vm_instances.id"],
                                name=op.f("fk_port_forwarding_rules_vm_id_vm_instances")),
        *_keys("port_forwarding_rules"),
    )
    for column in ("public_ip_id", "network_id", "vm_id", "account_id"):
        op.create_index(f"ix_port_forwarding_rules_{column}", "port_forwarding_rules", [column])

    op.create_table(
        "load_balancer_rules", *_resource_columns(), *_owner("load_balancer_rules"),
        *_public_ip("load_balancer_rules", False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=4096), nullable=True),
        sa.Column("public_port", sa.Integer(), nullable=False),
        sa.Column("private_port", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(length=32), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("source_cidrs", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        *_keys("load_balancer_rules"),
    )
    for column in ("public_ip_id", "network_id", "account_id"):
        op.create_index(f"ix_load_balancer_rules_{column}", "load_balancer_rules", [column])

    op.create_table(
        "load_balancer_vm_members",
        sa.Column("id", sa.Integer(), nullable=False),
        *_lb_child("load_balancer_vm_members"),
        sa.Column("vm_id", sa.Integer(), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["vm_id"], ["vm_instances.id"],
                                name=op.f("fk_load_balancer_vm_members_vm_id_vm_instances")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_balancer_vm_members")),
        sa.UniqueConstraint("lb_rule_id", "vm_id", name=op.f("uq_load_balancer_vm_members_lb_rule_id_vm_id")),
    )

    op.create_table(
        "lb_stickiness_policies", *_resource_columns(), *_lb_child("lb_stickiness_policies"),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=4096), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_lb_stickiness_policies_account_id_accounts")),
        *_keys("lb_stickiness_policies"),
        sa.UniqueConstraint("lb_rule_id", name=op.f("uq_lb_stickiness_policies_lb_rule_id")),
    )

    op.create_table(
        "lb_health_check_policies", *_resource_columns(), *_lb_child("lb_health_check_policies"),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=4096), nullable=True),
        sa.Column("ping_path", sa.String(length=1024), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("healthy_threshold", sa.Integer(), nullable=False),
        sa.Column("unhealthy_threshold", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_lb_health_check_policies_account_id_accounts")),
        *_keys("lb_health_check_policies"),
        sa.UniqueConstraint("lb_rule_id", name=op.f("uq_lb_health_check_policies_lb_rule_id")),
    )


def downgrade() -> None:
    for table in ("lb_health_check_policies", "lb_stickiness_policies", "load_balancer_vm_members",
                  "load_balancer_rules", "port_forwarding_rules", "firewall_rules"):
        op.drop_table(table)
