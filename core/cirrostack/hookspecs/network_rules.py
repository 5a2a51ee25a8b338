"""The data a network service provider receives: the network, its device, and rule sets.

All values are plain frozen data built by the core from its database; secrets (device passwords,
private keys, pre-shared keys, VPN user passwords) arrive decrypted for the duration of a call
and are kept out of `repr` so that they never reach a log line.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DeviceRef:
    """An appliance the operator added (addPaloAltoFirewall, addNetscalerLoadBalancer, ...).

    `details` holds the validated detail fields, secret ones decrypted.
    """

    uuid: str
    name: str
    url: str
    details: Mapping[str, object] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class DeviceInfo:
    """What an appliance reports about itself when it is added."""

    model: str
    version: str
    capacity: int = 0  # networks it can serve; 0: no limit known


@dataclass(frozen=True)
class ServiceNetwork:
    """The guest network (or VPC tier) a provider serves, and the device assigned to it."""

    uuid: str
    name: str
    cidr: str
    gateway: str
    broadcast_uri: str
    isolation_method: str = "VLAN"
    source_nat_ip: str = ""
    vpc_uuid: str = ""
    device: DeviceRef | None = None
    network_domain: str = ""  # DNS suffix the network's DHCP/DNS hands out, e.g. "cs1cloud.internal"
    dns_servers: tuple[str, ...] = ()  # upstream resolvers of the zone, for names outside the network
    public_netmask: str = ""  # of the source NAT IP's public range
    public_gateway: str = ""  # of the source NAT IP's public range
    public_broadcast_uri: str = ""  # "vlan://untagged" or "vlan://<public VLAN>"
    public_ips: tuple[str, ...] = ()  # every public IP the network holds (source NAT, static NAT, rules)
    egress_default_allow: bool = True  # the offering's egressdefaultpolicy: True lets egress out unless an
    # egress rule denies it (egress rules are then deny rules); False drops it unless an egress rule allows it


@dataclass(frozen=True)
class NetworkAclRule:
    """One item of a VPC tier's network ACL list, matched in ascending `number` order: ingress items match
    traffic entering the tier from `cidrs` (sources), egress items traffic leaving it to `cidrs`
    (destinations). Unmatched ingress is dropped; unmatched egress is dropped once the list has an egress
    item, and let through while it has none (CloudStack 4.3's VPC router)."""

    uuid: str
    number: int
    protocol: str  # "tcp", "udp", "icmp", "all"
    cidrs: tuple[str, ...] = ("0.0.0.0/0",)
    start_port: int | None = None
    end_port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    traffic_type: str = "ingress"  # or "egress"
    action: str = "allow"  # or "deny"


@dataclass(frozen=True)
class FirewallRule:
    """Allow traffic: ingress to `public_ip` from `cidrs`, or egress from the network to `cidrs`."""

    uuid: str
    protocol: str  # "tcp", "udp", "icmp", "all"
    cidrs: tuple[str, ...] = ("0.0.0.0/0",)
    start_port: int | None = None
    end_port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    direction: str = "ingress"  # or "egress"
    public_ip: str = ""  # ingress rules only


@dataclass(frozen=True)
class PortForwardingRule:
    """Forward `public_ip`:public ports to `private_ip`:private ports."""

    uuid: str
    protocol: str  # "tcp" or "udp"
    public_ip: str
    public_start_port: int
    public_end_port: int
    private_ip: str
    private_start_port: int
    private_end_port: int


@dataclass(frozen=True)
class StaticNatRule:
    """One-to-one NAT between a public IP and a guest VM's IP."""

    public_ip: str
    private_ip: str


@dataclass(frozen=True)
class LoadBalancerMember:
    ip_address: str
    port: int


@dataclass(frozen=True)
class StickinessPolicy:
    method: str  # "LbCookie", "AppCookie", "SourceBased"
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HealthCheckPolicy:
    """createLBHealthCheckPolicy: how the balancer probes members. `ping_path` "" means a TCP
    connect check; otherwise an HTTP GET of that path must answer 2xx/3xx."""

    ping_path: str = ""
    interval_seconds: int = 5
    timeout_seconds: int = 2
    healthy_threshold: int = 2
    unhealthy_threshold: int = 3


@dataclass(frozen=True)
class SslCertificate:
    """A certificate bound to an "ssl" rule by assignCertToLoadBalancer."""

    uuid: str
    certificate: str  # PEM
    private_key: str = field(repr=False)  # PEM, decrypted
    chain: str = ""
    passphrase: str = field(default="", repr=False)


@dataclass(frozen=True)
class LoadBalancerRule:
    uuid: str
    name: str
    public_ip: str
    public_port: int
    private_port: int
    protocol: str = "tcp"  # "tcp", "udp", "http", "ssl"
    algorithm: str = "roundrobin"
    members: tuple[LoadBalancerMember, ...] = ()
    stickiness: StickinessPolicy | None = None
    certificate: SslCertificate | None = None
    health_check: HealthCheckPolicy | None = None
    source_cidrs: tuple[str, ...] = ()  # clients allowed to reach the rule; () means everyone


@dataclass(frozen=True)
class VpnUser:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class RemoteAccessVpn:
    """The L2TP/IPsec server on `public_ip`: clients get addresses from `ip_range`."""

    public_ip: str
    server_ip: str  # the first address of the range, kept by the server
    ip_range: str  # "10.1.2.2-10.1.2.8"
    preshared_key: str = field(repr=False)
    users: tuple[VpnUser, ...] = ()


@dataclass(frozen=True)
class SiteToSiteConnection:
    """An IPsec tunnel from the network's VPN gateway to a customer gateway."""

    uuid: str
    local_public_ip: str
    peer_gateway: str
    peer_cidrs: tuple[str, ...]
    ipsec_psk: str = field(repr=False)
    ike_policy: str = "aes128-sha1;modp1536"
    esp_policy: str = "aes128-sha1"
    ike_lifetime: int = 86400
    esp_lifetime: int = 3600
    dpd: bool = False
    passive: bool = False


class VpnConnectionState(enum.Enum):
    PENDING = "Pending"
    CONNECTED = "Connected"
    DISCONNECTED = "Disconnected"
    ERROR = "Error"


@dataclass(frozen=True)
class DhcpEntry:
    """A static DHCP lease; `hostname` is also served by DNS when the provider offers Dns."""

    mac_address: str
    ip_address: str
    hostname: str
    default_gateway: bool = True


@dataclass(frozen=True)
class VmDataEntry:
    """What a guest fetches from its router (the UserData service): its user data, its metadata
    (CloudStack's names: "service-offering", "availability-zone", "local-ipv4", "local-hostname",
    "public-ipv4", "public-hostname", "instance-id", "vm-id", "public-keys", "cloud-identifier")
    and, once, a password that was reset. Served to the guest at `ip_address` only."""

    ip_address: str
    mac_address: str
    userdata: bytes = field(default=b"", repr=False)
    metadata: Mapping[str, str] = field(default_factory=dict)
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class AppliedConfig:
    """What a provider enforces for one network, as read back from the router or device.

    Rule sets are compared as sets: the order a device keeps them in does not matter.
    """

    implemented: bool
    firewall_rules: frozenset[FirewallRule] = frozenset()
    port_forwarding_rules: frozenset[PortForwardingRule] = frozenset()
    static_nat_rules: frozenset[StaticNatRule] = frozenset()
    lb_rules: frozenset[str] = frozenset()  # uuids of the LB rules in effect
    remote_access_vpn_ip: str = ""  # public IP of the VPN server, "" when none
    vpn_users: frozenset[str] = frozenset()
    s2s_connections: frozenset[str] = frozenset()  # uuids
    dhcp_entries: frozenset[DhcpEntry] = frozenset()
    vm_data_ips: frozenset[str] = frozenset()  # guest IPs the router serves user data to
    problems: tuple[str, ...] = ()  # what is broken now, e.g. "dnsmasq is not running"; () when healthy
