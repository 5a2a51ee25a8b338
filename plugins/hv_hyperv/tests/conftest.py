"""Fixtures of the Hyper-V plugin's tests: a simulated Hyper-V estate behind real WinRM endpoints.

`estate` gives two simulated hosts (hv-01, hv-02) with NTLM over http, an SMB share both can map,
a template image they can fetch, and a URL on which nothing listens (see hyperv_estate.py); `cloud`
a running `cirro serve` with a Hyper-V zone on such hosts (see hyperv_cloud.py). The simulator
package lives next to this file and is imported as `hyperv_sim`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hyperv_cloud import cloud  # noqa: E402, F401  (the session's cirro serve with a Hyper-V zone)
from hyperv_estate import DOMAIN, PASSWORD, USER, Estate, build_estate, closed_port_url  # noqa: E402
from hyperv_sim import WinRMServer  # noqa: E402

from tests.fixtures.mariadb import mariadb_server  # noqa: E402, F401  (skips without mariadbd; fails if CI=true)


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


@pytest.fixture
def estate(ntlm_users: Path) -> Iterator[Estate]:
    world, hosts = build_estate()
    servers = {name: WinRMServer(world, host).start() for name, host in hosts.items()}
    yield Estate(world, hosts, servers, closed_port_url())
    for server in servers.values():
        server.stop()
