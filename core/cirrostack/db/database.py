"""One database: the engine, transactional sessions and schema migrations.

SQLite (a file) is the embedded default; MariaDB/MySQL through PyMySQL is the production one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
MYSQL_IO_TIMEOUT_S = 30


class Database:
    """The management server's database at `url` (a SQLAlchemy URL).

    SQLite gets WAL journaling, foreign keys and a busy timeout on every connection; MariaDB
    gets read/write timeouts (a hung server fails a query instead of blocking it for ever),
    READ COMMITTED isolation and a liveness check before a pooled connection is reused.
    """

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = make_url(url)
        self.engine: Engine = _create_engine(url, echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self, revision: str = "heads") -> None:
        """Migrate the schema to `revision` (every newest revision by default) with Alembic.

        Areas of the schema may branch from a common revision, so "heads" rather than "head"."""
        with self.engine.begin() as connection:
            config = _alembic_config(connection)
            alembic_command.upgrade(config, revision)

    def current_revision(self) -> str | None:
        """The schema revision(s) the database is at ("a+b" for several branches), or None before
        the first migration."""
        with self.engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
        return "+".join(sorted(heads)) or None

    @staticmethod
    def head_revision() -> str | None:
        """The newest revision(s) this version of cirrostack ships, in the form of current_revision()."""
        return "+".join(sorted(ScriptDirectory.from_config(_alembic_config(None)).get_heads())) or None

    def is_empty(self) -> bool:
        """True when the database holds no tables at all (a first start)."""
        return not inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _alembic_config(connection: Any) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _create_engine(url: str, echo: bool) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo,
                               connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    if backend in ("mysql", "mariadb"):
        connect_args = {"connect_timeout": 10, "read_timeout": MYSQL_IO_TIMEOUT_S,
                        "write_timeout": MYSQL_IO_TIMEOUT_S, "charset": "utf8mb4"}
        return create_engine(parsed, echo=echo, pool_pre_ping=True, pool_recycle=3600,
                             isolation_level="READ COMMITTED", connect_args=connect_args)
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
