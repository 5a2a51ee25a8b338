"""Guest networking: physical networks, traffic types, providers, network offerings, guest networks,
guest VLAN allocations, public IP ranges and addresses, NICs and virtual routers; and the default
network offerings of CloudStack 4.3.

Revision ID: 0010_networks
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cirrostack.db.timestamps import utcnow
from cirrostack.services.networks import default_offerings

revision = "0010_networks"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    network_offerings = op.create_table("network_offerings",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_text", sa.String(length=255), nullable=False),
        sa.Column("traffic_type", sa.String(length=32), nullable=False),
        sa.Column("guest_ip_type", sa.String(length=16), nullable=False),
        sa.Column("specify_vlan", sa.Boolean(), nullable=False),
        sa.Column("specify_ip_ranges", sa.Boolean(), nullable=False),
        sa.Column("conserve_mode", sa.Boolean(), nullable=False),
        sa.Column("network_rate", sa.Integer(), nullable=True),
        sa.Column("availability", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("is_persistent", sa.Boolean(), nullable=False),
        sa.Column("redundant_router", sa.Boolean(), nullable=False),
        sa.Column("egress_default_allow", sa.Boolean(), nullable=False),
        sa.Column("for_vpc", sa.Boolean(), nullable=False),
        sa.Column("tags", sa.String(length=255), nullable=True),
        sa.Column("max_connections", sa.Integer(), nullable=True),
        sa.Column("service_offering_id", sa.Integer(), nullable=True),
        sa.Column("service_capabilities", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["service_offering_id"], ["service_offerings.id"],
            name=op.f("fk_network_offerings_service_offering_id_service_offerings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_offerings")),
        sa.UniqueConstraint("name", "live", name=op.f("uq_network_offerings_name_live")),
        sa.UniqueConstraint("uuid", name=op.f("uq_network_offerings_uuid"))
    )
    op.create_table("physical_networks",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("isolation_methods", sa.String(length=255), nullable=False),
        sa.Column("vlan", sa.Text(), nullable=True),
        sa.Column("network_speed", sa.String(length=32), nullable=True),
        sa.Column("broadcast_domain_range", sa.String(length=16), nullable=False),
        sa.Column("tags", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_physical_networks_domain_id_domains")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_physical_networks_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_physical_networks")),
        sa.UniqueConstraint("uuid", name=op.f("uq_physical_networks_uuid"))
    )
    op.create_index("ix_physical_networks_zone_id_removed", "physical_networks", ["zone_id", "removed"], unique=False)
    network_offering_services = op.create_table("network_offering_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_offering_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["network_offering_id"], ["network_offerings.id"],
            name=op.f("fk_no_services_noff_id_noffs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_offering_services")),
        sa.UniqueConstraint("network_offering_id", "service", "provider",
            name=op.f("uq_no_services_noff_id_service_provider"))
    )
    op.create_index(op.f("ix_network_offering_services_network_offering_id"), "network_offering_services",
                    ["network_offering_id"], unique=False)
    op.create_table("networks",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_text", sa.String(length=255), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("physical_network_id", sa.Integer(), nullable=True),
        sa.Column("network_offering_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("acl_type", sa.String(length=16), nullable=False),
        sa.Column("subdomain_access", sa.Boolean(), nullable=False),
        sa.Column("guest_type", sa.String(length=16), nullable=False),
        sa.Column("traffic_type", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("broadcast_domain_type", sa.String(length=16), nullable=False),
        sa.Column("broadcast_uri", sa.String(length=255), nullable=True),
        sa.Column("specified_vlan", sa.Boolean(), nullable=False),
        sa.Column("cidr", sa.String(length=64), nullable=True),
        sa.Column("gateway", sa.String(length=64), nullable=True),
        sa.Column("ip6_cidr", sa.String(length=64), nullable=True),
        sa.Column("ip6_gateway", sa.String(length=64), nullable=True),
        sa.Column("network_domain", sa.String(length=255), nullable=True),
        sa.Column("restart_required", sa.Boolean(), nullable=False),
        sa.Column("display_network", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_networks_account_id_accounts")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_networks_domain_id_domains")),
        sa.ForeignKeyConstraint(["network_offering_id"], ["network_offerings.id"],
            name=op.f("fk_networks_network_offering_id_network_offerings")),
        sa.ForeignKeyConstraint(["physical_network_id"], ["physical_networks.id"],
            name=op.f("fk_networks_physical_network_id_physical_networks")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_networks_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint("uuid", name=op.f("uq_networks_uuid"))
    )
    op.create_index("ix_networks_account_id_removed", "networks", ["account_id", "removed"], unique=False)
    op.create_index("ix_networks_domain_id", "networks", ["domain_id"], unique=False)
    op.create_index("ix_networks_zone_id_removed", "networks", ["zone_id", "removed"], unique=False)
    op.create_table("physical_network_service_providers",
        sa.Column("physical_network_id", sa.Integer(), nullable=False),
        sa.Column("provider_name", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("destination_physical_network_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["destination_physical_network_id"], ["physical_networks.id"],
            name=op.f("fk_pn_providers_dest_pn_id_pnets")),
        sa.ForeignKeyConstraint(["physical_network_id"], ["physical_networks.id"],
            name=op.f("fk_pn_providers_pn_id_pnets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_physical_network_service_providers")),
        sa.UniqueConstraint("physical_network_id", "provider_name", name=op.f("uq_pn_providers_pn_id_provider_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_physical_network_service_providers_uuid"))
    )
    op.create_table("physical_network_traffic_types",
        sa.Column("physical_network_id", sa.Integer(), nullable=False),
        sa.Column("traffic_type", sa.String(length=32), nullable=False),
        sa.Column("kvm_label", sa.String(length=255), nullable=True),
        sa.Column("xen_label", sa.String(length=255), nullable=True),
        sa.Column("vmware_label", sa.String(length=255), nullable=True),
        sa.Column("hyperv_label", sa.String(length=255), nullable=True),
        sa.Column("vlan", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["physical_network_id"], ["physical_networks.id"],
            name=op.f("fk_pn_traffic_types_pn_id_pnets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_physical_network_traffic_types")),
        sa.UniqueConstraint("physical_network_id", "traffic_type", name=op.f("uq_pn_traffic_types_pn_id_traffic_type")),
        sa.UniqueConstraint("uuid", name=op.f("uq_physical_network_traffic_types_uuid"))
    )
    op.create_table("guest_vnet_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("physical_network_id", sa.Integer(), nullable=False),
        sa.Column("broadcast_uri", sa.String(length=255), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("taken", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"],
            name=op.f("fk_guest_vnet_allocations_network_id_networks")),
        sa.ForeignKeyConstraint(["physical_network_id"], ["physical_networks.id"],
            name=op.f("fk_guest_vnet_allocations_physical_network_id_physical_networks")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_guest_vnet_allocations_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_vnet_allocations")),
        sa.UniqueConstraint("zone_id", "broadcast_uri", name=op.f("uq_guest_vnet_allocations_zone_id_broadcast_uri"))
    )
    op.create_index(op.f("ix_guest_vnet_allocations_network_id"), "guest_vnet_allocations",
                    ["network_id"], unique=False)
    op.create_table("routers",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("provider_name", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("public_ip", sa.String(length=64), nullable=True),
        sa.Column("guest_ip", sa.String(length=64), nullable=True),
        sa.Column("backend", sa.String(length=64), nullable=True),
        sa.Column("health", sa.String(length=16), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("last_checked", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_routers_account_id_accounts")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_routers_domain_id_domains")),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"], name=op.f("fk_routers_network_id_networks")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_routers_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routers")),
        sa.UniqueConstraint("network_id", "live", name=op.f("uq_routers_network_id_live")),
        sa.UniqueConstraint("uuid", name=op.f("uq_routers_uuid"))
    )
    op.create_index("ix_routers_account_id", "routers", ["account_id"], unique=False)
    op.create_table("virtual_router_elements",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("element_type", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["physical_network_service_providers.id"],
            name=op.f("fk_virtual_router_elements_provider_id_pn_providers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_virtual_router_elements")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_virtual_router_elements_provider_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_virtual_router_elements_uuid"))
    )
    op.create_table("vlan_ip_ranges",
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("pod_id", sa.Integer(), nullable=True),
        sa.Column("physical_network_id", sa.Integer(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("vlan_tag", sa.String(length=64), nullable=False),
        sa.Column("gateway", sa.String(length=64), nullable=False),
        sa.Column("netmask", sa.String(length=64), nullable=False),
        sa.Column("start_ip", sa.String(length=64), nullable=False),
        sa.Column("end_ip", sa.String(length=64), nullable=False),
        sa.Column("for_virtual_network", sa.Boolean(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("domain_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_vlan_ip_ranges_account_id_accounts")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_vlan_ip_ranges_domain_id_domains")),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"], name=op.f("fk_vlan_ip_ranges_network_id_networks")),
        sa.ForeignKeyConstraint(["physical_network_id"], ["physical_networks.id"],
            name=op.f("fk_vlan_ip_ranges_physical_network_id_physical_networks")),
        sa.ForeignKeyConstraint(["pod_id"], ["pods.id"], name=op.f("fk_vlan_ip_ranges_pod_id_pods")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_vlan_ip_ranges_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vlan_ip_ranges")),
        sa.UniqueConstraint("uuid", name=op.f("uq_vlan_ip_ranges_uuid"))
    )
    op.create_index("ix_vlan_ip_ranges_zone_id", "vlan_ip_ranges", ["zone_id"], unique=False)
    op.create_table("nics",
        sa.Column("vm_id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("mac_address", sa.String(length=17), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("netmask", sa.String(length=64), nullable=True),
        sa.Column("gateway", sa.String(length=64), nullable=True),
        sa.Column("broadcast_uri", sa.String(length=255), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"], name=op.f("fk_nics_network_id_networks")),
        sa.ForeignKeyConstraint(["vm_id"], ["vm_instances.id"], name=op.f("fk_nics_vm_id_vm_instances")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nics")),
        sa.UniqueConstraint("mac_address", "live", name=op.f("uq_nics_mac_address_live")),
        sa.UniqueConstraint("network_id", "ip_address", "live", name=op.f("uq_nics_network_id_ip_address_live")),
        sa.UniqueConstraint("uuid", name=op.f("uq_nics_uuid"))
    )
    op.create_index("ix_nics_vm_id_removed", "nics", ["vm_id", "removed"], unique=False)
    op.create_table("public_ip_addresses",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("vlan_range_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("domain_id", sa.Integer(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("is_source_nat", sa.Boolean(), nullable=False),
        sa.Column("static_nat_vm_id", sa.Integer(), nullable=True),
        sa.Column("static_nat_ip", sa.String(length=64), nullable=True),
        sa.Column("allocated", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
            name=op.f("fk_public_ip_addresses_account_id_accounts")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_public_ip_addresses_domain_id_domains")),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"],
            name=op.f("fk_public_ip_addresses_network_id_networks")),
        sa.ForeignKeyConstraint(["static_nat_vm_id"], ["vm_instances.id"],
            name=op.f("fk_public_ip_addresses_static_nat_vm_id_vm_instances")),
        sa.ForeignKeyConstraint(["vlan_range_id"], ["vlan_ip_ranges.id"],
            name=op.f("fk_public_ip_addresses_vlan_range_id_vlan_ip_ranges")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_public_ip_addresses_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_ip_addresses")),
        sa.UniqueConstraint("uuid", name=op.f("uq_public_ip_addresses_uuid")),
        sa.UniqueConstraint("zone_id", "address", name=op.f("uq_public_ip_addresses_zone_id_address"))
    )
    op.create_index("ix_public_ip_addresses_account_id", "public_ip_addresses", ["account_id"], unique=False)
    op.create_index("ix_public_ip_addresses_network_id", "public_ip_addresses", ["network_id"], unique=False)
    op.create_index("ix_public_ip_addresses_vlan_range_id_state", "public_ip_addresses",
                    ["vlan_range_id", "state"], unique=False)

    op.bulk_insert(network_offerings, default_offerings.offering_rows(utcnow()))
    op.bulk_insert(network_offering_services, default_offerings.offering_service_rows())

def downgrade() -> None:
    op.drop_index("ix_public_ip_addresses_vlan_range_id_state", table_name="public_ip_addresses")
    op.drop_index("ix_public_ip_addresses_network_id", table_name="public_ip_addresses")
    op.drop_index("ix_public_ip_addresses_account_id", table_name="public_ip_addresses")
    op.drop_table("public_ip_addresses")
    op.drop_index("ix_nics_vm_id_removed", table_name="nics")
    op.drop_table("nics")
    op.drop_index("ix_vlan_ip_ranges_zone_id", table_name="vlan_ip_ranges")
    op.drop_table("vlan_ip_ranges")
    op.drop_table("virtual_router_elements")
    op.drop_index("ix_routers_account_id", table_name="routers")
    op.drop_table("routers")
    op.drop_index(op.f("ix_guest_vnet_allocations_network_id"), table_name="guest_vnet_allocations")
    op.drop_table("guest_vnet_allocations")
    op.drop_table("physical_network_traffic_types")
    op.drop_table("physical_network_service_providers")
    op.drop_index("ix_networks_zone_id_removed", table_name="networks")
    op.drop_index("ix_networks_domain_id", table_name="networks")
    op.drop_index("ix_networks_account_id_removed", table_name="networks")
    op.drop_table("networks")
    op.drop_index(op.f("ix_network_offering_services_network_offering_id"), table_name="network_offering_services")
    op.drop_table("network_offering_services")
    op.drop_index("ix_physical_networks_zone_id_removed", table_name="physical_networks")
    op.drop_table("physical_networks")
    op.drop_table("network_offerings")
