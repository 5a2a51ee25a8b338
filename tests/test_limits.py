"""Resource limits on SQLite and MariaDB: defaults from settings, explicit limits, domains, concurrency."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from cirrostack.db import Database
from cirrostack.db.models import Account, Domain
from cirrostack.errors import InvalidParameter, ResourceLimitExceeded
from cirrostack.services import accounts, limits, settings
from cirrostack.services.limits import ResourceType


@pytest.fixture
def database(database_url: str):
    database = Database(database_url)
    database.upgrade()
    with database.session() as session:
        accounts.bootstrap(session, "admin-pw")
        root = accounts.root_admin_caller(session)
        sales = accounts.create_domain(session, root, "sales")
        for name, domain in (("alice", sales), ("bob", sales), ("carol", None)):
            accounts.create_account(session, root, accounttype=0, username=name, password="pw-12345678",
                                    email=f"{name}@example.org", firstname=name, lastname="T", domain=domain)
    yield database
    database.dispose()


def _account_id(database: Database, name: str) -> int:
    with database.session() as session:
        return session.scalars(select(Account.id).where(Account.name == name)).one()


def _owner(session, kind: str, name: str) -> limits.Owner:
    if kind == limits.ACCOUNT:
        return limits.account_owner(session.scalars(select(Account).where(Account.name == name)).one())
    return limits.domain_owner(session.scalars(select(Domain).where(Domain.name == name)).one())


def test_the_account_default_comes_from_max_account_settings(database: Database) -> None:
    alice = _account_id(database, "alice")
    with database.session() as session:
        settings.set_value(session, None, "max.account.cpus", 4)
    with database.session() as session:
        limits.consume(session, alice, ResourceType.CPU, 3)
    with pytest.raises(ResourceLimitExceeded) as raised, database.session() as session:
        limits.consume(session, alice, ResourceType.CPU, 2)
    assert raised.value.http_status == 532
    assert "'cpu'" in raised.value.message and "account alice" in raised.value.message
    assert "limit is 4 cores" in raised.value.message and "3 cores are in use" in raised.value.message
    with database.session() as session:
        assert limits.count_of(session, _owner(session, limits.ACCOUNT, "alice"), ResourceType.CPU) == 3
        assert limits.count_of(session, _owner(session, limits.DOMAIN, "sales"), ResourceType.CPU) == 3


def test_a_domain_limit_covers_its_accounts_together_and_a_refusal_counts_nothing(database: Database) -> None:
    alice, bob = _account_id(database, "alice"), _account_id(database, "bob")
    with database.session() as session:
        assert limits.set_limit(session, _owner(session, limits.DOMAIN, "sales"), ResourceType.INSTANCE, 3) == 3
    with database.session() as session:
        limits.consume(session, alice, ResourceType.INSTANCE, 2)
        limits.consume(session, bob, ResourceType.INSTANCE, 1)
    with pytest.raises(ResourceLimitExceeded, match="domain /sales/"), database.session() as session:
        limits.consume(session, bob, ResourceType.INSTANCE, 1)
    with database.session() as session:
        assert limits.count_of(session, _owner(session, limits.ACCOUNT, "bob"), ResourceType.INSTANCE) == 1
    with database.session() as session:
        limits.release(session, alice, ResourceType.INSTANCE, 1)
        limits.consume(session, bob, ResourceType.INSTANCE, 1)
        assert limits.count_of(session, _owner(session, limits.DOMAIN, "sales"), ResourceType.INSTANCE) == 3


def test_minus_one_is_unlimited_and_storage_limits_are_in_gib(database: Database) -> None:
    carol = _account_id(database, "carol")
    with database.session() as session:
        owner = _owner(session, limits.ACCOUNT, "carol")
        limits.set_limit(session, owner, ResourceType.PRIMARY_STORAGE, 1)
        limits.set_limit(session, owner, ResourceType.MEMORY, -1)
    with database.session() as session:
        limits.consume(session, carol, ResourceType.PRIMARY_STORAGE, limits.GIB)
        limits.consume(session, carol, ResourceType.MEMORY, 10_000_000)
    with pytest.raises(ResourceLimitExceeded, match="limit is 1 GiB"), database.session() as session:
        limits.consume(session, carol, ResourceType.PRIMARY_STORAGE, 1)
    with pytest.raises(InvalidParameter, match="max"), database.session() as session:
        limits.set_limit(session, _owner(session, limits.ACCOUNT, "carol"), ResourceType.CPU, -2)
    with pytest.raises(InvalidParameter, match="resourcetype"):
        limits.resource_type(12)


def test_release_never_goes_below_zero(database: Database) -> None:
    carol = _account_id(database, "carol")
    with database.session() as session:
        limits.consume(session, carol, ResourceType.VOLUME, 1)
        limits.release(session, carol, ResourceType.VOLUME, 5)
        assert limits.count_of(session, _owner(session, limits.ACCOUNT, "carol"), ResourceType.VOLUME) == 0


def test_concurrent_consumers_never_pass_the_limit_together(database: Database) -> None:
    alice = _account_id(database, "alice")
    with database.session() as session:
        limits.set_limit(session, _owner(session, limits.ACCOUNT, "alice"), ResourceType.INSTANCE, 7)
        limits.consume(session, alice, ResourceType.INSTANCE, 0)
    outcomes: list[str] = []
    lock = threading.Lock()

    def deploy() -> None:
        for _attempt in range(50):
            try:
                with database.session() as session:
                    limits.consume(session, alice, ResourceType.INSTANCE, 1)
                result = "ok"
            except ResourceLimitExceeded:
                result = "refused"
            except Exception as error:  # noqa: BLE001 - a busy database is retried, like a deploy job would
                if "lock" not in str(error).lower() and "deadlock" not in str(error).lower():
                    raise
                continue
            with lock:
                outcomes.append(result)
            return

    threads = [threading.Thread(target=deploy) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 20
    assert outcomes.count("ok") == 7 and outcomes.count("refused") == 13
    with database.session() as session:
        assert limits.count_of(session, _owner(session, limits.ACCOUNT, "alice"), ResourceType.INSTANCE) == 7
