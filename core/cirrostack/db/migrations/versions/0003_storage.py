"""Storage: primary storage pools and image stores, with their tags and details.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 03:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('image_stores',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('protocol', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('capacity_bytes', sa.BigInteger(), nullable=True),
    sa.Column('used_bytes', sa.BigInteger(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_image_stores_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image_stores')),
    sa.UniqueConstraint('name', 'live', name=op.f('uq_image_stores_name_live')),
    sa.UniqueConstraint('uuid', name=op.f('uq_image_stores_uuid'))
    )
    op.create_index(op.f('ix_image_stores_zone_id'), 'image_stores', ['zone_id'], unique=False)
    op.create_table('image_store_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('encrypted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['image_stores.id'],
                            name=op.f('fk_image_store_details_store_id_image_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image_store_details')),
    sa.UniqueConstraint('store_id', 'name', name=op.f('uq_image_store_details_store_id_name'))
    )
    op.create_index(op.f('ix_image_store_details_store_id'), 'image_store_details', ['store_id'], unique=False)
    op.create_table('storage_pools',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('pod_id', sa.Integer(), nullable=True),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('hypervisor_type', sa.String(length=32), nullable=True),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('pool_type', sa.String(length=32), nullable=False),
    sa.Column('protocol', sa.String(length=32), nullable=False),
    sa.Column('host_address', sa.String(length=255), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('capacity_bytes', sa.BigInteger(), nullable=False),
    sa.Column('capacity_iops', sa.BigInteger(), nullable=True),
    sa.Column('used_bytes', sa.BigInteger(), nullable=True),
    sa.Column('managed', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'], name=op.f('fk_storage_pools_cluster_id_clusters')),
    sa.ForeignKeyConstraint(['pod_id'], ['pods.id'], name=op.f('fk_storage_pools_pod_id_pods')),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_storage_pools_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_pools')),
    sa.UniqueConstraint('uuid', name=op.f('uq_storage_pools_uuid')),
    sa.UniqueConstraint('zone_id', 'name', 'live', name=op.f('uq_storage_pools_zone_id_name_live'))
    )
    op.create_index(op.f('ix_storage_pools_cluster_id'), 'storage_pools', ['cluster_id'], unique=False)
    op.create_index(op.f('ix_storage_pools_pod_id'), 'storage_pools', ['pod_id'], unique=False)
    op.create_index(op.f('ix_storage_pools_zone_id'), 'storage_pools', ['zone_id'], unique=False)
    op.create_table('storage_pool_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('encrypted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['storage_pools.id'],
                            name=op.f('fk_storage_pool_details_pool_id_storage_pools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_pool_details')),
    sa.UniqueConstraint('pool_id', 'name', name=op.f('uq_storage_pool_details_pool_id_name'))
    )
    op.create_index(op.f('ix_storage_pool_details_pool_id'), 'storage_pool_details', ['pool_id'], unique=False)
    op.create_table('storage_pool_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['storage_pools.id'], name=op.f('fk_storage_pool_tags_pool_id_storage_pools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_pool_tags')),
    sa.UniqueConstraint('pool_id', 'tag', name=op.f('uq_storage_pool_tags_pool_id_tag'))
    )
    op.create_index(op.f('ix_storage_pool_tags_pool_id'), 'storage_pool_tags', ['pool_id'], unique=False)


def downgrade() -> None:
    # Indexes go with their tables; dropping them first would break MariaDB's foreign keys.
    for table in ('storage_pool_tags', 'storage_pool_details', 'storage_pools', 'image_store_details', 'image_stores'):
        op.drop_table(table)
