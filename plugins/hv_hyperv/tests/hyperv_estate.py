"""The simulated Hyper-V estate the tests use: two hosts, an SMB share, a template image, and the
credentials of each."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from hyperv_sim import SimHost, WinRMServer, World

DOMAIN, USER, PASSWORD = "CLOUD", "Administrator", "Hyper-V-Passw0rd!"
SHARE, SHARE_USER, SHARE_PASSWORD = "\\\\fs01\\primary", "smbuser", "Smb-Passw0rd!"
TEMPLATE_URL = "http://images.test/centos-6.5.vhdx"
GIB = 1024**3


@dataclass
class Estate:
    world: World
    hosts: dict[str, SimHost]
    servers: dict[str, WinRMServer]
    closed_url: str

    def url(self, name: str) -> str:
        return self.servers[name].url


def closed_port_url() -> str:
    """A WinRM URL on a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/wsman"


def build_estate(memory_gib: int = 16) -> tuple[World, dict[str, SimHost]]:
    world = World()
    world.add_share(SHARE, SHARE_USER, SHARE_PASSWORD, domain=DOMAIN)
    world.publish(TEMPLATE_URL, 2 * GIB)
    hosts = {name: world.add_host(name, memory_bytes=memory_gib * GIB) for name in ("hv-01", "hv-02")}
    return world, hosts
