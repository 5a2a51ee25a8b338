"""Network namespaces in the data-plane tests: which exist, removing one of the test's own with its
processes, and the check that this process may build them."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator

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


@contextlib.contextmanager
def owned_host_namespace(programs: Iterable[str], test: str, suffix: str) -> Iterator[list[str]]:
    """`require_data_plane`, then a new network host namespace for the test, first of the yielded list; the
    test appends its routers' namespaces. Each one still there afterwards is removed with its processes
    (never anyone else's namespace)."""
    require_data_plane(programs, test)
    owned = [f"cirro-nh-{os.getpid() % 100000}-{suffix}"]
    subprocess.run(["ip", "netns", "add", owned[0]], check=True)
    try:
        yield owned
    finally:
        for name in reversed(owned):
            if name in namespaces():
                remove_namespace(name)
