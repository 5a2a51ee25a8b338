"""A throwaway Samba `smbd` on a loopback port, for the SMB image store tests.

`smbd_server` starts one smbd per test session as root, with its own smb.conf, private, state,
cache and lock directories under a temporary folder, and one smbpasswd user (SMB_USER, mapped to
the unix user `nobody`) that may read and write the shares `images` and `images2` (files are
written as root: pytest's temporary folders are private to root). Without root or smbd the tests
skip, except with CI=true, where they fail. The server is stopped afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SMB_USER = "cirro"
SMB_PASSWORD = "Sh4re-Secret"
SMB_DOMAIN = "CLOUD"
SHARES = ("images", "images2")
READY_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class SmbdServer:
    port: int
    root: Path

    def url(self, share: str, folder: str = "") -> str:
        """The addImageStore URL of `share` (with this server's port)."""
        return f"cifs://127.0.0.1:{self.port}/{share}" + (f"/{folder}" if folder else "")

    def share_dir(self, share: str) -> Path:
        return self.root / "shares" / share

    def details(self, password: str = SMB_PASSWORD) -> dict[str, str]:
        return {"user": SMB_USER, "password": password, "domain": SMB_DOMAIN}


def _component_missing(what: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required when CI=true (install samba; run the tests as root)")
    pytest.skip(f"{what} not available")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(root: Path, port: int) -> str:
    dirs = {name: root / name for name in ("private", "state", "cache", "lock", "pid", "ncalrpc", "log")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    lines = ["[global]", "  workgroup = CLOUD", "  server role = standalone server", f"  smb ports = {port}",
             "  interfaces = lo", "  bind interfaces only = yes", "  server min protocol = SMB2_10",
             f"  passdb backend = tdbsam:{dirs['private']}/passdb.tdb", f"  username map = {root}/users.map",
             f"  log file = {dirs['log']}/smbd.log", "  load printers = no", "  printing = bsd",
             "  printcap name = /dev/null", "  disable spoolss = yes"]
    lines += [f"  {name} directory = {dirs[name]}" for name in ("state", "cache", "lock", "pid")]
    lines += [f"  private dir = {dirs['private']}", f"  ncalrpc dir = {dirs['ncalrpc']}"]
    for share in SHARES:
        folder = root / "shares" / share
        folder.mkdir(parents=True)
        folder.chmod(0o777)
        lines += [f"[{share}]", f"  path = {folder}", "  read only = no", "  valid users = nobody",
                  "  force user = root"]
    (root / "users.map").write_text(f"nobody = {SMB_USER}\n")
    return "\n".join(lines) + "\n"


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"smbd exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"smbd did not listen on port {port} within {READY_TIMEOUT_S}s")


@pytest.fixture(scope="session")
def smbd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmbdServer]:
    """One smbd for the session; see the module docstring."""
    smbd = shutil.which("smbd") or ("/usr/sbin/smbd" if Path("/usr/sbin/smbd").exists() else None)
    smbpasswd = shutil.which("smbpasswd")
    if smbd is None or smbpasswd is None:
        _component_missing("Samba (smbd, smbpasswd)")
    if os.geteuid() != 0:
        _component_missing("root (smbd serves the test shares as root)")
    root = tmp_path_factory.mktemp("smbd")
    root.chmod(0o755)
    port = _free_port()
    conf = root / "smb.conf"
    conf.write_text(_config(root, port))
    subprocess.run([smbpasswd, "-c", str(conf), "-a", "-s", "nobody"], input=f"{SMB_PASSWORD}\n{SMB_PASSWORD}\n",
                   text=True, check=True, capture_output=True, timeout=30)
    log = root / "smbd.out"
    with log.open("wb") as out:
        process = subprocess.Popen([smbd, "--foreground", "--no-process-group", "-s", str(conf)], stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, process, log)
        yield SmbdServer(port, root)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
