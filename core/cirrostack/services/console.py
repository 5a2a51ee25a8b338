"""Console access to a running VM: the access details its hypervisor reports, handed out once.

There is no console proxy VM in cirrostack. A client asks for a console (createConsoleEndpoint or
the console servlet path `/client/console?cmd=access&vm=<uuid>`), the core asks the VM's hypervisor
driver where the console listens (`ConsoleOperations.console_access`) and the client connects there
itself with a VNC or RDP client. createConsoleEndpoint does not put the details in its reply: it
returns a URL with a one-time token that expires after `TOKEN_TTL_SECONDS`; the first request to it
gets the details, later ones are refused. Tokens live in this server process's memory, like login
sessions (several management servers need sticky routing for them).
"""

from __future__ import annotations

import secrets as random_source
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.models import Host, VirtualMachine, VMState
from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.hookspecs.hypervisor import VMRef
from cirrostack.hookspecs.hypervisor_console import ConsoleAccess
from cirrostack.services.context import Caller
from cirrostack.services.vms.lifecycle import Drivers

TOKEN_TTL_SECONDS = 120
CONSOLE_PATH = "/client/console"


@dataclass(frozen=True)
class ConsoleGrant:
    """One VM's console details, as a token hands them out."""

    vm_uuid: str
    vm_name: str
    access: ConsoleAccess

    def as_dict(self) -> dict[str, Any]:
        """The details as the console path returns them (the password included: that is the point)."""
        return {"virtualmachineid": self.vm_uuid, "name": self.vm_name, "protocol": self.access.protocol,
                "host": self.access.host, "port": self.access.port, "password": self.access.password,
                **({"extra": dict(self.access.extra)} if self.access.extra else {})}


def access_for(session: Session, caller: Caller, vm: VirtualMachine, drivers: Drivers,
               param: str = "virtualmachineid") -> ConsoleGrant:
    """Where `vm`'s console listens now, from its host's driver. `vm` was loaded within `caller`'s scope
    (its owner, an admin of its domain or the root admin). Raises InvalidState naming `param` when the VM
    is not Running, UnsupportedOperation (432) when its hypervisor does not declare console_access."""
    if vm.state != VMState.RUNNING.value or vm.host_id is None:
        raise InvalidState(f"{param}: VM {vm.name} is {vm.state}; only a Running VM has a console")
    host = session.get(Host, vm.host_id)
    driver, host_ref = drivers.for_host(host)
    access = driver.console_access(host_ref, VMRef(vm.uuid, vm.instance_name))
    return ConsoleGrant(vm.uuid, vm.name, access)


class ConsoleTokens:
    """One-time tokens for console grants, each valid for `ttl` seconds. Thread-safe."""

    def __init__(self, ttl: float = TOKEN_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._grants: dict[str, tuple[float, ConsoleGrant]] = {}
        self._lock = threading.Lock()

    def issue(self, grant: ConsoleGrant) -> str:
        """A new random token for `grant`."""
        token = random_source.token_urlsafe(24)
        with self._lock:
            self._drop_expired()
            self._grants[token] = (self._clock() + self.ttl, grant)
        return token

    def redeem(self, token: str, param: str = "token") -> ConsoleGrant:
        """The grant of `token`, which is used up by this call. Raises InvalidParameter naming `param`
        for a token that is unknown, already used or expired."""
        with self._lock:
            self._drop_expired()
            found = self._grants.pop(token, None)
        if found is None:
            raise InvalidParameter(param, "the console token is unknown, was used already or expired (tokens "
                                          f"are valid once, for {int(self.ttl)} seconds); ask for a new endpoint")
        return found[1]

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired()
            return len(self._grants)

    def _drop_expired(self) -> None:
        now = self._clock()
        for token in [token for token, (expires, _grant) in self._grants.items() if expires <= now]:
            del self._grants[token]


#: The tokens of this server process (createConsoleEndpoint issues, the console path redeems).
TOKENS = ConsoleTokens()


def create_endpoint(session: Session, caller: Caller, vm: VirtualMachine, drivers: Drivers,
                    tokens: ConsoleTokens = TOKENS) -> str:
    """Check `vm`'s console can be reached now and return a one-time token for its details."""
    return tokens.issue(access_for(session, caller, vm, drivers))


def endpoint_path(token: str) -> str:
    """The path (on the API's own address) that hands out a token's details once."""
    return f"{CONSOLE_PATH}?cmd=access&token={token}"
