"""Who is calling: API-key signatures, login sessions, and CloudStack's `login`/`logout`.

Two paths, as in CloudStack's servlet:
- a request carrying `apiKey` or `signature` is key-signed: its cookies are never looked at and
  it never creates a session (a stale JSESSIONID next to a valid signature does no harm);
- any other request must belong to a login session: the `JSESSIONID` cookie names the session
  and the `sessionkey` (parameter or cookie; each one sent must match) proves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.sessions import SESSION_TIMEOUT_SECONDS, LoginSession, SessionStore
from cirrostack.api.signature import SIGNATURE_FAILED, check_expiry, signature_matches
from cirrostack.api.wire import WireRequest
from cirrostack.errors import AuthenticationFailed, MissingParameter
from cirrostack.services import accounts
from cirrostack.services.context import Caller

SESSION_FAILED = "unable to verify user credentials"
SESSION_COOKIE = "JSESSIONID"
SESSION_KEY_COOKIE = "sessionkey"


def is_key_signed(request: WireRequest) -> bool:
    return bool(request.auth_value("apiKey") or request.auth_value("signature"))


def caller_for_signed_request(session: Session, secrets: Any, request: WireRequest) -> Caller:
    """The caller of a key-signed request; AuthenticationFailed (401) for an unknown key, a
    disabled user or account, a missing, wrong or expired signature."""
    api_key, signature = request.auth_value("apiKey"), request.auth_value("signature")
    if not api_key or not signature:
        raise AuthenticationFailed(SIGNATURE_FAILED)
    caller, secret_key = accounts.caller_for_api_key(session, secrets, api_key)
    if not signature_matches(request.signed, signature, secret_key):
        raise AuthenticationFailed(SIGNATURE_FAILED)
    check_expiry(request.signed)
    return caller


def caller_for_session(session: Session, store: SessionStore, request: WireRequest,
                       cookies: Mapping[str, str]) -> Caller:
    """The caller of a session request. A wrong or missing session key ends the session (401)."""
    login = store.get(cookies.get(SESSION_COOKIE, ""))
    if login is None:
        raise AuthenticationFailed(SESSION_FAILED)
    offered = [key for key in (request.sessionkey, cookies.get(SESSION_KEY_COOKIE, "")) if key]
    if not offered or not all(login.key_matches(key) for key in offered):
        store.invalidate(login.session_id)
        raise AuthenticationFailed(SESSION_FAILED)
    try:
        return accounts.caller_for_user(session, login.user_uuid)
    except AuthenticationFailed:
        store.invalidate(login.session_id)
        raise


def login_domain_path(domain: str) -> str:
    """CloudStack's `domain` login parameter as a domain path: `/` added at both ends, and a
    leading `ROOT` (how the UI names the top domain) dropped: `ROOT/sales` -> `/sales/`."""
    path = "/" + domain.strip().strip("/") + "/" if domain.strip().strip("/") else "/"
    if path.upper() == "/ROOT/" or path.upper().startswith("/ROOT/"):
        path = "/" + path[len("/ROOT/"):]
    return path


def log_in(session: Session, store: SessionStore, request: WireRequest,
           cookies: Mapping[str, str]) -> tuple[dict[str, str], LoginSession]:
    """Check `username`/`password` (+ `domain` or `domainid`), end any session the client had,
    start a new one. Returns the loginresponse fields (all strings) and the session.
    Raises MissingParameter (431) or LoginFailed (531)."""
    for required in ("username", "password"):
        if not request.params.get(required):
            raise MissingParameter("login", required)
    old = cookies.get(SESSION_COOKIE)
    if old:
        store.invalidate(old)
    domain_uuid = request.params.get("domainid") or None
    domain = request.params.get("domain")
    caller = accounts.authenticate(session, request.params["username"], request.params["password"],
                                   domain_path=login_domain_path(domain) if domain and not domain_uuid else None,
                                   domain_uuid=domain_uuid)
    login = store.create(caller.user_uuid)
    fields = {name: _wire_text(value) for name, value in accounts.login_response(session, caller).items()
              if value is not None}
    fields["timeout"] = str(SESSION_TIMEOUT_SECONDS)
    fields["sessionkey"] = login.session_key
    return fields, login


def _wire_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
