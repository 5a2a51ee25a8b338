"""SSH key pairs of accounts: generated (the private key is returned once and never stored) or
registered from a public key; VMs are deployed or reset with them by name."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cirrostack.db.audit import record_event
from cirrostack.db.models import Account
from cirrostack.db.models.keys import SSHKeyPair
from cirrostack.db.paging import fetch_page
from cirrostack.errors import InvalidParameter, PermissionDenied
from cirrostack.services import scope
from cirrostack.services.context import AccountType, Caller

RSA_BITS = 2048


def fingerprint(public_key: str, param: str = "publickey") -> str:
    """CloudStack's fingerprint of an OpenSSH public key: MD5 of the key blob in colon hex."""
    parts = public_key.split()
    if len(parts) < 2:
        raise InvalidParameter(param, "a public key looks like \"ssh-rsa AAAA... comment\"")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameter(param, "the key data of the public key is not base64") from None
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[index:index + 2] for index in range(0, len(digest), 2))


def normalized_public_key(text: str, param: str = "publickey") -> str:
    """The OpenSSH public key in `text` (type, data and comment), checked by parsing it."""
    cleaned = " ".join(text.strip().split())
    try:
        serialization.load_ssh_public_key(cleaned.encode())
    except (ValueError, TypeError, UnicodeError) as error:
        raise InvalidParameter(param, f"this is not an OpenSSH public key ({error})") from None
    return cleaned


def key_owner(session: Session, caller: Caller, account: str | None, domain: Any | None) -> Account:
    """The account a key command acts for: the caller's, or `account` in `domain` for admins."""
    if account is None:
        if domain is not None:
            raise InvalidParameter("account", "give account together with domainid")
        return session.get(Account, caller.account_id)
    if caller.account_type is AccountType.USER:
        raise PermissionDenied("account: only administrators can manage key pairs of another account")
    return scope.find_account(session, caller, account, domain)


def create_keypair(session: Session, caller: Caller, owner: Account, name: str) -> tuple[SSHKeyPair, str]:
    """Generate an RSA key pair for `owner`; returns the stored pair and the private key (PEM)."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                            serialization.NoEncryption()).decode()
    public = private_key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                   serialization.PublicFormat.OpenSSH).decode()
    pair = _store(session, caller, owner, name, public, "SSH.KEYPAIR.CREATE")
    return pair, private_pem


def register_keypair(session: Session, caller: Caller, owner: Account, name: str, public_key: str) -> SSHKeyPair:
    """Store `public_key` for `owner` under `name`."""
    return _store(session, caller, owner, name, normalized_public_key(public_key), "SSH.KEYPAIR.REGISTER")


def find_keypair(session: Session, owner: Account, name: str, param: str = "name") -> SSHKeyPair:
    """`owner`'s key pair called `name` (any case); a 431 naming `param` when there is none."""
    found = session.scalars(select(SSHKeyPair).where(SSHKeyPair.account_id == owner.id,
                                                     func.lower(SSHKeyPair.name) == name.lower())).first()
    if found is None:
        raise InvalidParameter(param, f"account {owner.name} has no SSH key pair named {name}")
    return found


def delete_keypair(session: Session, caller: Caller, owner: Account, name: str) -> None:
    pair = find_keypair(session, owner, name)
    session.delete(pair)
    record_event(session, caller, "SSH.KEYPAIR.DELETE", f"deleted SSH key pair {pair.name}",
                 account_id=owner.id, domain_id=owner.domain_id)


def list_keypairs(session: Session, owners: scope.ListScope, *, name: str | None = None,
                  fingerprint: str | None = None, keyword: str | None = None, page: int = 1,
                  page_size: int | None = None) -> tuple[list[SSHKeyPair], int]:
    statement = owners.apply(select(SSHKeyPair), SSHKeyPair.account_id)
    if name is not None:
        statement = statement.where(func.lower(SSHKeyPair.name) == name.lower())
    if fingerprint is not None:
        statement = statement.where(SSHKeyPair.fingerprint == fingerprint.lower())
    if keyword is not None:
        statement = statement.where(SSHKeyPair.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(SSHKeyPair.id), page, page_size)


def _store(session: Session, caller: Caller, owner: Account, name: str, public_key: str, event: str) -> SSHKeyPair:
    name = name.strip()
    if not name:
        raise InvalidParameter("name", "a key pair needs a name")
    if session.scalar(select(SSHKeyPair.id).where(SSHKeyPair.account_id == owner.id,
                                                  func.lower(SSHKeyPair.name) == name.lower())) is not None:
        raise InvalidParameter("name", f"account {owner.name} already has an SSH key pair named {name}")
    pair = SSHKeyPair(account_id=owner.id, domain_id=owner.domain_id, name=name,
                      fingerprint=fingerprint(public_key), public_key=public_key)
    try:
        with session.begin_nested():
            session.add(pair)
    except IntegrityError:
        raise InvalidParameter("name", f"account {owner.name} already has an SSH key pair named {name}") from None
    record_event(session, caller, event, f"SSH key pair {name} ({pair.fingerprint})", account_id=owner.id,
                 domain_id=owner.domain_id, resource_type="SSHKeyPair", resource_uuid=pair.uuid)
    return pair
