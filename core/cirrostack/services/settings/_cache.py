"""Stored setting texts, remembered for a few seconds per database.

A deploy reads five settings (overprovisioning factors, scaling ceilings, ...) and a list request reads
`default.page.size`; each read was a query. Values are remembered for `TTL_SECONDS`. A change this
process commits clears everything at once, so it takes effect here at its commit; a change committed by
another management server (or straight into the table) takes effect here within `TTL_SECONDS`. A session
that has changed a setting reads the table until it ends, so it sees its own uncommitted change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session

from cirrostack.services._after_commit import after_commit

TTL_SECONDS = 5.0
_WROTE = "cirrostack.settings.wrote"

Key = tuple[str, int | None]
_texts: WeakKeyDictionary[Any, dict[Key, tuple[float, str | None]]] = WeakKeyDictionary()
_lock = threading.Lock()


def cached_text(session: Session, key: Key, read: Callable[[], str | None]) -> str | None:
    """The text `read()` gives for `key` (a setting key and scope id) on `session`'s database, from the
    cache while it is fresh."""
    if session.info.get(_WROTE):
        return read()
    engine = session.get_bind()
    now = time.monotonic()
    with _lock:
        found = _texts.get(engine, {}).get(key)
    if found is not None and found[0] > now:
        return found[1]
    text = read()
    with _lock:
        _texts.setdefault(engine, {})[key] = (now + TTL_SECONDS, text)
    return text


def note_change(session: Session) -> None:
    """`session` changes a stored value: it reads the table from now on, and every cached text is
    forgotten when it commits."""
    session.info[_WROTE] = True
    after_commit(session, forget_all)


def forget_all() -> None:
    """Drop every cached text (of every database this process uses)."""
    with _lock:
        _texts.clear()
