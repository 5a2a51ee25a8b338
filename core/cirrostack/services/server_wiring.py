"""What the settings, events and alerts services need from a running server, connected once."""

from __future__ import annotations

from typing import Any

from cirrostack.services import alerts, events, settings
from cirrostack.services.templates import stores


def connect_services(database: Any, secrets: Any, registry: Any, *, mail_alerts: bool = True) -> Any:
    """Make plugin settings known and hand their values to drivers, send recorded events to
    plugins, and start mailing alerts. Returns the AlertMailer (None without `mail_alerts`);
    give it to `disconnect_services` when the server stops."""
    from cirrostack.services.alert_mail import AlertMailer

    settings.use_plugin_settings(registry.settings())
    with database.session() as session:
        registry.use_settings(settings.plugin_values(session, secrets))
    events.notify_plugins_through(registry)
    stores.use_store_access(registry, secrets)
    mailer = AlertMailer(database, secrets) if mail_alerts else None
    alerts.send_mail_through(mailer)
    return mailer


def disconnect_services(registry: Any, mailer: Any) -> None:
    """Undo `connect_services`: stop sending events to `registry` and alerts to `mailer` (only if they are
    still the ones in use: a later server in the same process may have connected its own), then let the
    mailer send what is queued and end its thread."""
    if events.current_notifier() is registry:
        events.notify_plugins_through(None)
    if stores.current_registry() is registry:
        stores.use_store_access(None, None)
    if alerts.current_mailer() is mailer:
        alerts.send_mail_through(None)
    if mailer is not None:
        mailer.stop()
