"""The router agent: applies a whole RouterConfig to one router at once, and reads it back.

It owns the router's directory and the daemons and tables inside the router's namespace; the
namespace itself and its interfaces are the backend's. `apply` is idempotent: with nothing
changed it restarts no process and rewrites no file (each part compares before it acts).
"""

from __future__ import annotations

from pathlib import Path

from cirrostack.hookspecs.network_rules import AppliedConfig
from cirrostack.router._run import run
from cirrostack.router.agent import _files, iptables
from cirrostack.router.agent.dnsmasq import Dnsmasq
from cirrostack.router.agent.haproxy import Haproxy
from cirrostack.router.agent.vm_data import VmDataServer
from cirrostack.router.config import RouterConfig


class RouterAgent:
    """Applies configs to the router whose namespace is `namespace` and whose files are in `directory`."""

    def __init__(self, namespace: str, directory: Path) -> None:
        self.namespace = namespace
        self.directory = directory
        self.rules_file = directory / "iptables.rules"
        self.dnsmasq = Dnsmasq(namespace, directory / "dnsmasq")
        self.haproxy = Haproxy(namespace, directory / "haproxy")
        self.vm_data = VmDataServer(namespace, directory)

    def kernel_rules(self) -> iptables.KernelRules:
        """The rules the router's kernel holds now (iptables-save of its namespace)."""
        return iptables.parse(run(["iptables-save"], self.namespace).stdout)

    def apply_rules(self, config: RouterConfig) -> list[str]:
        """Load the complete nat and filter tables as one iptables-restore batch, unless the kernel
        already holds exactly them."""
        text = iptables.render(config)
        if _files.read_text(self.rules_file) == text and self.kernel_rules() == iptables.parse(text):
            return []
        run(["iptables-restore"], self.namespace, stdin=text)
        _files.write_if_changed(self.rules_file, text, 0o600)
        return ["iptables rules loaded"]

    def apply(self, config: RouterConfig) -> list[str]:
        """Make the router enforce `config`: rules, DHCP/DNS, load balancer, user data.

        Returns what was done ("dnsmasq reloaded", ...); an empty list means nothing changed.
        Raises ResourceAllocationFailed naming the command that failed, InvalidParameter for an
        LB rule haproxy cannot serve.
        """
        self.haproxy.render(config)  # refuses an LB rule haproxy cannot serve before anything changes
        self.directory.mkdir(parents=True, exist_ok=True)
        done = self.apply_rules(config)
        done += self.dnsmasq.apply(config)
        done += self.haproxy.apply(config)
        done += self.vm_data.apply(config)
        return done

    def problems(self, config: RouterConfig) -> list[str]:
        """What is broken now: a daemon the config needs that is not running."""
        found = []
        if self.dnsmasq.pid() is None:
            found.append("dnsmasq is not running")
        if config.lb_rules and self.haproxy.pid() is None:
            found.append("haproxy is not running")
        if config.vm_data and self.vm_data.pid() is None:
            found.append("the user data server is not running")
        return found

    def read(self, config: RouterConfig) -> AppliedConfig:
        """What the router enforces now, read from its kernel, its daemons and its files.

        Rules that match `config` are reported as the config's own objects; a rule changed by
        hand shows as the kernel holds it, and one deleted by hand is missing.
        """
        kernel = self.kernel_rules()
        expected = iptables.parse(iptables.render(config))
        firewall = _as_desired(kernel.firewall_rules, expected.firewall_rules, config.firewall_rules)
        forwarding = _as_desired(kernel.port_forwarding_rules, expected.port_forwarding_rules,
                                 config.port_forwarding_rules)
        problems = self.problems(config)
        if kernel != expected:
            problems.append("the router's iptables rules differ from its configuration")
        return AppliedConfig(
            implemented=True,
            firewall_rules=firewall,
            port_forwarding_rules=forwarding,
            static_nat_rules=kernel.static_nat_rules,
            lb_rules=self.haproxy.frontends(),
            dhcp_entries=self.dnsmasq.read_entries(),
            vm_data_ips=self.vm_data.guest_addresses(),
            problems=tuple(problems),
        )

    def stop(self) -> None:
        """Stop every daemon of the router (the namespace and its tables go with the backend)."""
        self.vm_data.stop()
        self.haproxy.stop()
        self.dnsmasq.stop()


def _as_desired(found: frozenset, canonical: frozenset, desired: tuple) -> frozenset:
    by_uuid = {rule.uuid: rule for rule in desired}
    matching = {rule.uuid for rule in canonical if rule in found}
    return frozenset(by_uuid[rule.uuid] if rule.uuid in matching else rule for rule in found)
