"""Templates, ISOs, the guest OS catalogue, compute and disk offerings, with CloudStack's seed data.

Seeds the guest OS categories and descriptions and the default compute, system and disk offerings
(cirrostack.services.seed) with stable uuids.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25 04:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cirrostack.db.timestamps import utcnow
from cirrostack.services import seed

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    guest_os_categories = op.create_table('guest_os_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guest_os_categories')),
    sa.UniqueConstraint('name', name=op.f('uq_guest_os_categories_name')),
    sa.UniqueConstraint('uuid', name=op.f('uq_guest_os_categories_uuid'))
    )
    disk_offerings = op.create_table('disk_offerings',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('display_text', sa.String(length=4096), nullable=False),
    sa.Column('disk_size_gb', sa.BigInteger(), nullable=False),
    sa.Column('is_customized', sa.Boolean(), nullable=False),
    sa.Column('customized_iops', sa.Boolean(), nullable=True),
    sa.Column('min_iops', sa.BigInteger(), nullable=True),
    sa.Column('max_iops', sa.BigInteger(), nullable=True),
    sa.Column('storage_type', sa.String(length=16), nullable=False),
    sa.Column('tags', sa.String(length=4096), nullable=True),
    sa.Column('domain_id', sa.Integer(), nullable=True),
    sa.Column('display_offering', sa.Boolean(), nullable=False),
    sa.Column('hypervisor_snapshot_reserve', sa.Integer(), nullable=True),
    sa.Column('unique_name', sa.String(length=64), nullable=True),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('bytes_read_rate', sa.BigInteger(), nullable=True),
    sa.Column('bytes_write_rate', sa.BigInteger(), nullable=True),
    sa.Column('iops_read_rate', sa.BigInteger(), nullable=True),
    sa.Column('iops_write_rate', sa.BigInteger(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['domain_id'], ['domains.id'], name=op.f('fk_disk_offerings_domain_id_domains')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disk_offerings')),
    sa.UniqueConstraint('unique_name', name=op.f('uq_disk_offerings_unique_name')),
    sa.UniqueConstraint('uuid', name=op.f('uq_disk_offerings_uuid'))
    )
    guest_os = op.create_table('guest_os',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('is_user_defined', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['guest_os_categories.id'],
                            name=op.f('fk_guest_os_category_id_guest_os_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guest_os')),
    sa.UniqueConstraint('display_name', name=op.f('uq_guest_os_display_name')),
    sa.UniqueConstraint('uuid', name=op.f('uq_guest_os_uuid'))
    )
    op.create_index(op.f('ix_guest_os_category_id'), 'guest_os', ['category_id'], unique=False)
    service_offerings = op.create_table('service_offerings',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('display_text', sa.String(length=4096), nullable=False),
    sa.Column('cpu_number', sa.Integer(), nullable=True),
    sa.Column('cpu_speed_mhz', sa.Integer(), nullable=True),
    sa.Column('memory_mb', sa.Integer(), nullable=True),
    sa.Column('storage_type', sa.String(length=16), nullable=False),
    sa.Column('tags', sa.String(length=4096), nullable=True),
    sa.Column('host_tags', sa.String(length=255), nullable=True),
    sa.Column('limit_cpu_use', sa.Boolean(), nullable=False),
    sa.Column('offer_ha', sa.Boolean(), nullable=False),
    sa.Column('is_volatile', sa.Boolean(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=True),
    sa.Column('is_system', sa.Boolean(), nullable=False),
    sa.Column('system_vm_type', sa.String(length=64), nullable=True),
    sa.Column('default_use', sa.Boolean(), nullable=False),
    sa.Column('network_rate', sa.Integer(), nullable=True),
    sa.Column('multicast_rate', sa.Integer(), nullable=True),
    sa.Column('deployment_planner', sa.String(length=255), nullable=True),
    sa.Column('unique_name', sa.String(length=64), nullable=True),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('bytes_read_rate', sa.BigInteger(), nullable=True),
    sa.Column('bytes_write_rate', sa.BigInteger(), nullable=True),
    sa.Column('iops_read_rate', sa.BigInteger(), nullable=True),
    sa.Column('iops_write_rate', sa.BigInteger(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['domain_id'], ['domains.id'], name=op.f('fk_service_offerings_domain_id_domains')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_offerings')),
    sa.UniqueConstraint('unique_name', name=op.f('uq_service_offerings_unique_name')),
    sa.UniqueConstraint('uuid', name=op.f('uq_service_offerings_uuid'))
    )
    op.create_table('templates',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('display_text', sa.String(length=4096), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('template_type', sa.String(length=16), nullable=False),
    sa.Column('hypervisor_type', sa.String(length=32), nullable=True),
    sa.Column('guest_os_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=True),
    sa.Column('checksum', sa.String(length=255), nullable=True),
    sa.Column('bits', sa.Integer(), nullable=False),
    sa.Column('requires_hvm', sa.Boolean(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('is_featured', sa.Boolean(), nullable=False),
    sa.Column('is_extractable', sa.Boolean(), nullable=False),
    sa.Column('password_enabled', sa.Boolean(), nullable=False),
    sa.Column('sshkey_enabled', sa.Boolean(), nullable=False),
    sa.Column('is_dynamically_scalable', sa.Boolean(), nullable=False),
    sa.Column('bootable', sa.Boolean(), nullable=False),
    sa.Column('cross_zones', sa.Boolean(), nullable=False),
    sa.Column('template_tag', sa.String(length=255), nullable=True),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('source_template_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_templates_account_id_accounts')),
    sa.ForeignKeyConstraint(['guest_os_id'], ['guest_os.id'], name=op.f('fk_templates_guest_os_id_guest_os')),
    sa.ForeignKeyConstraint(['source_template_id'], ['templates.id'],
                            name=op.f('fk_templates_source_template_id_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_templates')),
    sa.UniqueConstraint('uuid', name=op.f('uq_templates_uuid'))
    )
    op.create_index(op.f('ix_templates_account_id'), 'templates', ['account_id'], unique=False)
    op.create_table('template_permissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_template_permissions_account_id_accounts')),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'],
                            name=op.f('fk_template_permissions_template_id_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_permissions')),
    sa.UniqueConstraint('template_id', 'account_id', name=op.f('uq_template_permissions_template_id_account_id'))
    )
    op.create_index(op.f('ix_template_permissions_account_id'), 'template_permissions', ['account_id'], unique=False)
    op.create_index(op.f('ix_template_permissions_template_id'), 'template_permissions', ['template_id'], unique=False)
    op.create_table('template_zone_refs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('is_ready', sa.Boolean(), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('physical_size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'],
                            name=op.f('fk_template_zone_refs_template_id_templates')),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_template_zone_refs_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_zone_refs')),
    sa.UniqueConstraint('template_id', 'zone_id', name=op.f('uq_template_zone_refs_template_id_zone_id'))
    )
    op.create_index(op.f('ix_template_zone_refs_template_id'), 'template_zone_refs', ['template_id'], unique=False)
    op.create_index(op.f('ix_template_zone_refs_zone_id'), 'template_zone_refs', ['zone_id'], unique=False)

    created = utcnow()
    op.bulk_insert(guest_os_categories, seed.category_rows())
    op.bulk_insert(guest_os, seed.guest_os_rows())
    op.bulk_insert(service_offerings, seed.service_offering_rows(created))
    op.bulk_insert(disk_offerings, seed.disk_offering_rows(created))


def downgrade() -> None:
    op.drop_index(op.f('ix_template_zone_refs_zone_id'), table_name='template_zone_refs')
    op.drop_index(op.f('ix_template_zone_refs_template_id'), table_name='template_zone_refs')
    op.drop_table('template_zone_refs')
    op.drop_index(op.f('ix_template_permissions_template_id'), table_name='template_permissions')
    op.drop_index(op.f('ix_template_permissions_account_id'), table_name='template_permissions')
    op.drop_table('template_permissions')
    op.drop_index(op.f('ix_templates_account_id'), table_name='templates')
    op.drop_table('templates')
    op.drop_table('service_offerings')
    op.drop_index(op.f('ix_guest_os_category_id'), table_name='guest_os')
    op.drop_table('guest_os')
    op.drop_table('disk_offerings')
    op.drop_table('guest_os_categories')
