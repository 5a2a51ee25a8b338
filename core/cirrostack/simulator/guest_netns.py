"""Namespace-backed simulator guests: a simulated VM with NICs gets a real network namespace.

With the setting `simulator.guest.namespaces` on, starting a VM creates the namespace
`namespace_for(vm_uuid)` holding one veth per NIC (named eth<device id>, with the NIC's
MAC), whose other end is enslaved to the NIC's bridge in the network host namespace
(`network.host.namespace`). A busybox udhcpc per NIC asks for a lease and keeps renewing it like
a guest's DHCP client, with its own hook script: it sets the address and default route inside the
guest and writes the guest's own resolv file (`resolv_conf(vm_uuid)`), never the host's.
Stopping or destroying the VM removes the namespace with everything in it. Tests run processes
inside a guest with `ip netns exec <namespace_for(vm_uuid)> ...`.

Namespaces live in one list per machine (/run/netns), shared by every cloud on it, while instance
names (i-2-5-VM) repeat in every fresh database. So a guest's names derive from its VM's uuid,
which is unique across clouds and never changes: stop, start, migration, destroy and a server
restart all find the same namespace, and a leftover is removed by the same name.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.hypervisor import NicSpec, VMSpec
from cirrostack.hookspecs.settings import Setting
from cirrostack.router import bridges
from cirrostack.router._run import link_exists, namespace_exists, require_namespace, run
from cirrostack.router.agent import _files

GUEST_NAMESPACES = "simulator.guest.namespaces"
SETTING = Setting(GUEST_NAMESPACES, False, bool,
                  "back each simulated VM with NICs by a network namespace on the network host, plugged into its "
                  "networks' bridges, that takes its DHCP lease from the router (needs root, iproute2 and udhcpc)",
                  category="Simulator")
GUESTS_DIR = Path("/run/cirrostack/guests")
NAMESPACE_PREFIX = "cirro-g-"
# The uuid becomes part of a file name (/run/netns/<namespace>, GUESTS_DIR/<namespace>, at most 255 bytes)
# and of `ip netns list` lines: no "/", no blanks.
_UUID_CHARACTERS = re.compile(r"[0-9A-Za-z_.-]{1,200}")

_HOOK = """#!/bin/sh
# udhcpc hook of a simulated guest: configures only its own interface and resolv file.
RESOLV="$(dirname "$0")/resolv.conf"
case "$1" in
  deconfig) ip -4 addr flush dev "$interface" ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-$subnet}" dev "$interface"
    for gateway in $router; do ip route replace default via "$gateway" dev "$interface"; break; done
    {
      [ -n "$domain" ] && echo "search $domain"
      for server in $dns; do echo "nameserver $server"; done
    } > "$RESOLV.new" && mv "$RESOLV.new" "$RESOLV"
    ;;
esac
exit 0
"""


def namespace_for(vm_uuid: str) -> str:
    """The network namespace backing the simulated VM whose uuid is `vm_uuid` (`cirro-g-<uuid>`,
    44 characters for a standard uuid). Raises InvalidParameter for a uuid that cannot be a file name."""
    if not _UUID_CHARACTERS.fullmatch(vm_uuid):
        raise InvalidParameter("uuid", f"VM uuid {vm_uuid!r} cannot name a guest namespace; expected 1 to 200 "
                                       "letters, digits, dots, dashes and underscores")
    return NAMESPACE_PREFIX + vm_uuid


def guest_directory(vm_uuid: str) -> Path:
    """Where the guest's DHCP client keeps its hook, pid files and resolv file."""
    return GUESTS_DIR / namespace_for(vm_uuid)


def resolv_conf(vm_uuid: str) -> Path:
    """The guest's own resolv file, written from its DHCP lease (search domain and name servers)."""
    return guest_directory(vm_uuid) / "resolv.conf"


def _enabled(settings: Mapping[str, Any]) -> bool:
    value = settings.get(GUEST_NAMESPACES, False)
    return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "1", "yes", "on")


