"""A background task that runs one round every N seconds, N read from a setting before each round.

The host monitor, the capacity monitor and the expunger are such tasks. The first round waits one
interval; a round that raises is logged and the next one runs as usual; `stop()` waits for a round
in progress to end. Tests call the round method directly instead of waiting for the thread.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class PeriodicTask(ABC):
    """Subclasses name the task, give a fallback interval, read the interval setting and run a round."""

    task_name: ClassVar[str]  # thread name suffix and log prefix, e.g. "host-monitor"
    default_interval: ClassVar[float]  # seconds, when the setting cannot be read

    def __init__(self, database: Any, interval: float | None = None) -> None:
        """`interval` (seconds) overrides the setting; tests use it."""
        self._database = database
        self._interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def stopping(self) -> bool:
        """True once `stop()` was asked for: a long round should end early."""
        return self._stopping.is_set()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"cirrostack-{self.task_name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        """Ask the thread to end and wait for a round in progress to finish."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def current_interval(self) -> float:
        """Seconds between rounds: the override, else the setting as `interval_from_settings` reads it."""
        if self._interval is not None:
            return self._interval
        with self._database.session() as session:
            return self.interval_from_settings(session)

    @abstractmethod
    def interval_from_settings(self, session: Session) -> float:
        """The interval in seconds from the task's setting."""

    @abstractmethod
    def run_round(self) -> object:
        """One round of work; the thread ignores what it returns."""

    def _run(self) -> None:
        while not self._stopping.wait(self._interval_or_default()):
            try:
                self.run_round()
            except Exception:  # a failed round must not end the task
                log.exception("%s: a round failed", self.task_name)

    def _interval_or_default(self) -> float:
        try:
            return self.current_interval()
        except Exception:
            log.exception("%s: cannot read its interval setting; using %s s", self.task_name, self.default_interval)
            return self.default_interval
