"""Compute: virtual machines, their details and volumes, and per-host capacity reservations.

Merges the issue-5 branches (storage, templates and offerings, alerts).

Revision ID: 0006
Revises: 0003, 0004, 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = ("0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("host_reservations",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("cpu_mhz", sa.BigInteger(), nullable=False),
        sa.Column("memory_bytes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["host_id"], ["hosts.id"], name=op.f("fk_host_reservations_host_id_hosts")),
        sa.PrimaryKeyConstraint("host_id", name=op.f("pk_host_reservations"))
        )
    op.create_table("vm_instances",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("instance_name", sa.String(length=255), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("pod_id", sa.Integer(), nullable=True),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("host_id", sa.Integer(), nullable=True),
        sa.Column("last_host_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("iso_id", sa.Integer(), nullable=True),
        sa.Column("service_offering_id", sa.Integer(), nullable=False),
        sa.Column("cpus", sa.Integer(), nullable=False),
        sa.Column("cpu_speed_mhz", sa.Integer(), nullable=False),
        sa.Column("memory_mb", sa.Integer(), nullable=False),
        sa.Column("hypervisor_type", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("ha_enabled", sa.Boolean(), nullable=False),
        sa.Column("keypair_name", sa.String(length=255), nullable=True),
        sa.Column("userdata", sa.Text(), nullable=True),
        sa.Column("password_encrypted", sa.Text(), nullable=True),
        sa.Column("group_name", sa.String(length=255), nullable=True),
        sa.Column("display_vm", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_vm_instances_account_id_accounts")),
        sa.ForeignKeyConstraint(["cluster_id"], ["clusters.id"], name=op.f("fk_vm_instances_cluster_id_clusters")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_vm_instances_domain_id_domains")),
        sa.ForeignKeyConstraint(["host_id"], ["hosts.id"], name=op.f("fk_vm_instances_host_id_hosts")),
        sa.ForeignKeyConstraint(["iso_id"], ["templates.id"], name=op.f("fk_vm_instances_iso_id_templates")),
        sa.ForeignKeyConstraint(["last_host_id"], ["hosts.id"], name=op.f("fk_vm_instances_last_host_id_hosts")),
        sa.ForeignKeyConstraint(["pod_id"], ["pods.id"], name=op.f("fk_vm_instances_pod_id_pods")),
        sa.ForeignKeyConstraint(["service_offering_id"], ["service_offerings.id"],
                                name=op.f("fk_vm_instances_service_offering_id_service_offerings")),
        sa.ForeignKeyConstraint(["template_id"], ["templates.id"], name=op.f("fk_vm_instances_template_id_templates")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_vm_instances_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vm_instances")),
        sa.UniqueConstraint("uuid", name=op.f("uq_vm_instances_uuid"))
        )
    op.create_index("ix_vm_instances_account_id_removed", "vm_instances", ["account_id", "removed"], unique=False)
    op.create_index("ix_vm_instances_domain_id", "vm_instances", ["domain_id"], unique=False)
    op.create_index("ix_vm_instances_host_id", "vm_instances", ["host_id"], unique=False)
    op.create_index("ix_vm_instances_state", "vm_instances", ["state"], unique=False)
    op.create_index("ix_vm_instances_zone_id", "vm_instances", ["zone_id"], unique=False)
    op.create_table("vm_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vm_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["vm_id"], ["vm_instances.id"], name=op.f("fk_vm_details_vm_id_vm_instances")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vm_details")),
        sa.UniqueConstraint("vm_id", "name", name=op.f("uq_vm_details_vm_id_name"))
        )
    op.create_index(op.f("ix_vm_details_vm_id"), "vm_details", ["vm_id"], unique=False)
    op.create_table("volumes",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("vm_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("volume_type", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("disk_offering_id", sa.Integer(), nullable=True),
        sa.Column("pool_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=True),
        sa.Column("attached", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("removed", sa.DateTime(), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_volumes_account_id_accounts")),
        sa.ForeignKeyConstraint(["disk_offering_id"], ["disk_offerings.id"],
                                name=op.f("fk_volumes_disk_offering_id_disk_offerings")),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_volumes_domain_id_domains")),
        sa.ForeignKeyConstraint(["pool_id"], ["storage_pools.id"], name=op.f("fk_volumes_pool_id_storage_pools")),
        sa.ForeignKeyConstraint(["template_id"], ["templates.id"], name=op.f("fk_volumes_template_id_templates")),
        sa.ForeignKeyConstraint(["vm_id"], ["vm_instances.id"], name=op.f("fk_volumes_vm_id_vm_instances")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_volumes_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volumes")),
        sa.UniqueConstraint("uuid", name=op.f("uq_volumes_uuid"))
        )
    op.create_index("ix_volumes_account_id_removed", "volumes", ["account_id", "removed"], unique=False)
    op.create_index("ix_volumes_pool_id", "volumes", ["pool_id"], unique=False)
    op.create_index("ix_volumes_vm_id", "volumes", ["vm_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_volumes_vm_id", table_name="volumes")
    op.drop_index("ix_volumes_pool_id", table_name="volumes")
    op.drop_index("ix_volumes_account_id_removed", table_name="volumes")
    op.drop_table("volumes")
    op.drop_index(op.f("ix_vm_details_vm_id"), table_name="vm_details")
    op.drop_table("vm_details")
    for name in ("zone_id", "state", "host_id", "domain_id", "account_id_removed"):
        op.drop_index(f"ix_vm_instances_{name}", table_name="vm_instances")
    op.drop_table("vm_instances")
    op.drop_table("host_reservations")
