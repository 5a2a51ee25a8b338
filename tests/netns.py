"""Network namespaces in the data-plane tests: which exist, removing one of the test's own with its
processes, and the check that this process may build them."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable

import pytest


def namespaces() -> set[str]:
    """The names of the network namespaces that exist now."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    return {line.split()[0] for line in listed.splitlines() if line.strip()}


def remove_namespace(name: str) -> None:
    """Kill every process in namespace `name`, then delete it (no error when it is gone already)."""
    pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True, check=False).stdout.split()
    for pid in pids:
        subprocess.run(["kill", "-9", pid], check=False)
    subprocess.run(["ip", "netns", "del", name], check=False)


def require_data_plane(programs: Iterable[str], test: str) -> None:
    """Fail (with CI=true) or skip `test` unless it runs as root and finds every one of `programs`."""
    missing = [program for program in programs if shutil.which(program) is None]
    reason = "needs root" if os.geteuid() != 0 else f"needs {', '.join(missing)}" if missing else ""
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{test} {reason} (CI=true)")
        pytest.skip(f"{test} {reason}")
