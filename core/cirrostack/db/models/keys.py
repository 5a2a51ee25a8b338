"""SSH key pairs: public keys an account registers so VMs can be deployed with them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin


class SSHKeyPair(ResourceMixin, Base):
    """One named public key of an account. The private key of a generated pair is never stored;
    `fingerprint` is the MD5 of the key blob in colon hex, as CloudStack shows it."""

    __tablename__ = "ssh_keypairs"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    name: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(Text)


__all__ = ["SSHKeyPair"]
