"""Where a template's copy lives on an image store that holds data (SMB secondary storage): the store
and the path on it, per zone ref. Both stay NULL for direct-download templates.

Revision ID: 0018_template_store_copies
Revises: 0012_vm_guest_os_scaling
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_template_store_copies"
down_revision = "0012_vm_guest_os_scaling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("template_zone_refs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("store_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("install_path", sa.String(length=1024), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_template_zone_refs_store_id_image_stores"), "image_stores",
                                    ["store_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("template_zone_refs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_template_zone_refs_store_id_image_stores"), type_="foreignkey")
        batch_op.drop_column("install_path")
        batch_op.drop_column("store_id")