def _host_device(vm_uuid: str, nic: NicSpec) -> str:
    # Interface names are at most 15 characters; the bridge end's name is per VM and NIC like the namespace.
    return "vg" + hashlib.sha1(f"{vm_uuid}/{nic.mac_address}".encode()).hexdigest()[:12]  # 14 characters


class GuestNamespaces:
    """Plugs and unplugs namespace-backed guests; does nothing while the setting is off."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.enabled = _enabled(settings)
        self.host_namespace = bridges.host_namespace(settings)

    def plug(self, vm: VMSpec) -> None:
        """Give `vm` its namespace and NICs and start their DHCP clients. Idempotent: a NIC already
        plugged is left alone. Raises HostUnreachable, ResourceAllocationFailed."""
        nics = [nic for nic in vm.nics if nic.bridge or nic.broadcast_uri]
        if not self.enabled or not nics:
            return
        require_namespace(self.host_namespace, f"guest {vm.instance_name}: network host")
        namespace = namespace_for(vm.uuid)
        directory = guest_directory(vm.uuid)
        if not namespace_exists(namespace):
            run(["ip", "netns", "add", namespace])
        run(["ip", "link", "set", "lo", "up"], namespace)
        directory.mkdir(parents=True, exist_ok=True)
        hook = directory / "udhcpc-hook.sh"
        _files.write_if_changed(hook, _HOOK, 0o755)
        for nic in nics:
            self._plug_nic(vm.uuid, nic, namespace, directory, hook)

    def _plug_nic(self, vm_uuid: str, nic: NicSpec, namespace: str, directory: Path, hook: Path) -> None:
        device = f"eth{nic.device_id}"
        host_side = _host_device(vm_uuid, nic)
        bridge = nic.bridge or bridges.bridge_name(nic.broadcast_uri)
        if not link_exists(device, namespace):
            if link_exists(host_side, self.host_namespace):
                run(["ip", "link", "del", host_side], self.host_namespace)
            run(["ip", "link", "add", host_side, "type", "veth", "peer", "name", device, "netns", namespace],
                self.host_namespace)
        bridges.ensure_bridge(bridge, self.host_namespace)
        run(["ip", "link", "set", host_side, "master", bridge, "up"], self.host_namespace)
        run(["ip", "link", "set", device, "address", nic.mac_address], namespace)
        run(["ip", "link", "set", device, "up"], namespace)
        pid_file = directory / f"udhcpc-{device}.pid"
        if _files.running_pid(pid_file, str(hook)) is None:
            # -b: go on asking in the background when the router has no lease for it yet
            run(["udhcpc", "-i", device, "-b", "-p", str(pid_file), "-s", str(hook), "-t", "3", "-T", "1",
                 "-A", "2"], namespace, timeout=15)

    def unplug(self, vm_uuid: str) -> None:
        """Remove the namespace of the VM `vm_uuid`, its DHCP clients and any process still inside. Idempotent."""
        namespace = namespace_for(vm_uuid)
        directory = guest_directory(vm_uuid)
        for pid_file in directory.glob("udhcpc-*.pid"):
            _files.stop(pid_file, str(directory / "udhcpc-hook.sh"))
        if namespace_exists(namespace):
            for pid in run(["ip", "netns", "pids", namespace], check=False).stdout.split():
                run(["kill", "-9", pid], check=False)
            # Deleting the guest ends takes the bridge ends with them now; a deleted namespace
            # releases its devices only later, in the kernel's own time.
            veths = run(["ip", "-o", "link", "show", "type", "veth"], namespace, check=False).stdout
            for line in veths.splitlines():
                run(["ip", "link", "del", line.split(":", 2)[1].strip().split("@", 1)[0]], namespace, check=False)
            run(["ip", "netns", "del", namespace])
        shutil.rmtree(directory, ignore_errors=True)
