"""User data, metadata and passwords: files per guest under the router's directory, served by
`vm_data_server` in the router's namespace on the guest gateway address."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from cirrostack.hookspecs.network_rules import VmDataEntry
from cirrostack.router._run import run
from cirrostack.router.agent import _files
from cirrostack.router.config import RouterConfig


def _safe_name(name: str) -> bool:
    return bool(name) and "/" not in name and not name.startswith(".")


class VmDataServer:
    """The user data files of one router and the process serving them."""

    def __init__(self, namespace: str, directory: Path) -> None:
        self.namespace = namespace
        self.directory = directory
        self.data = directory / "vmdata"
        self.pid_file = directory / "vmdata.pid"

    def _write_entry(self, entry: VmDataEntry) -> bool:
        guest = self.data / entry.ip_address
        changed = _files.write_if_changed(guest / "user-data", entry.userdata, 0o600)
        changed |= _files.write_if_changed(guest / "mac", entry.mac_address + "\n", 0o600)
        wanted = {name: value for name, value in entry.metadata.items() if _safe_name(name)}
        for name, value in wanted.items():
            changed |= _files.write_if_changed(guest / "meta-data" / name, value, 0o600)
        for stale in (guest / "meta-data").glob("*"):
            if stale.name not in wanted:
                stale.unlink()
                changed = True
        pending, delivered = guest / "password", guest / "password.saved"
        if not entry.password:
            for path in (pending, delivered):
                if path.exists():
                    path.unlink()
                    changed = True
        elif _files.read_text(delivered) != entry.password:  # a delivered password is not offered again
            changed |= _files.write_if_changed(pending, entry.password, 0o600)
        return changed

    def apply(self, config: RouterConfig) -> list[str]:
        """Write every guest's files, remove those of guests no longer listed, run the server
        while there is something to serve. Returns what it did, [] when nothing changed."""
        done: list[str] = []
        if config.vm_data:
            self.data.mkdir(parents=True, exist_ok=True)
            self.data.chmod(0o700)
        wanted = {entry.ip_address for entry in config.vm_data}
        changed = False
        for entry in config.vm_data:
            changed |= self._write_entry(entry)
        for stale in (self.data.glob("*") if self.data.exists() else ()):
            if stale.name not in wanted:
                shutil.rmtree(stale)
                changed = True
        if changed:
            done.append("user data written")
        running = self.pid() is not None
        if config.vm_data and not running:
            run([sys.executable, "-m", "cirrostack.router.agent.vm_data_server", "--directory", str(self.data),
                 "--address", config.network.gateway, "--pid-file", str(self.pid_file)], self.namespace)
            done.append("user data server started")
        elif not config.vm_data and running:
            self.stop()
            done.append("user data server stopped")
        return done

    def pid(self) -> int | None:
        """The server's pid when it runs."""
        return _files.running_pid(self.pid_file, str(self.data))

    def stop(self) -> None:
        _files.stop(self.pid_file, str(self.data))

    def guest_addresses(self) -> frozenset[str]:
        """The guest addresses the router has user data for, read from its files."""
        if not self.data.exists():
            return frozenset()
        return frozenset(entry.name for entry in self.data.iterdir() if entry.is_dir())
