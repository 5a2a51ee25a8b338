"""Files and processes of one router: written only when their content changes, and the pid files
of the daemons the agent runs (dnsmasq, haproxy, the user data server)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def write_if_changed(path: Path, content: str | bytes, mode: int = 0o644) -> bool:
    """Make `path` hold `content`; returns whether it had to be written.

    An unchanged file is not touched (its inode and modification time stay), so a re-apply of
    the same config rewrites nothing. A changed one is replaced atomically (write, then rename).
    """
    data = content.encode() if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    os.replace(partial, path)
    return True


def read_text(path: Path) -> str:
    """The file's text, or "" when it does not exist."""
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def running_pid(pid_file: Path, marker: str) -> int | None:
    """The pid in `pid_file` when that process is alive and its command line mentions `marker`
    (the router's directory), so a recycled pid is never taken for the router's daemon."""
    text = read_text(pid_file).strip()
    if not text.isdigit():
        return None
    try:
        cmdline = Path(f"/proc/{text}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        state = Path(f"/proc/{text}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return int(text) if marker in cmdline and state != "Z" else None


def stop(pid_file: Path, marker: str, timeout: float = 3.0) -> None:
    """Stop the daemon `pid_file` names (SIGTERM, then SIGKILL after `timeout`) and remove the file."""
    pid = running_pid(pid_file, marker)
    if pid is not None:
        _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while running_pid(pid_file, marker) is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        if running_pid(pid_file, marker) is not None:
            _signal(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def reload(pid_file: Path, marker: str) -> bool:
    """Send SIGHUP to the daemon; returns False when it is not running."""
    pid = running_pid(pid_file, marker)
    if pid is None:
        return False
    _signal(pid, signal.SIGHUP)
    return True


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
