"""Uploaded volumes (uploadVolume): the URL, format, checksum and status of each upload, and the image
store and path of its copy.

Revision ID: 0019_volume_uploads
Revises: 0018_template_store_copies
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_volume_uploads"
down_revision = "0018_template_store_copies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "volume_uploads",
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("checksum", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=1024), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("install_path", sa.String(length=1024), nullable=True),
        sa.ForeignKeyConstraint(["volume_id"], ["volumes.id"], name=op.f("fk_volume_uploads_volume_id_volumes")),
        sa.ForeignKeyConstraint(["store_id"], ["image_stores.id"],
                                name=op.f("fk_volume_uploads_store_id_image_stores")),
        sa.PrimaryKeyConstraint("volume_id", name=op.f("pk_volume_uploads")),
    )


def downgrade() -> None:
    op.drop_table("volume_uploads")
