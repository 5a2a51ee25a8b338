"""Work that must happen only once a transaction committed (notify plugins, send alert mail).

`after_commit(session, action)` queues `action`; it runs after the session's next successful
commit and is dropped if the transaction rolls back, so nobody hears of something that did not
happen. An action that raises is logged and does not affect the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_KEY = "cirrostack.after_commit"


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` after `session` commits (never if it rolls back)."""
    pending = session.info.get(_KEY)
    if pending is None:
        pending = session.info[_KEY] = []
        event.listen(session, "after_commit", _run)
        event.listen(session, "after_rollback", _drop)
    pending.append(action)


def _run(session: Session) -> None:
    actions, session.info[_KEY] = list(session.info.get(_KEY, ())), []
    for action in actions:
        try:
            action()
        except Exception:
            log.exception("an action after commit failed")


def _drop(session: Session) -> None:
    session.info[_KEY] = []
