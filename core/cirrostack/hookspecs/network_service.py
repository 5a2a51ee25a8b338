"""Network service providers: who delivers firewall, NAT, load balancing, VPN, DHCP... to a network.

A provider ("VirtualRouter", "PaloAlto", "Netscaler", "JuniperContrailRouter") declares the
services it offers and the isolation methods it works with; a network offering picks a provider
per service. The core pushes each rule set as the *whole desired state* of that service for the
network (every rule that should exist, not a delta), so applying the same set twice changes
nothing and a rule left out of the set is removed.

Providers backed by an appliance (a Palo Alto firewall, a NetScaler) declare `external_device`
and the detail fields of their add-device command (url, username, password, ...); the core
validates them with `validate_device_details`, stores the secret ones encrypted and passes the
device assigned to a network with every call about that network.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs._capability import requires
from cirrostack.hookspecs._markers import hookspec
from cirrostack.hookspecs.details import DetailField
from cirrostack.hookspecs.details import validate_details as _validate_details
from cirrostack.hookspecs.network_rules import (
    AppliedConfig,
    DeviceInfo,
    DeviceRef,
    DhcpEntry,
    FirewallRule,
    LoadBalancerRule,
    NetworkAclRule,
    PortForwardingRule,
    RemoteAccessVpn,
    ServiceNetwork,
    SiteToSiteConnection,
    StaticNatRule,
    VmDataEntry,
    VpnConnectionState,
)


class NetworkService(enum.Enum):
    """A network service, spelled as CloudStack's network offerings spell it."""

    VPN = "Vpn"  # remote-access VPN
    DHCP = "Dhcp"
    DNS = "Dns"
    SOURCE_NAT = "SourceNat"
    PORT_FORWARDING = "PortForwarding"
    LB = "Lb"
    USER_DATA = "UserData"
    STATIC_NAT = "StaticNat"
    NETWORK_ACL = "NetworkACL"
    FIREWALL = "Firewall"
    GATEWAY = "Gateway"
    SECURITY_GROUP = "SecurityGroup"
    CONNECTIVITY = "Connectivity"
    S2S_VPN = "S2SVpn"  # site-to-site VPN


@dataclass(frozen=True)
class LoadBalancerCapabilities:
    """What the Lb service accepts in a rule; createLoadBalancerRule checks rules against it."""

    algorithms: frozenset[str] = frozenset({"roundrobin", "leastconn", "source"})
    """Balancing algorithms, as createLoadBalancerRule's `algorithm` spells them."""

    protocols: frozenset[str] = frozenset({"tcp", "udp"})
    """Rule protocols it balances ("tcp", "udp", "http", "ssl")."""

    ssl_termination: bool = False
    """Terminates TLS with a certificate bound by assignCertToLoadBalancer (protocol "ssl")."""

    stickiness_methods: frozenset[str] = frozenset()
    """Stickiness policy methods: "LbCookie", "AppCookie", "SourceBased"."""


@dataclass(frozen=True)
class FirewallCapabilities:
    """What the Firewall service accepts."""

    protocols: frozenset[str] = frozenset({"tcp", "udp", "icmp"})
    """Protocols a rule may name."""

    egress: bool = False
    """Applies egress rules (traffic leaving the guest network) as well as ingress ones."""


@dataclass(frozen=True)
class NetworkProviderCapabilities:
    """What a provider offers. The core refuses a call for an undeclared service before it
    reaches the provider, with a 432 naming the provider and the service."""

    services: frozenset[NetworkService] = frozenset()
    """The services the provider delivers."""

    isolation_methods: frozenset[str] = frozenset({"VLAN"})
    """Isolation methods of the networks it can serve ("VLAN", "VXLAN", "L3VPN", ...)."""

    lb: LoadBalancerCapabilities = LoadBalancerCapabilities()
    """Details of the Lb service, when `services` holds it."""

    firewall: FirewallCapabilities = FirewallCapabilities()
    """Details of the Firewall service, when `services` holds it."""

    external_device: bool = False
    """Networks are served by appliances the operator adds (addPaloAltoFirewall, ...)."""

    vpc: bool = False
    """Serves VPC tiers as well as isolated networks."""

    redundant: bool = False
    """Can run a redundant pair for one network (redundant virtual router)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for listSupportedNetworkServices and `cirro plugins list --json`."""
        return {
            "services": sorted(service.value for service in self.services),
            "isolation_methods": sorted(self.isolation_methods),
            "lb": {"algorithms": sorted(self.lb.algorithms), "protocols": sorted(self.lb.protocols),
                   "ssl_termination": self.lb.ssl_termination,
                   "stickiness_methods": sorted(self.lb.stickiness_methods)},
            "firewall": {"protocols": sorted(self.firewall.protocols), "egress": self.firewall.egress},
            "external_device": self.external_device,
            "vpc": self.vpc,
            "redundant": self.redundant,
        }


