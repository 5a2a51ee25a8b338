"""Login sessions of the API: `JSESSIONID` cookie + `sessionkey`, as CloudStack's servlet keeps them.

The store lives in the server process's memory: sessions end when the server stops, and several
management servers behind one load balancer need sticky sessions (API-key requests need nothing).
A session expires after `timeout` seconds without a request (CloudStack's default 1800).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass

SESSION_TIMEOUT_SECONDS = 1800


@dataclass
class LoginSession:
    session_id: str  # the JSESSIONID cookie
    session_key: str  # URL-safe, 28 characters, sent as parameter and cookie `sessionkey`
    user_uuid: str
    last_used: float

    def key_matches(self, candidate: str) -> bool:
        return hmac.compare_digest(self.session_key.encode(), candidate.encode("utf-8", "replace"))


class SessionStore:
    """Thread-safe map of session id -> LoginSession with idle expiry."""

    def __init__(self, timeout: int = SESSION_TIMEOUT_SECONDS, clock=time.monotonic) -> None:
        self.timeout = timeout
        self._clock = clock
        self._sessions: dict[str, LoginSession] = {}
        self._lock = threading.Lock()

    def create(self, user_uuid: str) -> LoginSession:
        """A new session for `user_uuid` with fresh random id and key."""
        session = LoginSession(secrets.token_hex(16).upper(), secrets.token_urlsafe(21), user_uuid, self._clock())
        with self._lock:
            self._drop_expired()
            self._sessions[session.session_id] = session
        return session

    def get(self, session_id: str) -> LoginSession | None:
        """The live session with this id, its idle timer restarted; None if unknown or expired."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            now = self._clock()
            if now - session.last_used > self.timeout:
                del self._sessions[session_id]
                return None
            session.last_used = now
            return session

    def invalidate(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired()
            return len(self._sessions)

    def _drop_expired(self) -> None:
        now = self._clock()
        for session_id in [s.session_id for s in self._sessions.values() if now - s.last_used > self.timeout]:
            del self._sessions[session_id]
