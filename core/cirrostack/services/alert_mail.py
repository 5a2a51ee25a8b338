"""Mailing alerts to operators over SMTP, in a background thread so no API call waits on it.

Settings (read for each mail, so changes apply at once): alert.smtp.host (unset: alerts are
only recorded), alert.smtp.port (465 means SMTP over TLS from the first byte, as CloudStack's
default port suggests; any other port is plain SMTP, upgraded with STARTTLS when
alert.smtp.useStartTLS is true), alert.smtp.useAuth with alert.smtp.username/password,
alert.email.addresses (comma separated recipients) and alert.email.sender.
A mail that fails is logged and its alert stays unsent (`sent` empty); there is no retry.
"""

from __future__ import annotations

import logging
import queue
import smtplib
import threading
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.models.alerts import Alert
from cirrostack.db.timestamps import to_api, utcnow
from cirrostack.services import settings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 30
_STOP = object()


class AlertMailer:
    """Sends committed alerts by mail, one at a time, from its own daemon thread."""

    def __init__(self, database: Any, secrets: Any) -> None:
        self._database = database
        self._secrets = secrets
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="cirrostack-alert-mail", daemon=True)
        self._thread.start()

    def submit(self, alert_id: int) -> None:
        """Queue the alert with database id `alert_id` for mailing; returns at once."""
        self._queue.put(alert_id)

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is queued, then end the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def wait_idle(self) -> None:
        """Block until every queued alert was handled (for orderly shutdown and tests)."""
        self._queue.join()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is _STOP:
                    return
                self._mail(item)
            except Exception:
                log.exception("mailing alert %s failed", item)
            finally:
                self._queue.task_done()

    def _mail(self, alert_id: int) -> None:
        with self._database.session() as session:
            alert = session.get(Alert, alert_id)
            if alert is None:
                return
            config = _smtp_settings(session, self._secrets)
            if not config["alert.smtp.host"] or not config["alert.email.addresses"]:
                return
            send(config, compose(alert, config))
            alert.sent = utcnow()


def _smtp_settings(session: Session, secrets: Any) -> dict[str, Any]:
    keys = ("alert.smtp.host", "alert.smtp.port", "alert.smtp.useAuth", "alert.smtp.username",
            "alert.smtp.password", "alert.smtp.useStartTLS", "alert.email.addresses", "alert.email.sender")
    return {key: settings.value(session, key, secrets=secrets) for key in keys}


def compose(alert: Alert, config: dict[str, Any]) -> EmailMessage:
    """The mail for `alert`: its subject, then its type, name, time and description."""
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = config["alert.email.sender"] or "cirrostack@localhost"
    message["To"] = ", ".join(a.strip() for a in config["alert.email.addresses"].split(",") if a.strip())
    message.set_content(f"{alert.description}\n\nalert type {alert.type} ({alert.name}), raised "
                        f"{to_api(alert.created)}, id {alert.uuid}\n")
    return message


def send(config: dict[str, Any], message: EmailMessage) -> None:
    """Deliver `message` with the SMTP settings in `config`; raises smtplib/OSError errors."""
    host, port = config["alert.smtp.host"], config["alert.smtp.port"]
    client_class = smtplib.SMTP_SSL if port == 465 else smtplib.SMTP
    with client_class(host, port, timeout=SMTP_TIMEOUT_SECONDS) as client:
        if client_class is smtplib.SMTP and config["alert.smtp.useStartTLS"]:
            client.starttls()
        if config["alert.smtp.useAuth"]:
            client.login(config["alert.smtp.username"] or "", config["alert.smtp.password"] or "")
        client.send_message(message)
