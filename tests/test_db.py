"""The database layer on SQLite and on a throwaway MariaDB: migrations, sessions, constraints."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from cirrostack.db import Database
from cirrostack.db.models import Account, Domain, User
from cirrostack.services import accounts


@pytest.fixture
def database(database_url: str):
    database = Database(database_url)
    yield database
    database.dispose()


def test_upgrade_migrates_an_empty_database_to_the_newest_revision(database: Database) -> None:
    assert database.is_empty()
    assert database.current_revision() is None
    database.upgrade()
    assert not database.is_empty()
    assert database.current_revision() == Database.head_revision()
    tables = set(inspect(database.engine).get_table_names())
    assert {"domains", "accounts", "users", "async_jobs", "events", "configuration", "management_servers"} <= tables
    database.upgrade()  # a second upgrade is a no-op
    assert database.current_revision() == Database.head_revision()


def test_session_commits_on_success_and_rolls_back_on_error(database: Database) -> None:
    database.upgrade()
    with database.session() as session:
        session.add(Domain(name="ROOT", path="/", level=0))
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(Domain(name="lost", path="/lost/", level=1))
        session.flush()
        raise RuntimeError("abort")
    with database.session() as session:
        assert [d.name for d in session.scalars(select(Domain))] == ["ROOT"]


def test_domain_names_are_unique_among_live_siblings_but_reusable_after_removal(database: Database) -> None:
    database.upgrade()
    with database.session() as session:
        root = Domain(name="ROOT", path="/", level=0)
        session.add(root)
        session.flush()
        first = Domain(name="sales", parent_id=root.id, path="/sales/", level=1)
        session.add(first)
        session.flush()
        first.mark_removed()
        session.add(Domain(name="sales", parent_id=root.id, path="/sales/", level=1))
        session.flush()
        root_id = root.id
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(Domain(name="sales", parent_id=root_id, path="/sales/", level=1))
        session.flush()


def test_foreign_keys_are_enforced(database: Database) -> None:
    database.upgrade()
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(Account(name="orphan", type=0, domain_id=4242))
        session.flush()


def test_bootstrap_creates_root_admin_once(database: Database) -> None:
    database.upgrade()
    with database.session() as session:
        generated = accounts.bootstrap(session, None)
    assert generated and len(generated) >= 16
    with database.session() as session:
        assert accounts.bootstrap(session, "other") is None
        user = session.scalars(select(User)).one()
        assert (user.username, user.account.name, user.account.type, user.account.domain.path) == \
            ("admin", "admin", 1, "/")
        assert generated not in user.password_hash and user.password_hash.startswith("$argon2")
    with database.session() as session:
        caller = accounts.authenticate(session, "admin", generated)
    assert caller.is_root_admin and caller.domain_path == "/"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'sub' / 'c.db'}")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    database.dispose()


def test_mariadb_tables_use_utf8mb4_and_innodb(mariadb_url: str) -> None:
    database = Database(mariadb_url)
    database.upgrade()
    with database.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT table_name, engine, table_collation FROM information_schema.tables "
            "WHERE table_schema = DATABASE()")).all()
        with database.session() as session:
            session.add(Domain(name="ROOT", path="/", level=0))
        with database.session() as session:
            root = session.scalars(select(Domain)).one()
            session.add(Domain(name="Ünïcødé 雲", parent_id=root.id, path="/Ünïcødé 雲/", level=1))
        with database.session() as session:
            names = sorted(d.name for d in session.scalars(select(Domain)))
    database.dispose()
    assert rows and all(engine == "InnoDB" and collation.startswith("utf8mb4") for _, engine, collation in rows)
    assert names == ["ROOT", "Ünïcødé 雲"]
