"""Fixtures of the Hyper-V plugin's tests: a simulated Hyper-V estate behind real WinRM endpoints.

`estate` gives two simulated hosts (hv-01, hv-02) with NTLM over http, an SMB share both can map,
a template image they can fetch, and a third endpoint that refuses connections. The simulator
package lives next to this file and is imported as `hyperv_sim`.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hyperv_sim import SimHost, WinRMServer, World  # noqa: E402

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


@pytest.fixture(scope="session")
def ntlm_users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The NTLM acceptor's credential file (pyspnego reads NTLM_USER_FILE at each authentication)."""
    path = tmp_path_factory.mktemp("ntlm") / "users"
    path.write_text(f"{DOMAIN}:{USER}:{PASSWORD}\n")
    previous = os.environ.get("NTLM_USER_FILE")
    os.environ["NTLM_USER_FILE"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("NTLM_USER_FILE", None)
    else:
        os.environ["NTLM_USER_FILE"] = previous


def build_estate(memory_gib: int = 16) -> tuple[World, dict[str, SimHost]]:
    world = World()
    world.add_share(SHARE, SHARE_USER, SHARE_PASSWORD, domain=DOMAIN)
    world.publish(TEMPLATE_URL, 2 * GIB)
    hosts = {name: world.add_host(name, memory_bytes=memory_gib * GIB) for name in ("hv-01", "hv-02")}
    return world, hosts


@pytest.fixture
def estate(ntlm_users: Path) -> Iterator[Estate]:
    world, hosts = build_estate()
    servers = {name: WinRMServer(world, host).start() for name, host in hosts.items()}
    yield Estate(world, hosts, servers, closed_port_url())
    for server in servers.values():
        server.stop()
