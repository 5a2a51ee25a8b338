"""Two KVM hosts on one machine: two libvirtd instances, each in its own network, mount and UTS
namespace, reachable as qemu+tcp://<address>/system (auth none) over a bridge in the root namespace.

Each daemon gets its own /run/libvirt, /var/lib/libvirt, /var/log/libvirt and /etc/libvirt by bind
mounts inside `ip netns exec` (whose mount namespace keeps them private), its own hostname and host
UUID (libvirt refuses to migrate "to the same host"), and its own virtlogd. Everything else, /tmp
included, is shared: a directory pool is the same directory on both hosts, as a shared mount would be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from plugins.hv_kvm.tests._libvirtd import QEMU_CONF, Libvirtd, remove_everything, require_binaries, stop_daemon

_PRIVATE_DIRS = {"run": "/run/libvirt", "lib": "/var/lib/libvirt", "log": "/var/log/libvirt", "etc": "/etc/libvirt"}


@dataclass
class HostPair:
    source: Libvirtd
    target: Libvirtd


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True, timeout=30)


def _start_host(prefix: str, letter: str, address: str, work_dir: Path) -> Libvirtd:
    namespace = f"{prefix}-{letter}"
    _ip("netns", "add", namespace)
    _ip("link", "add", f"{prefix}-r{letter}", "type", "veth", "peer", "name", "eth0", "netns", namespace)
    _ip("link", "set", f"{prefix}-r{letter}", "master", f"{prefix}-br", "up")
    _ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
    _ip("-n", namespace, "link", "set", "eth0", "up")
    _ip("-n", namespace, "link", "set", "lo", "up")
    home = work_dir / letter
    for name in _PRIVATE_DIRS:
        (home / name).mkdir(parents=True)
    (home / "etc" / "qemu.conf").write_text(QEMU_CONF)
    host_number = 1 if letter == "a" else 2
    (home / "etc" / "libvirtd.conf").write_text(
        f'listen_tls = 0\nlisten_tcp = 1\nauth_tcp = "none"\nlisten_addr = "{address}"\n'
        f'host_uuid = "00000000-0000-4000-8000-00000000000{host_number}"\n')
    mounts = " && ".join(f"mount --bind {home / name} {path}" for name, path in _PRIVATE_DIRS.items())
    script = (f"hostname {namespace} && {mounts} && virtlogd -d --pid-file {home}/virtlogd.pid && "
              f"libvirtd -d --listen --pid-file {home}/libvirtd.pid --config /etc/libvirt/libvirtd.conf")
    subprocess.run(["ip", "netns", "exec", namespace, "unshare", "--uts", "sh", "-c", script], check=True,
                   capture_output=True, timeout=60)
    daemon = Libvirtd(f"qemu+tcp://{address}/system", home)
    deadline = time.monotonic() + 20
    while subprocess.run(["virsh", "-c", daemon.uri, "uri"], capture_output=True, timeout=30).returncode != 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"libvirtd in namespace {namespace} did not answer at {daemon.uri} within 20 s; "
                                 f"see {home / 'log' / 'libvirtd.log'}")
        time.sleep(0.1)
    return daemon


@pytest.fixture(scope="session")
def libvirtd_pair(libvirtd: Libvirtd, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostPair]:
    """Two namespaced libvirtd hosts (started after the root one, so QEMU's capabilities are cached)."""
    require_binaries()
    missing = [name for name in ("ip", "unshare") if shutil.which(name) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install iproute2 util-linux)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    work_dir = tmp_path_factory.mktemp("libvirtd-pair")
    tag = os.getpid() % 10000
    prefix, subnet = f"kvmm{tag}", f"10.199.{tag % 250}"
    _ip("link", "add", f"{prefix}-br", "type", "bridge")
    hosts: list[Libvirtd] = []
    try:
        _ip("addr", "add", f"{subnet}.254/24", "dev", f"{prefix}-br")
        _ip("link", "set", f"{prefix}-br", "up")
        for letter, number in (("a", 1), ("b", 2)):
            hosts.append(_start_host(prefix, letter, f"{subnet}.{number}", work_dir))
        yield HostPair(hosts[0], hosts[1])
    finally:
        for host in hosts:
            remove_everything(host)
        for letter in ("a", "b"):
            stop_daemon(work_dir / letter / "libvirtd.pid")
            stop_daemon(work_dir / letter / "virtlogd.pid")
            _ip("netns", "del", f"{prefix}-{letter}", check=False)
            _ip("link", "del", f"{prefix}-r{letter}", check=False)
        _ip("link", "del", f"{prefix}-br", check=False)
