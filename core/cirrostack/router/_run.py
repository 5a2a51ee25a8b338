"""Running the data plane's commands (ip, iptables-restore, dnsmasq, haproxy), in a namespace or not.

Every command of the router goes through `run`, so a failure always becomes one error of the
cirrostack tree naming the command, its exit status and what it printed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

from cirrostack.errors import HostUnreachable, ResourceAllocationFailed

NETNS_DIR = "/run/netns"


def in_namespace(namespace: str, argv: Sequence[str]) -> list[str]:
    """`argv` prefixed so that it runs inside network namespace `namespace` ("" = this one)."""
    return ["ip", "netns", "exec", namespace, *argv] if namespace else list(argv)


def run(argv: Sequence[str], namespace: str = "", stdin: str | None = None, check: bool = True,
        timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run `argv` (inside `namespace` when given) and return its result.

    With `check`, a non-zero exit raises ResourceAllocationFailed quoting the command and its
    stderr; a missing program raises HostUnreachable (the network host cannot do the job).
    """
    command = in_namespace(namespace, argv)
    try:
        result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise HostUnreachable(f"network host: {command[0]} is not installed ({exc})") from exc
    except subprocess.TimeoutExpired as exc:
        raise HostUnreachable(f"network host: {' '.join(command[:8])} did not finish in {timeout:.0f} s") from exc
    if check and result.returncode != 0:
        where = f" in namespace {namespace}" if namespace else ""
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ResourceAllocationFailed(f"{' '.join(argv[:6])}{where} failed with status {result.returncode}: "
                                       f"{' / '.join(detail[-3:]) or 'no output'}")
    return result


def namespace_exists(namespace: str) -> bool:
    """Whether the named network namespace exists ("" is this process's own: always true)."""
    return not namespace or os.path.exists(os.path.join(NETNS_DIR, namespace))


def require_namespace(namespace: str, what: str) -> None:
    """Raise HostUnreachable naming `what` when namespace `namespace` does not exist."""
    if not namespace_exists(namespace):
        raise HostUnreachable(f"{what}: network namespace {namespace!r} does not exist")


def link_exists(name: str, namespace: str = "") -> bool:
    """Whether network device `name` exists in `namespace`."""
    return run(["ip", "link", "show", "dev", name], namespace, check=False).returncode == 0
