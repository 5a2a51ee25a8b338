"""Settings are cached for a few seconds per database: a change this process commits applies at its commit,
the changing session sees its own change, a rolled-back change never shows, and a change made by another
management server (another engine on the same database) applies once the cached text expires."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from cirrostack.db import Database
from cirrostack.db.models import ConfigurationValue
from cirrostack.services import settings
from cirrostack.services.settings import _cache

KEY = "expunge.delay"


@pytest.fixture
def database(database_url: str):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The cache's monotonic clock, moved by the test."""
    now = [1000.0]
    monkeypatch.setattr(_cache.time, "monotonic", lambda: now[0])
    return now


def _read(database: Database) -> int:
    with database.session() as session:
        return settings.value(session, KEY)


def test_a_change_committed_here_applies_at_its_commit(database: Database, clock: list[float]) -> None:
    assert _read(database) == 86400  # cached now
    with database.session() as session:
        settings.set_value(session, None, KEY, "60")
        assert settings.value(session, KEY) == 60, "the changing session reads its own change"
        with database.session() as other:
            assert settings.value(other, KEY) == 86400, "not committed yet: others keep the old value"
        session.commit()
    assert _read(database) == 60


def test_a_rolled_back_change_never_shows(database: Database, clock: list[float]) -> None:
    assert _read(database) == 86400
    with database.session() as session:
        settings.set_value(session, None, KEY, "60")
        session.rollback()
    assert _read(database) == 86400


def test_a_change_made_by_another_server_applies_within_the_cache_time(tmp_path, database: Database,
                                                                        clock: list[float]) -> None:
    with database.session() as session:
        settings.set_value(session, None, KEY, "60")
        session.commit()
    assert _read(database) == 60
    elsewhere = Database(database.engine.url.render_as_string(hide_password=False))  # another server's engine
    try:
        with elsewhere.engine.begin() as connection:  # written straight into the table, as another server would
            connection.execute(update(ConfigurationValue).where(ConfigurationValue.name == KEY).values(value="120"))
        assert _read(database) == 60, "still within the cache time"
        clock[0] += _cache.TTL_SECONDS + 0.1
        assert _read(database) == 120
    finally:
        elsewhere.dispose()
