"""Reaching a Hyper-V host over WinRM: the host URL, the pywinrm session, transport failures.

pywinrm is imported here, on first use, never when the plugin is discovered. A host URL is
`http(s)://<host>[:port][/wsman]` (5985 for http, 5986 for https); an optional query
`?transport=ntlm|basic` overrides the `hyperv.transport` setting for that host. Basic
authentication is accepted over https only: over http it would send the password in clear,
whereas NTLM over http encrypts every message (pywinrm's message encryption).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cirrostack.errors import CirroError, HostUnreachable, InvalidParameter
from cirrostack.hookspecs.hypervisor import HostRef
from cirrostack_hv_hyperv._errors import parse_failure, powershell_error
from cirrostack_hv_hyperv._script import Step, reading_steps, render
from cirrostack_hv_hyperv._settings import ConnectionSettings

TRANSPORTS = ("ntlm", "basic")
_DEFAULT_PORTS = {"http": 5985, "https": 5986}


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach one host's WinRM service."""

    url: str  # what pywinrm gets: scheme://host:port/path, without the query
    transport: str

    @property
    def secure(self) -> bool:
        return self.url.startswith("https://")


def endpoint(host_url: str, default_transport: str) -> Endpoint:
    """The WinRM endpoint of a host URL; InvalidParameter("url", ...) for one this driver cannot use."""
    parts = urlsplit(host_url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidParameter("url", f"{host_url!r} is not a WinRM URL of a Hyper-V host; use "
                                      "http://<host>:5985/wsman (NTLM) or https://<host>:5986/wsman")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise InvalidParameter("url", f"{host_url!r} has a port that is not a number") from None
    query = parse_qs(parts.query)
    transport = (query.get("transport") or [default_transport])[0].strip().lower()
    if transport not in TRANSPORTS:
        raise InvalidParameter("url", f"{host_url!r} asks for transport {transport!r}; use one of "
                                      f"{', '.join(TRANSPORTS)}")
    if transport == "basic" and scheme != "https":
        raise InvalidParameter("url", f"{host_url!r}: Basic authentication over http would send the password in "
                                      "clear; use https://<host>:5986/wsman or transport=ntlm")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Endpoint(f"{scheme}://{host}:{port}{parts.path or '/wsman'}", transport)


class HostSession:
    """Runs scripts of `Step`s on one host and returns what their reading steps wrote."""

    def __init__(self, host: HostRef, settings: ConnectionSettings) -> None:
        self.host = host
        self.endpoint = endpoint(host.url, settings.transport)
        self._settings = settings

    @property
    def label(self) -> str:
        return self.host.name or self.host.url

    def run(self, steps: Sequence[Step]) -> list[list[dict[str, Any]]]:
        """Run `steps` as one script. Returns, per reading step, the list of objects it wrote.

        Raises HostUnreachable (no answer, or the credentials were refused), or the error
        `_errors.powershell_error` picks for a failing cmdlet."""
        response = self._run_script(render(steps))
        stdout = response.std_out.decode("utf-8", "replace")
        if response.status_code != 0:
            stderr = response.std_err.decode("utf-8", "replace")
            raise powershell_error(self.label, parse_failure(stderr))
        lines = [line for line in stdout.splitlines() if line.strip()]
        wanted = reading_steps(steps)
        if len(lines) != len(wanted):
            raise CirroError(f"Hyper-V host {self.label}: expected {len(wanted)} JSON result(s) from "
                             f"{', '.join(s.cmdlet for s in wanted) or 'the script'}, got {len(lines)}")
        results: list[list[dict[str, Any]]] = []
        for step, line in zip(wanted, lines, strict=True):
            try:
                value = json.loads(line)
            except ValueError as exc:
                raise CirroError(f"Hyper-V host {self.label}: {step.cmdlet} did not return JSON ({exc})") from exc
            results.append(value if isinstance(value, list) else [value])
        return results

    def run_one(self, steps: Sequence[Step]) -> list[dict[str, Any]]:
        """Like `run` for a script with exactly one reading step (the last): its objects."""
        return self.run(steps)[-1]

    def _run_script(self, script: str) -> Any:
        import requests
        import winrm
        from winrm.exceptions import InvalidCredentialsError, WinRMError, WSManFaultError

        try:
            session = winrm.Session(self.endpoint.url, auth=(self.host.username, self.host.password),
                                    transport="ntlm" if self.endpoint.transport == "ntlm" else "basic",
                                    **self._tls_options(), **self._timeouts())
            return session.run_ps(script)
        except InvalidCredentialsError as exc:
            raise HostUnreachable(f"Hyper-V host {self.label} ({self.endpoint.url}) refused the credentials of "
                                  f"user {self.host.username!r} ({self.endpoint.transport}): {exc}") from exc
        except WSManFaultError as exc:
            raise CirroError(f"Hyper-V host {self.label}: WinRM fault {exc.wsman_fault_code}: {exc.reason}") from exc
        except (requests.RequestException, WinRMError, OSError) as exc:
            raise HostUnreachable(f"Hyper-V host {self.label} does not answer at {self.endpoint.url}: "
                                  f"{_reason(exc)}") from exc

    def _tls_options(self) -> Mapping[str, Any]:
        if not self.endpoint.secure:
            return {}
        if not self._settings.verify_tls:
            return {"server_cert_validation": "ignore"}
        options: dict[str, Any] = {"server_cert_validation": "validate"}
        if self._settings.ca_bundle:
            options["ca_trust_path"] = self._settings.ca_bundle
        return options

    def _timeouts(self) -> Mapping[str, int]:
        operation = self._settings.operation_timeout
        return {"operation_timeout_sec": operation, "read_timeout_sec": operation + 10}


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if "Connection refused" in text or "NewConnectionError" in text:
        return "connection refused"
    return text[:300] or type(exc).__name__
