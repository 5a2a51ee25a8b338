"""The settings the Hyper-V plugin registers, and their current values as the driver reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cirrostack.hookspecs.settings import Setting

TRANSPORT = "hyperv.transport"
TLS_VERIFY = "hyperv.tls.verify"
TLS_CA_BUNDLE = "hyperv.tls.ca.bundle"
OPERATION_TIMEOUT = "hyperv.operation.timeout"
GUEST_SWITCH = "hyperv.guest.switch"

SETTINGS: tuple[Setting, ...] = (
    Setting(TRANSPORT, "ntlm", str, "WinRM authentication for Hyper-V hosts: ntlm (messages encrypted, also over "
            "http) or basic (https only); a host URL's ?transport= overrides it", category="Hyper-V"),
    Setting(TLS_VERIFY, True, bool, "check the TLS certificate of Hyper-V hosts reached over https",
            category="Hyper-V"),
    Setting(TLS_CA_BUNDLE, "", str, "CA bundle (PEM file) that signs the Hyper-V hosts' certificates; empty: the "
            "system's trust store", category="Hyper-V"),
    Setting(OPERATION_TIMEOUT, 120, int, "seconds a WinRM call to a Hyper-V host may take", category="Hyper-V",
            minimum=5),
    Setting(GUEST_SWITCH, "", str, "Hyper-V virtual switch for guest NICs; empty: the host's first External switch",
            category="Hyper-V"),
)
_DEFAULTS = {setting.key: setting.default for setting in SETTINGS}


@dataclass(frozen=True)
class ConnectionSettings:
    transport: str
    verify_tls: bool
    ca_bundle: str
    operation_timeout: int
    guest_switch: str


def connection_settings(values: Mapping[str, Any]) -> ConnectionSettings:
    """The current values (text from the database is converted); unset keys take their defaults."""

    def value(key: str) -> Any:
        return values.get(key, _DEFAULTS[key])

    verify = value(TLS_VERIFY)
    if isinstance(verify, str):
        verify = verify.strip().lower() not in ("false", "0", "no")
    return ConnectionSettings(transport=str(value(TRANSPORT)).strip().lower() or "ntlm", verify_tls=bool(verify),
                              ca_bundle=str(value(TLS_CA_BUNDLE)).strip(),
                              operation_timeout=max(5, int(value(OPERATION_TIMEOUT))),
                              guest_switch=str(value(GUEST_SWITCH)).strip())
