"""Load balancing: one haproxy per router, its configuration regenerated from the LB rules and
reloaded (a new process taking over with -sf) only when the text changed.

Each rule is a frontend `lb-<uuid>` on the public IP and port and a backend `pool-<uuid>`.
Stickiness: LbCookie inserts a cookie, AppCookie sticks on the application's own cookie through
a stick table, SourceBased sticks on the client address. What is in effect is read back from the
running haproxy's stats socket, so a killed haproxy shows as no rule in effect.
"""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_rules import LoadBalancerRule, StickinessPolicy
from cirrostack.router._run import run
from cirrostack.router.agent import _files
from cirrostack.router.config import RouterConfig

ALGORITHMS = frozenset({"roundrobin", "leastconn", "source"})
PROTOCOLS = frozenset({"tcp", "http"})
STICKINESS_METHODS = frozenset({"LbCookie", "AppCookie", "SourceBased"})
SOCKETS_DIR = Path("/run/cirrostack/haproxy")
_UNIX_PATH_MAX = 100  # sun_path holds 108 bytes; keep a margin


def _stickiness(policy: StickinessPolicy | None) -> tuple[list[str], str]:
    """Backend lines for the policy and the suffix of each server line."""
    if policy is None:
        return [], ""
    params = dict(policy.params)
    if policy.method == "LbCookie":
        name = params.get("cookie-name") or params.get("cookiename") or "SERVERID"
        return [f"cookie {name} insert indirect nocache"], " cookie {server}"
    if policy.method == "AppCookie":
        name = params.get("cookie-name") or params.get("cookiename") or "JSESSIONID"
        length = params.get("length", "52")
        expire = params.get("holdtime", "3h")
        return [f"stick-table type string len {length} size 200k expire {expire}",
                f"stick on req.cook({name})", f"stick store-response res.cook({name})"], ""
    if policy.method == "SourceBased":
        size = params.get("tablesize", "200k")
        expire = params.get("expire", "30m")
        return [f"stick-table type ip size {size} expire {expire}", "stick on src"], ""
    raise InvalidParameter("methodname", f"stickiness method {policy.method!r} is not one of "
                                         f"{', '.join(sorted(STICKINESS_METHODS))}")


def _section(rule: LoadBalancerRule) -> list[str]:
    if rule.algorithm not in ALGORITHMS:
        raise InvalidParameter("algorithm", f"LB rule {rule.name}: {rule.algorithm!r} is not one of "
                                            f"{', '.join(sorted(ALGORITHMS))}")
    if rule.protocol not in PROTOCOLS:
        raise InvalidParameter("protocol", f"LB rule {rule.name}: the virtual router balances "
                                           f"{', '.join(sorted(PROTOCOLS))}, not {rule.protocol!r}")
    sticky_lines, server_suffix = _stickiness(rule.stickiness)
    mode = "http" if rule.protocol == "http" or server_suffix else "tcp"
    frontend = [f"frontend lb-{rule.uuid}", f"    bind {rule.public_ip}:{rule.public_port}", f"    mode {mode}"]
    if rule.source_cidrs:
        frontend.append(f"    tcp-request connection reject unless {{ src {' '.join(rule.source_cidrs)} }}")
    frontend.append(f"    default_backend pool-{rule.uuid}")
    backend = [f"backend pool-{rule.uuid}", f"    mode {mode}", f"    balance {rule.algorithm}"]
    backend += [f"    {line}" for line in sticky_lines]
    check = ""
    if rule.health_check is not None:
        health = rule.health_check
        if health.ping_path:
            backend.append(f"    option httpchk GET {health.ping_path}")
        backend.append(f"    timeout check {health.timeout_seconds}s")
        check = (f" check inter {health.interval_seconds}s rise {health.healthy_threshold}"
                 f" fall {health.unhealthy_threshold}")
    for index, member in enumerate(rule.members):
        server = f"m{index}"
        backend.append(f"    server {server} {member.ip_address}:{member.port}{check}"
                       f"{server_suffix.format(server=server)}")
    return frontend + backend


def _socket_path(directory: Path) -> Path:
    """The stats socket: in the router's directory unless that path is too long for a unix socket."""
    beside = directory / "haproxy.sock"
    if len(str(beside)) < _UNIX_PATH_MAX:
        return beside
    return SOCKETS_DIR / f"{hashlib.sha1(str(directory).encode()).hexdigest()[:20]}.sock"


class Haproxy:
    """The haproxy of one router, its files under `directory`, run in `namespace`."""

    def __init__(self, namespace: str, directory: Path) -> None:
        self.namespace = namespace
        self.directory = directory
        self.conf = directory / "haproxy.cfg"
        self.pid_file = directory / "haproxy.pid"
        self.stats_socket = _socket_path(directory)

    def render(self, config: RouterConfig) -> str:
        lines = ["global", "    daemon", "    maxconn 4096", f"    pidfile {self.pid_file}",
                 f"    stats socket {self.stats_socket} mode 600 level admin",
                 "defaults", "    mode tcp", "    timeout connect 5s", "    timeout client 50s",
                 "    timeout server 50s"]
        for rule in config.lb_rules:
            lines += _section(rule)
        return "\n".join(lines) + "\n"

    def apply(self, config: RouterConfig) -> list[str]:
        """Bring haproxy to the config's LB rules; returns what it did, [] when nothing."""
        if not config.lb_rules:
            if self.pid() is None and not self.conf.exists():
                return []
            self.stop()
            self.conf.unlink(missing_ok=True)
            return ["haproxy stopped"]
        text = self.render(config)
        self.directory.mkdir(parents=True, exist_ok=True)
        old_pid = self.pid()
        if old_pid is not None and _files.read_text(self.conf) == text:
            return []
        candidate = self.directory / "haproxy.cfg.check"
        candidate.write_text(text)
        self.stats_socket.parent.mkdir(parents=True, exist_ok=True)
        run(["haproxy", "-c", "-f", str(candidate)])
        candidate.replace(self.conf)
        takeover = ["-sf", str(old_pid)] if old_pid is not None else []
        run(["haproxy", "-D", "-f", str(self.conf), "-p", str(self.pid_file), *takeover], self.namespace)
        return ["haproxy reloaded" if old_pid is not None else "haproxy started"]

    def pid(self) -> int | None:
        """haproxy's pid when it runs."""
        return _files.running_pid(self.pid_file, str(self.directory))

    def stop(self) -> None:
        _files.stop(self.pid_file, str(self.directory))
        self.stats_socket.unlink(missing_ok=True)

    def frontends(self) -> frozenset[str]:
        """uuids of the LB rules the running haproxy serves (its frontends), from the stats socket."""
        if self.pid() is None:
            return frozenset()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(2)
                client.connect(str(self.stats_socket))
                client.sendall(b"show stat -1 1 -1\n")
                chunks = []
                while chunk := client.recv(65536):
                    chunks.append(chunk)
        except OSError:
            return frozenset()
        rows = b"".join(chunks).decode(errors="replace").splitlines()
        return frozenset(row.split(",", 1)[0].removeprefix("lb-") for row in rows
                         if row.startswith("lb-") and ",FRONTEND," in row)
