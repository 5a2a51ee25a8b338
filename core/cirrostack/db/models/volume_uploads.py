"""Where an uploaded volume came from and where its copy lives on an image store (uploadVolume).

One row per uploaded volume, beside its `volumes` row: the URL, format and checksum it was uploaded
with, the upload's status text (CloudStack's "status" of an upload), and the store and path of the
copy once it arrived. The copy stays on the store until the volume is deleted.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base


class VolumeUpload(Base):
    """The upload of one volume; `store_id` and `install_path` are NULL until its copy is on the store."""

    __tablename__ = "volume_uploads"

    volume_id: Mapped[int] = mapped_column(ForeignKey("volumes.id"), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    format: Mapped[str] = mapped_column(String(16))
    checksum: Mapped[str | None] = mapped_column(String(255), default=None)
    status: Mapped[str] = mapped_column(String(1024), default="")
    store_id: Mapped[int | None] = mapped_column(ForeignKey("image_stores.id"), default=None)
    install_path: Mapped[str | None] = mapped_column(String(1024), default=None)