def _isolation_of(arguments: dict[str, Any]) -> str:
    return arguments["network"].isolation_method


def _has_egress(arguments: dict[str, Any]) -> bool:
    return any(rule.direction == "egress" for rule in arguments["rules"])


def _terminates_ssl(arguments: dict[str, Any]) -> bool:
    return any(rule.protocol == "ssl" or rule.certificate is not None for rule in arguments["rules"])


class NetworkServiceProvider(ABC):
    """A network service provider. Implement the abstract methods, and the `apply_*` methods of
    the services `capabilities.services` declares.

    Methods are listed in the order the core calls them: devices are added, a network is
    implemented, its rule sets are applied (again after every change), and it is shut down.
    Each `apply_*` call carries the complete set for that service; an empty set removes all.
    """

    provider_name: ClassVar[str]
    """The provider name network offerings use: "VirtualRouter", "PaloAlto", "Netscaler", ..."""

    capabilities: ClassVar[NetworkProviderCapabilities] = NetworkProviderCapabilities()

    detail_fields: ClassVar[tuple[DetailField, ...]] = ()
    """What the operator fills in when adding a device (external providers only)."""

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        """`settings` holds the current values of the settings the plugin registered."""
        self.settings: Mapping[str, Any] = dict(settings or {})

    # -- devices ---------------------------------------------------------------------------------

    @requires("external_device")
    def add_device(self, device: DeviceRef) -> DeviceInfo:
        """Reach the appliance at `device.url` with the credentials in `device.details` and report
        what it is. Changes nothing on the device; idempotent. Gated by `external_device`.
        Raises InvalidParameter("url", ...) for a URL the provider cannot use, HostUnreachable
        when the device does not answer or refuses the credentials (the message says which).
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "external_device")

    # -- network life cycle ------------------------------------------------------------------------

    @abstractmethod
    @requires("isolation_methods", member=_isolation_of)
    def implement_network(self, network: ServiceNetwork) -> None:
        """Prepare the provider to serve `network` (e.g. start its router, create the firewall
        zone and interfaces on the device). Idempotent: an implemented network is left as is.
        On failure, removes what this call created. Gated by `isolation_methods`.
        Raises HostUnreachable (device or router host not answering), ResourceAllocationFailed.
        """

    @abstractmethod
    def applied_config(self, network: ServiceNetwork) -> AppliedConfig:
        """What the provider enforces for `network` now, read back from the router or device,
        so the core can detect drift. Changes nothing. A network not implemented reports an
        empty AppliedConfig with `implemented` false. Raises HostUnreachable.
        """

    @requires("firewall.egress", when=_has_egress)
    @requires("services", member=NetworkService.FIREWALL)
    def apply_firewall_rules(self, network: ServiceNetwork, rules: Sequence[FirewallRule]) -> None:
        """Make `rules` the network's complete firewall rule set. Idempotent. Gated by the
        Firewall service, and by `firewall.egress` when a rule is an egress rule.
        Raises NetworkRuleConflict when the device refuses a rule (the message names it),
        HostUnreachable.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "Firewall in services")

    @requires("services", member=NetworkService.PORT_FORWARDING)
    def apply_port_forwarding_rules(self, network: ServiceNetwork, rules: Sequence[PortForwardingRule]) -> None:
        """Make `rules` the network's complete port forwarding set. Idempotent. Gated by the
        PortForwarding service. Raises NetworkRuleConflict, HostUnreachable.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "PortForwarding in services")

    @requires("services", member=NetworkService.STATIC_NAT)
    def apply_static_nat_rules(self, network: ServiceNetwork, rules: Sequence[StaticNatRule]) -> None:
        """Make `rules` the network's complete one-to-one NAT set. Idempotent. Gated by the
        StaticNat service. Raises NetworkRuleConflict (a public IP mapped twice), HostUnreachable.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "StaticNat in services")

    @requires("lb.ssl_termination", when=_terminates_ssl)
    @requires("services", member=NetworkService.LB)
    def apply_lb_rules(self, network: ServiceNetwork, rules: Sequence[LoadBalancerRule]) -> None:
        """Make `rules` the network's complete load-balancing set, with their members,
        stickiness policies and bound certificates. Idempotent. Gated by the Lb service, and by
        `lb.ssl_termination` for an "ssl" rule or a rule with a certificate.
        Raises NetworkRuleConflict, InvalidParameter("certificate", ...) for a certificate the
        device refuses, HostUnreachable.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "Lb in services")

    @requires("services", member=NetworkService.NETWORK_ACL)
    def apply_network_acl(self, network: ServiceNetwork, rules: Sequence[NetworkAclRule]) -> None:
        """Make `rules` the complete network ACL of the VPC tier `network` (see NetworkAclRule for how
        they match); traffic between the tier and anything else passes only as they allow.
        Idempotent. Gated by the NetworkACL service. Raises HostUnreachable.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "NetworkACL in services")

    @requires("services", member=NetworkService.VPN)
    def apply_remote_access_vpn(self, network: ServiceNetwork, vpn: RemoteAccessVpn | None) -> None:
        """Make `vpn` (server address range, pre-shared key, users) the network's remote-access
        VPN; None removes it. Idempotent. Gated by the Vpn service. Raises HostUnreachable.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "Vpn in services")

    @requires("services", member=NetworkService.S2S_VPN)
    def apply_site_to_site_vpn(self, network: ServiceNetwork,
                               connections: Sequence[SiteToSiteConnection]) -> dict[str, VpnConnectionState]:
        """Make `connections` the complete site-to-site VPN set of the network's gateway.

        Returns the state of each connection by uuid: Connected, or Disconnected for a passive
        one still waiting for its peer, or Error when it could not be applied. Idempotent.
        Gated by the S2SVpn service. Raises HostUnreachable.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "S2SVpn in services")

    @requires("services", member=NetworkService.DHCP)
    def apply_dhcp_entries(self, network: ServiceNetwork, entries: Sequence[DhcpEntry]) -> None:
        """Make `entries` the network's complete set of DHCP leases (and, with the Dns service,
        the host names it resolves). Idempotent. Gated by the Dhcp service.
        Raises HostUnreachable.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "Dhcp in services")

    @requires("services", member=NetworkService.USER_DATA)
    def apply_vm_data(self, network: ServiceNetwork, entries: Sequence[VmDataEntry]) -> None:
        """Make `entries` the complete user data, metadata and pending passwords the network's
        guests can fetch (CloudStack guests fetch them from their DHCP server's address:
        /latest/user-data, /latest/meta-data/<name>, and the password on port 8080).
        Idempotent. Gated by the UserData service. Raises HostUnreachable.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "UserData in services")

    @abstractmethod
    def shutdown_network(self, network: ServiceNetwork) -> None:
        """Remove everything the provider configured for `network` (rules, VPNs, leases, zones
        and interfaces on the device, the router). Afterwards `applied_config` reports it not
        implemented. Idempotent: shutting down a network not implemented succeeds.
        Raises HostUnreachable.
        """

    @requires("external_device")
    def remove_device(self, device: DeviceRef) -> None:
        """Forget the appliance: close connections the provider holds to it. The core only
        calls it once no network uses the device. Idempotent. Gated by `external_device`.
        """
        raise UnsupportedOperation(f"network service provider {self.provider_name}", "external_device")


def validate_device_details(provider_cls: type[NetworkServiceProvider], details: Mapping[str, Any]) -> dict[str, Any]:
    """Check the device details an operator sent against `provider_cls.detail_fields`.

    Returns them converted to the declared types. Raises InvalidParameter("details", ...) naming
    the missing, unknown or malformed field.
    """
    return _validate_details(provider_cls, details, subject=f"network service provider {provider_cls.provider_name}")


@hookspec
def register_network_providers(register: Callable[[type[NetworkServiceProvider]], None]) -> None:
    """Call `register(cls)` once for each NetworkServiceProvider subclass the plugin ships.

    Registering is cheap: no vendor SDK may be imported here. Two plugins claiming the same
    `provider_name` is a conflict: the later one is left out and reported.
    """
