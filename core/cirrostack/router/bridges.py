"""The bridges of the network host: one per guest network, one per public VLAN.

Guest NICs (namespace-backed simulator guests, later tap devices of VMs) and the router's guest
side meet on the guest network's bridge; the router's public side and the outside world meet on
the public bridge. All of them live in the network host's namespace, named by the setting
`network.host.namespace` ("" is the root namespace; tests use their own so that nothing of theirs
lands in the root namespace). Device names are at most 15 characters, so they are derived from
the broadcast URI: `vlan://100` → `cbr-v100`, `vxlan://5001` → `cbr-x5001`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from cirrostack.errors import InvalidParameter
from cirrostack.router._run import link_exists, require_namespace, run
from cirrostack.router._settings import NETWORK_HOST_NAMESPACE

_SCHEME_LETTER = {"vlan": "v", "vxlan": "x"}
_MAX_DEVICE_NAME = 15


def host_namespace(settings: Mapping[str, Any]) -> str:
    """The network host's namespace from plugin settings (`network.host.namespace`, default "")."""
    return str(settings.get(NETWORK_HOST_NAMESPACE, "") or "").strip()


def _device_name(prefix: str, broadcast_uri: str, param: str) -> str:
    scheme, sep, rest = broadcast_uri.strip().lower().partition("://")
    if not sep or not rest:
        raise InvalidParameter(param, f"{broadcast_uri!r} is not a broadcast URI like vlan://100 or vxlan://5001")
    letter = _SCHEME_LETTER.get(scheme)
    tail = "u" if rest == "untagged" else rest
    name = f"{prefix}-{letter}{tail}" if letter and tail.isalnum() else ""
    if not name or len(name) > _MAX_DEVICE_NAME:
        name = f"{prefix}-h{hashlib.sha1(broadcast_uri.encode()).hexdigest()[:8]}"
    return name


def bridge_name(broadcast_uri: str) -> str:
    """The guest bridge of the network with `broadcast_uri` on the network host (`cbr-v100`)."""
    return _device_name("cbr", broadcast_uri, "broadcasturi")


def public_bridge_name(public_broadcast_uri: str) -> str:
    """The public bridge for the public VLAN `public_broadcast_uri` (`vlan://untagged` → `cpub-vu`)."""
    return _device_name("cpub", public_broadcast_uri or "vlan://untagged", "publicbroadcasturi")


def ensure_bridge(name: str, namespace: str = "") -> None:
    """Create bridge `name` in the network host namespace `namespace` and bring it up.

    Idempotent: an existing bridge is left as it is. Raises HostUnreachable when the namespace
    does not exist, ResourceAllocationFailed when the kernel refuses the bridge.
    """
    require_namespace(namespace, f"bridge {name}")
    if not link_exists(name, namespace):
        result = run(["ip", "link", "add", name, "type", "bridge"], namespace, check=False)
        if result.returncode != 0 and not link_exists(name, namespace):  # not lost to a concurrent creator
            run(["ip", "link", "add", name, "type", "bridge"], namespace)
    run(["ip", "link", "set", name, "up"], namespace)


def remove_bridge(name: str, namespace: str = "") -> None:
    """Delete bridge `name` from namespace `namespace`; ports still enslaved to it are released.

    Idempotent: a missing bridge or namespace is nothing to remove.
    """
    if link_exists(name, namespace):
        run(["ip", "link", "del", name], namespace, check=False)


def bridge_ports(name: str, namespace: str = "") -> list[str]:
    """Devices enslaved to bridge `name` in `namespace` (empty when the bridge does not exist)."""
    result = run(["ip", "-o", "link", "show", "master", name], namespace, check=False)
    if result.returncode != 0:
        return []
    return [line.split(":", 2)[1].strip().split("@", 1)[0] for line in result.stdout.splitlines() if ":" in line]
