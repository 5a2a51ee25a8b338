"""VPCs: vpc_offerings (seeded with "Default VPC offering"), vpc_offering_services, vpcs, network ACL lists
(seeded with default_allow and default_deny) and their items, the vpc_id of guest networks (tiers) and public IP
addresses, and the acl_id of tiers.

Revision ID: 0016_vpc
Revises: 0012_vm_guest_os_scaling (and needs 0010_networks for the tables it extends)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cirrostack.db.timestamps import utcnow
from cirrostack.services.vpc import default_offering

revision = "0016_vpc"
down_revision = "0012_vm_guest_os_scaling"
branch_labels = None
depends_on = ("0010_networks",)


def upgrade() -> None:
    vpc_offerings = op.create_table(
        "vpc_offerings",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_text", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("service_offering_id", sa.Integer(), nullable=True),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["service_offering_id"], ["service_offerings.id"],
                                name=op.f("fk_vpc_offerings_service_offering_id_service_offerings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vpc_offerings")),
        sa.UniqueConstraint("name", "live", name=op.f("uq_vpc_offerings_name_live")),
        sa.UniqueConstraint("uuid", name=op.f("uq_vpc_offerings_uuid")),
    )
    vpc_offering_services = op.create_table(
        "vpc_offering_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vpc_offering_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["vpc_offering_id"], ["vpc_offerings.id"],
                                name=op.f("fk_vpc_offering_services_vpc_offering_id_vpc_offerings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vpc_offering_services")),
        sa.UniqueConstraint("vpc_offering_id", "service", "provider",
                            name=op.f("uq_vpc_offering_services_vpc_offering_id_service_provider")),
    )
    op.create_index(op.f("ix_vpc_offering_services_vpc_offering_id"), "vpc_offering_services", ["vpc_offering_id"])
    op.create_table(
        "vpcs",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_text", sa.String(length=255), nullable=False),
        sa.Column("cidr", sa.String(length=64), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("vpc_offering_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("network_domain", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("restart_required", sa.Boolean(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_vpcs_account_id_accounts")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_vpcs_domain_id_domains")),
        sa.ForeignKeyConstraint(["vpc_offering_id"], ["vpc_offerings.id"],
                                name=op.f("fk_vpcs_vpc_offering_id_vpc_offerings")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_vpcs_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vpcs")),
        sa.UniqueConstraint("uuid", name=op.f("uq_vpcs_uuid")),
    )
    op.create_index("ix_vpcs_account_id_removed", "vpcs", ["account_id", "removed"])
    op.create_index("ix_vpcs_zone_id", "vpcs", ["zone_id"])
    acl_lists = op.create_table(
        "network_acl_lists",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("vpc_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["vpc_id"], ["vpcs.id"], name=op.f("fk_network_acl_lists_vpc_id_vpcs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_acl_lists")),
        sa.UniqueConstraint("uuid", name=op.f("uq_network_acl_lists_uuid")),
    )
    op.create_index(op.f("ix_network_acl_lists_vpc_id"), "network_acl_lists", ["vpc_id"])
    acl_items = op.create_table(
        "network_acl_items",
        sa.Column("acl_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("start_port", sa.Integer(), nullable=True),
        sa.Column("end_port", sa.Integer(), nullable=True),
        sa.Column("icmp_type", sa.Integer(), nullable=True),
        sa.Column("icmp_code", sa.Integer(), nullable=True),
        sa.Column("cidrs", sa.Text(), nullable=False),
        sa.Column("traffic_type", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["acl_id"], ["network_acl_lists.id"],
                                name=op.f("fk_network_acl_items_acl_id_network_acl_lists")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_acl_items")),
        sa.UniqueConstraint("acl_id", "number", name=op.f("uq_network_acl_items_acl_id_number")),
        sa.UniqueConstraint("uuid", name=op.f("uq_network_acl_items_uuid")),
    )
    op.create_index(op.f("ix_network_acl_items_acl_id"), "network_acl_items", ["acl_id"])
    for table in ("networks", "public_ip_addresses"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("vpc_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_vpc_id"), ["vpc_id"])
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_vpc_id_vpcs"), "vpcs", ["vpc_id"], ["id"])
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acl_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_networks_acl_id_network_acl_lists"), "network_acl_lists",
                                    ["acl_id"], ["id"])
    created = utcnow()
    op.bulk_insert(vpc_offerings, [default_offering.offering_row(created)])
    op.bulk_insert(vpc_offering_services, default_offering.offering_service_rows())
    op.bulk_insert(acl_lists, default_offering.acl_list_rows(created))
    op.bulk_insert(acl_items, default_offering.acl_item_rows(created))


def downgrade() -> None:
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_networks_acl_id_network_acl_lists"), type_="foreignkey")
        batch_op.drop_column("acl_id")
    for table in ("public_ip_addresses", "networks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_vpc_id_vpcs"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_vpc_id"))
            batch_op.drop_column("vpc_id")
    op.drop_index(op.f("ix_network_acl_items_acl_id"), table_name="network_acl_items")
    op.drop_table("network_acl_items")
    op.drop_index(op.f("ix_network_acl_lists_vpc_id"), table_name="network_acl_lists")
    op.drop_table("network_acl_lists")
    op.drop_index("ix_vpcs_zone_id", table_name="vpcs")
    op.drop_index("ix_vpcs_account_id_removed", table_name="vpcs")
    op.drop_table("vpcs")
    op.drop_index(op.f("ix_vpc_offering_services_vpc_offering_id"), table_name="vpc_offering_services")
    op.drop_table("vpc_offering_services")
    op.drop_table("vpc_offerings")
