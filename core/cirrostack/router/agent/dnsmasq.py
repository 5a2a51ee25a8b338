"""DHCP and DNS of the guest network: one dnsmasq per router, ONE hosts file for its static leases
and ONE addn-hosts file for the names it resolves; a changed lease set is a SIGHUP, not a restart.

dnsmasq re-reads `dhcp-hostsfile` and `addn-hosts` on SIGHUP; only a change of its own
configuration (domain, range, upstream servers) restarts it.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from cirrostack.hookspecs.network_rules import DhcpEntry
from cirrostack.router._run import run
from cirrostack.router.agent import _files
from cirrostack.router.agent.iptables import GUEST_DEVICE
from cirrostack.router.config import RouterConfig

NO_GATEWAY_TAG = "nogw"


class Dnsmasq:
    """The dnsmasq of one router, its files under `directory`, run in `namespace`, serving the guests behind
    `interface` (a VPC router runs one per tier, each on its tier's interface)."""

    def __init__(self, namespace: str, directory: Path, interface: str = GUEST_DEVICE) -> None:
        self.namespace = namespace
        self.directory = directory
        self.interface = interface
        self.conf = directory / "dnsmasq.conf"
        self.dhcp_hosts = directory / "dhcp-hosts"
        self.dns_hosts = directory / "dns-hosts"
        self.pid_file = directory / "dnsmasq.pid"

    def render_conf(self, config: RouterConfig) -> str:
        network = config.network
        guest = ipaddress.ip_network(network.cidr, strict=False)
        # user=root: the router's files sit under the state directory, which only root may traverse
        # (dnsmasq re-reads its hosts files on SIGHUP after it would have dropped to its own user).
        lines = ["user=root", f"interface={self.interface}", "bind-interfaces", "except-interface=lo", "no-hosts",
                 "no-resolv", "dhcp-authoritative", "no-ping",
                 f"dhcp-range=set:guest,{guest.network_address},static,{guest.netmask},{config.dhcp_lease_seconds}",
                 f"dhcp-option=tag:guest,option:router,{network.gateway}",
                 f"dhcp-option=tag:{NO_GATEWAY_TAG},option:router",
                 f"dhcp-option=option:dns-server,{network.gateway}",
                 f"dhcp-hostsfile={self.dhcp_hosts}", f"addn-hosts={self.dns_hosts}",
                 f"dhcp-leasefile={self.directory / 'leases'}", f"pid-file={self.pid_file}",
                 f"log-facility={self.directory / 'dnsmasq.log'}"]
        if network.network_domain:
            lines += [f"domain={network.network_domain}", f"local=/{network.network_domain}/"]
        lines += [f"server={server}" for server in network.dns_servers]
        return "\n".join(lines) + "\n"

    @staticmethod
    def render_dhcp_hosts(entries: tuple[DhcpEntry, ...]) -> str:
        lines = []
        for entry in entries:
            tag = "" if entry.default_gateway else f"set:{NO_GATEWAY_TAG},"
            lines.append(f"{entry.mac_address},{tag}{entry.ip_address},{entry.hostname}")
        return "\n".join(lines) + ("\n" if lines else "")

    @staticmethod
    def render_dns_hosts(config: RouterConfig) -> str:
        domain = config.network.network_domain
        lines = [f"{entry.ip_address} {entry.hostname}.{domain} {entry.hostname}" if domain
                 else f"{entry.ip_address} {entry.hostname}" for entry in config.dhcp_entries if entry.hostname]
        return "\n".join(lines) + ("\n" if lines else "")

    def apply(self, config: RouterConfig) -> list[str]:
        """Bring dnsmasq to `config`; returns what it did ("dnsmasq started", ...), [] when nothing."""
        self.directory.mkdir(parents=True, exist_ok=True)
        hosts_changed = _files.write_if_changed(self.dhcp_hosts, self.render_dhcp_hosts(config.dhcp_entries))
        hosts_changed |= _files.write_if_changed(self.dns_hosts, self.render_dns_hosts(config))
        conf_changed = _files.write_if_changed(self.conf, self.render_conf(config))
        running = self.pid() is not None
        if running and not conf_changed:
            if hosts_changed:
                _files.reload(self.pid_file, str(self.directory))
                return ["dnsmasq reloaded"]
            return []
        if running:
            self.stop()
        run(["dnsmasq", f"--conf-file={self.conf}"], self.namespace)
        return ["dnsmasq restarted" if running else "dnsmasq started"]

    def pid(self) -> int | None:
        """dnsmasq's pid when it runs."""
        return _files.running_pid(self.pid_file, str(self.directory))

    def stop(self) -> None:
        _files.stop(self.pid_file, str(self.directory))

    def read_entries(self) -> frozenset[DhcpEntry]:
        """The static leases dnsmasq serves, read from its hosts file."""
        entries = []
        for line in _files.read_text(self.dhcp_hosts).splitlines():
            fields = line.strip().split(",")
            if len(fields) < 3:
                continue
            default_gateway = f"set:{NO_GATEWAY_TAG}" not in fields
            mac, address, hostname = [field for field in fields if not field.startswith("set:")][:3]
            entries.append(DhcpEntry(mac, address, hostname, default_gateway))
        return frozenset(entries)
