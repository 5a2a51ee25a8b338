"""Domains, accounts, users, async jobs, events and configuration values.

Every object the API shows has an integer primary key `id` and a `uuid` that the API calls `id`.
Domains, accounts and users are soft-deleted (`removed`), as in CloudStack.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin
from cirrostack.db.timestamps import utcnow


class DomainState(enum.StrEnum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"  # being deleted


class AccountState(enum.StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    LOCKED = "locked"


class UserState(enum.StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    LOCKED = "locked"


class JobStatus(enum.IntEnum):
    PENDING = 0
    SUCCEEDED = 1
    FAILED = 2
    CANCELLED = 3


class Domain(ResourceMixin, SoftDeleteMixin, Base):
    """A node of the domain tree. `path` is "/" for ROOT and "/sales/emea/" below it."""

    __tablename__ = "domains"
    __table_args__ = (UniqueConstraint("parent_id", "name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), default=None)
    path: Mapped[str] = mapped_column(String(512), index=True)
    level: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default=DomainState.ACTIVE.value)
    network_domain: Mapped[str | None] = mapped_column(String(255), default=None)

    parent: Mapped[Domain | None] = relationship(remote_side="Domain.id", lazy="joined", join_depth=1)


class Account(ResourceMixin, SoftDeleteMixin, Base):
    """A tenant (or an administrator's account). `type` is AccountType: 0 user, 1 root admin,
    2 domain admin, 3 resource admin."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("domain_id", "name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[int] = mapped_column(Integer, default=0)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=AccountState.ENABLED.value)
    network_domain: Mapped[str | None] = mapped_column(String(255), default=None)

    domain: Mapped[Domain] = relationship(lazy="joined")


class User(ResourceMixin, SoftDeleteMixin, Base):
    """A login of an account. `secret_key` holds the API secret key encrypted by SecretBox;
    `password_hash` an argon2 hash. `domain_id` repeats the account's domain so that usernames
    can be unique per domain in the database itself."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("domain_id", "username", "live"),)

    username: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    firstname: Mapped[str] = mapped_column(String(255), default="")
    lastname: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(255), default=None)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    state: Mapped[str] = mapped_column(String(16), default=UserState.ENABLED.value)
    api_key: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    secret_key: Mapped[str | None] = mapped_column(Text, default=None)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)

    account: Mapped[Account] = relationship(lazy="joined")


class ManagementServer(Base):
    """One running (or once running) management server; jobs name it in `server_id`.

    `run_id` changes on every start, so jobs of an earlier run of the same server are recognisable.
    """

    __tablename__ = "management_servers"

    id: Mapped[int] = mapped_column(primary_key=True)
    server_id: Mapped[str] = mapped_column(String(255), unique=True)
    run_id: Mapped[str] = mapped_column(String(40))
    hostname: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="Up")
    started: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_heartbeat: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AsyncJob(ResourceMixin, Base):
    """A persisted async job: who asked, what for, on which server, and how it ended.

    `result` is JSON text: the object wrapper on success, {"errorcode", "errortext"} on failure.
    """

    __tablename__ = "async_jobs"
    __table_args__ = (Index("ix_async_jobs_status_server", "status", "server_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    command: Mapped[str] = mapped_column(String(255))
    cmd: Mapped[str] = mapped_column(String(255), default="")
    cmd_info: Mapped[str] = mapped_column(Text, default="{}")
    instance_type: Mapped[str | None] = mapped_column(String(64), default=None)
    instance_uuid: Mapped[str | None] = mapped_column(String(40), default=None)
    status: Mapped[int] = mapped_column(Integer, default=JobStatus.PENDING.value)
    process_status: Mapped[int] = mapped_column(Integer, default=0)
    result_code: Mapped[int] = mapped_column(Integer, default=0)
    result_type: Mapped[str | None] = mapped_column(String(16), default=None)
    result: Mapped[str | None] = mapped_column(Text, default=None)
    server_id: Mapped[str] = mapped_column(String(255), default="")
    server_run: Mapped[str] = mapped_column(String(40), default="")
    updated: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    account: Mapped[Account] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


class Event(ResourceMixin, Base):
    """An audit event such as ACCOUNT.CREATE or USER.LOGIN (listEvents shows these)."""

    __tablename__ = "events"

    type: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(String(16), default="INFO")
    state: Mapped[str] = mapped_column(String(16), default="Completed")
    description: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None, index=True)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), default=None)
    resource_type: Mapped[str | None] = mapped_column(String(64), default=None)
    resource_uuid: Mapped[str | None] = mapped_column(String(40), default=None)
    archived: Mapped[bool] = mapped_column(default=False)  # archiveEvents; added by migration 0005


class ConfigurationValue(Base):
    """A setting's value at one scope: `scope` "global" (scope_id 0), "zone", "cluster",
    "account" or "storagepool" with that object's id. Absent rows mean the declared default."""

    __tablename__ = "configuration"
    __table_args__ = (UniqueConstraint("name", "scope", "scope_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    category: Mapped[str] = mapped_column(String(64), default="Advanced")
    value: Mapped[str | None] = mapped_column(Text, default=None)
    scope: Mapped[str] = mapped_column(String(32), default="global")
    scope_id: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


__all__ = [
    "Account", "AccountState", "AsyncJob", "ConfigurationValue", "Domain", "DomainState", "Event", "JobStatus",
    "ManagementServer", "User", "UserState",
]
