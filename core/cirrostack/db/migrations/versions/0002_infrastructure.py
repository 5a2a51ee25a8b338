"""Infrastructure: zones, pods, clusters, hosts, host tags and host details.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:39:15.148516
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('zones',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=1024), nullable=True),
    sa.Column('network_type', sa.String(length=16), nullable=False),
    sa.Column('dns1', sa.String(length=255), nullable=False),
    sa.Column('dns2', sa.String(length=255), nullable=True),
    sa.Column('ip6_dns1', sa.String(length=255), nullable=True),
    sa.Column('ip6_dns2', sa.String(length=255), nullable=True),
    sa.Column('internal_dns1', sa.String(length=255), nullable=False),
    sa.Column('internal_dns2', sa.String(length=255), nullable=True),
    sa.Column('guest_cidr_address', sa.String(length=64), nullable=True),
    sa.Column('network_domain', sa.String(length=255), nullable=True),
    sa.Column('domain_id', sa.Integer(), nullable=True),
    sa.Column('allocation_state', sa.String(length=16), nullable=False),
    sa.Column('local_storage_enabled', sa.Boolean(), nullable=False),
    sa.Column('security_group_enabled', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['domain_id'], ['domains.id'], name=op.f('fk_zones_domain_id_domains')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zones')),
    sa.UniqueConstraint('name', 'live', name=op.f('uq_zones_name_live')),
    sa.UniqueConstraint('uuid', name=op.f('uq_zones_uuid'))
    )
    op.create_table('pods',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('gateway', sa.String(length=64), nullable=False),
    sa.Column('netmask', sa.String(length=64), nullable=False),
    sa.Column('start_ip', sa.String(length=64), nullable=False),
    sa.Column('end_ip', sa.String(length=64), nullable=True),
    sa.Column('allocation_state', sa.String(length=16), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_pods_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pods')),
    sa.UniqueConstraint('uuid', name=op.f('uq_pods_uuid')),
    sa.UniqueConstraint('zone_id', 'name', 'live', name=op.f('uq_pods_zone_id_name_live'))
    )
    with op.batch_alter_table('pods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pods_zone_id'), ['zone_id'], unique=False)

    op.create_table('clusters',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('pod_id', sa.Integer(), nullable=False),
    sa.Column('hypervisor_type', sa.String(length=32), nullable=False),
    sa.Column('cluster_type', sa.String(length=32), nullable=False),
    sa.Column('allocation_state', sa.String(length=16), nullable=False),
    sa.Column('managed_state', sa.String(length=16), nullable=False),
    sa.Column('url', sa.String(length=1024), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['pod_id'], ['pods.id'], name=op.f('fk_clusters_pod_id_pods')),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_clusters_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters')),
    sa.UniqueConstraint('pod_id', 'name', 'live', name=op.f('uq_clusters_pod_id_name_live')),
    sa.UniqueConstraint('uuid', name=op.f('uq_clusters_uuid'))
    )
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clusters_pod_id'), ['pod_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clusters_zone_id'), ['zone_id'], unique=False)

    op.create_table('hosts',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('pod_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=1024), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=True),
    sa.Column('password', sa.Text(), nullable=True),
    sa.Column('ip_address', sa.String(length=64), nullable=True),
    sa.Column('guid', sa.String(length=255), nullable=True),
    sa.Column('hypervisor_type', sa.String(length=32), nullable=False),
    sa.Column('hypervisor_version', sa.String(length=64), nullable=True),
    sa.Column('cpu_sockets', sa.Integer(), nullable=False),
    sa.Column('cpu_cores', sa.Integer(), nullable=False),
    sa.Column('cpu_threads', sa.Integer(), nullable=False),
    sa.Column('cpu_speed_mhz', sa.Integer(), nullable=False),
    sa.Column('memory_bytes', sa.BigInteger(), nullable=False),
    sa.Column('cpu_model', sa.String(length=255), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('resource_state', sa.String(length=32), nullable=False),
    sa.Column('last_ping', sa.DateTime(), nullable=True),
    sa.Column('disconnected', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'], name=op.f('fk_hosts_cluster_id_clusters')),
    sa.ForeignKeyConstraint(['pod_id'], ['pods.id'], name=op.f('fk_hosts_pod_id_pods')),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_hosts_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hosts')),
    sa.UniqueConstraint('uuid', name=op.f('uq_hosts_uuid'))
    )
    with op.batch_alter_table('hosts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hosts_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hosts_pod_id'), ['pod_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hosts_zone_id'), ['zone_id'], unique=False)

    op.create_table('host_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['host_id'], ['hosts.id'], name=op.f('fk_host_details_host_id_hosts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_host_details')),
    sa.UniqueConstraint('host_id', 'name', name=op.f('uq_host_details_host_id_name'))
    )
    with op.batch_alter_table('host_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_host_details_host_id'), ['host_id'], unique=False)

    op.create_table('host_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['host_id'], ['hosts.id'], name=op.f('fk_host_tags_host_id_hosts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_host_tags')),
    sa.UniqueConstraint('host_id', 'tag', name=op.f('uq_host_tags_host_id_tag'))
    )
    with op.batch_alter_table('host_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_host_tags_host_id'), ['host_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('host_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_host_tags_host_id'))

    op.drop_table('host_tags')
    with op.batch_alter_table('host_details', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_host_details_host_id'))

    op.drop_table('host_details')
    with op.batch_alter_table('hosts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hosts_zone_id'))
        batch_op.drop_index(batch_op.f('ix_hosts_pod_id'))
        batch_op.drop_index(batch_op.f('ix_hosts_cluster_id'))

    op.drop_table('hosts')
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clusters_zone_id'))
        batch_op.drop_index(batch_op.f('ix_clusters_pod_id'))

    op.drop_table('clusters')
    with op.batch_alter_table('pods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pods_zone_id'))

    op.drop_table('pods')
    op.drop_table('zones')
