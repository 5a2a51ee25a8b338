"""A real libvirtd + virtlogd with QEMU under software emulation (TCG), for the KVM plugin's tests.

There is no systemd on the test machines: the fixture makes what Debian's libvirt-daemon-system
would (the libvirt-qemu user and group, /etc/libvirt/qemu.conf running guests as root without a
security driver, the runtime directories), starts both daemons with pid files of its own and stops
them by those pids afterwards. A libvirtd that already answers on qemu:///system is used as it is
and left running; everything else the tests define is removed before the fixture's own daemon
stops. With CI=true a missing binary fails the tests; otherwise they skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SYSTEM_URI = "qemu:///system"
BINARIES = ("libvirtd", "virtlogd", "virsh", "qemu-system-x86_64", "qemu-img")
QEMU_CONF = 'user = "root"\ngroup = "root"\nsecurity_driver = "none"\n'


@dataclass
class Libvirtd:
    """A running libvirtd reachable at `uri`."""

    uri: str
    work_dir: Path

    def virsh(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(["virsh", "-c", self.uri, *args], capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"virsh {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def dominfo(self, name: str) -> dict[str, str]:
        """`virsh dominfo` as a dict ("State", "CPU(s)", "Max memory", "Used memory", ...)."""
        rows = (line.split(":", 1) for line in self.virsh("dominfo", name).splitlines() if ":" in line)
        return {key.strip(): value.strip() for key, value in rows}

    def forget_pool(self, name: str) -> None:
        """Stop and undefine a libvirt pool the driver defined (its files stay for tmp_path to remove)."""
        self.virsh("pool-destroy", name, check=False)
        self.virsh("pool-undefine", name, check=False)

    def domain_names(self) -> set[str]:
        return set(self.virsh("list", "--all", "--name").split())


def require_binaries() -> None:
    missing = [name for name in BINARIES if shutil.which(name) is None]
    if not missing:
        return
    message = (f"{', '.join(missing)} not installed: apt-get install --no-install-recommends libvirt-daemon "
               "libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils")
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _answers(uri: str) -> bool:
    result = subprocess.run(["virsh", "-c", uri, "uri"], capture_output=True, text=True, timeout=30)
    return result.returncode == 0


def prepare_host_files() -> None:
    """What libvirt-daemon-system would make: the qemu user/group, qemu.conf and runtime dirs."""
    if subprocess.run(["getent", "group", "libvirt-qemu"], capture_output=True).returncode != 0:
        subprocess.run(["groupadd", "--system", "libvirt-qemu"], check=True)
    if subprocess.run(["getent", "passwd", "libvirt-qemu"], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "-g", "libvirt-qemu", "-d", "/var/lib/libvirt", "-s",
                        "/usr/sbin/nologin", "libvirt-qemu"], check=True)
    for directory in ("/var/log/libvirt", "/var/lib/libvirt", "/run/libvirt", "/etc/libvirt"):
        os.makedirs(directory, exist_ok=True)
    conf = Path("/etc/libvirt/qemu.conf")
    if not conf.exists():
        conf.write_text(QEMU_CONF)


def _pid(pid_file: Path) -> int:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return 0


def stop_daemon(pid_file: Path, timeout: float = 15) -> None:
    """SIGTERM the daemon recorded in `pid_file`, then wait until it has gone (or is a zombie)."""
    pid = _pid(pid_file)
    if not pid:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.05)
    if _running(pid):
        os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.fixture(scope="session")
def libvirtd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Libvirtd]:
    """libvirtd with QEMU/TCG on qemu:///system, started once per session and stopped after."""
    require_binaries()
    work_dir = tmp_path_factory.mktemp("libvirtd")
    if _answers(SYSTEM_URI):
        yield Libvirtd(SYSTEM_URI, work_dir)
        return
    prepare_host_files()
    virtlogd_pid, libvirtd_pid = work_dir / "virtlogd.pid", work_dir / "libvirtd.pid"
    subprocess.run(["virtlogd", "-d", "--pid-file", str(virtlogd_pid)], check=True, timeout=30)
    try:
        subprocess.run(["libvirtd", "-d", "--pid-file", str(libvirtd_pid)], check=True, timeout=30)
        deadline = time.monotonic() + 20
        while not _answers(SYSTEM_URI):
            if time.monotonic() > deadline:
                raise AssertionError("libvirtd did not answer on qemu:///system within 20 s; see "
                                     "/var/log/libvirt/libvirtd.log")
            time.sleep(0.1)
        daemon = Libvirtd(SYSTEM_URI, work_dir)
        daemon.virsh("domcapabilities", "--virttype", "qemu")  # QEMU's capabilities: slow once, then cached
        yield daemon
    finally:
        if _answers(SYSTEM_URI):
            remove_everything(Libvirtd(SYSTEM_URI, work_dir))
        stop_daemon(libvirtd_pid)
        stop_daemon(virtlogd_pid)


def remove_everything(daemon: Libvirtd) -> None:
    """Destroy and undefine every domain and pool of a daemon the fixture started, so no QEMU
    process, domain or pool definition outlives the tests (even after a failed test)."""
    for name in daemon.virsh("list", "--all", "--name", check=False).split():
        daemon.virsh("destroy", name, check=False)
        daemon.virsh("undefine", name, "--snapshots-metadata", "--managed-save", check=False)
    for name in daemon.virsh("pool-list", "--all", "--name", check=False).split():
        daemon.forget_pool(name)
