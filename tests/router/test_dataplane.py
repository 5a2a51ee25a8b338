"""The virtual router forwarding real packets: namespace guests on the guest bridge, a client
namespace on the public bridge, the provider driven directly through its contract."""

from __future__ import annotations

from cirrostack.hookspecs.network_rules import (
    FirewallRule,
    HealthCheckPolicy,
    LoadBalancerMember,
    LoadBalancerRule,
    PortForwardingRule,
    ServiceNetwork,
    StaticNatRule,
    StickinessPolicy,
    VmDataEntry,
)
from cirrostack.router.provider import VirtualRouter
from tests.router.conftest import (
    PUBLIC_GATEWAY,
    SOURCE_NAT_IP,
    Guests,
    HttpServers,
    dhcp_entry,
    fetch,
    guest_address,
    sh,
    wait_for,
)

MAC_1, IP_1 = "02:00:0a:15:00:0b", "10.21.0.11"
MAC_2, IP_2 = "02:00:0a:15:00:0c", "10.21.0.12"


def _two_guests(router: VirtualRouter, network: ServiceNetwork, guests: Guests) -> tuple[str, str]:
    router.apply_dhcp_entries(network, [dhcp_entry(MAC_1, IP_1, "web-one"), dhcp_entry(MAC_2, IP_2, "web-two")])
    one, two = guests.start(network, MAC_1, IP_1), guests.start(network, MAC_2, IP_2)
    for namespace, address in ((one, IP_1), (two, IP_2)):
        wait_for(lambda ns=namespace, ip=address: guest_address(ns) == ip, f"the lease of {address} in {namespace}")
    return one, two


def _open(public_port: int, uuid: str, cidrs: tuple[str, ...] = ("0.0.0.0/0",)) -> FirewallRule:
    return FirewallRule(uuid, "tcp", cidrs, public_port, public_port, public_ip=SOURCE_NAT_IP)


def test_guests_take_their_static_lease_and_resolve_each_other_by_name(
        router: VirtualRouter, router_network: ServiceNetwork, guests: Guests) -> None:
    one, two = _two_guests(router, router_network, guests)
    resolv = sh("cat", f"/run/cirrostack/guests/{one}/resolv.conf").stdout
    assert "search cs1.test" in resolv and f"nameserver {router_network.gateway}" in resolv, resolv
    answer = sh("dig", "+short", f"@{router_network.gateway}", "web-two.cs1.test", namespace=one).stdout.split()
    assert answer == [IP_2]
    assert sh("dig", "+short", f"@{router_network.gateway}", "web-one", namespace=two).stdout.split() == [IP_1]
    route = sh("ip", "-4", "route", "show", "default", namespace=one).stdout
    assert f"via {router_network.gateway}" in route, f"the lease gave no default route via the router: {route!r}"


def test_port_forwarding_and_load_balancing_reach_the_guests_from_outside(
        router: VirtualRouter, router_network: ServiceNetwork, guests: Guests, client: str,
        http_servers: HttpServers) -> None:
    one, two = _two_guests(router, router_network, guests)
    http_servers.serve(one, IP_1, 80, "guest one")
    http_servers.serve(two, IP_2, 80, "guest two")
    router.apply_port_forwarding_rules(router_network, [
        PortForwardingRule("pf-one", "tcp", SOURCE_NAT_IP, 8080, 8080, IP_1, 80, 80)])
    members = (LoadBalancerMember(IP_1, 80), LoadBalancerMember(IP_2, 80))
    router.apply_lb_rules(router_network, [LoadBalancerRule("lb-web", "web", SOURCE_NAT_IP, 80, 80, members=members)])
    assert fetch(client, f"http://{SOURCE_NAT_IP}:8080/") == "", "a port without a firewall rule must stay closed"
    router.apply_firewall_rules(router_network, [_open(8080, "fw-pf"), _open(80, "fw-lb")])
    assert fetch(client, f"http://{SOURCE_NAT_IP}:8080/") == "guest one"
    answers = {fetch(client, f"http://{SOURCE_NAT_IP}/") for _ in range(4)}
    assert answers == {"guest one", "guest two"}, f"round robin over both members answered {answers}"


def test_removing_the_firewall_rule_closes_the_port(router: VirtualRouter, router_network: ServiceNetwork,
                                                    guests: Guests, client: str, http_servers: HttpServers) -> None:
    one, _two = _two_guests(router, router_network, guests)
    http_servers.serve(one, IP_1, 80, "guest one")
    router.apply_port_forwarding_rules(router_network, [
        PortForwardingRule("pf-one", "tcp", SOURCE_NAT_IP, 8080, 8080, IP_1, 80, 80)])
    router.apply_firewall_rules(router_network, [_open(8080, "fw-pf")])
    assert fetch(client, f"http://{SOURCE_NAT_IP}:8080/") == "guest one"
    router.apply_firewall_rules(router_network, [])
    assert fetch(client, f"http://{SOURCE_NAT_IP}:8080/", timeout=1) == ""
    router.apply_firewall_rules(router_network, [_open(8080, "fw-pf", ("10.99.0.0/16",))])
    assert fetch(client, f"http://{SOURCE_NAT_IP}:8080/", timeout=1) == "", "the client is outside the rule's CIDR"


def test_guest_egress_is_source_nated_to_the_public_ip(router: VirtualRouter, router_network: ServiceNetwork,
                                                       guests: Guests, client: str,
                                                       http_servers: HttpServers) -> None:
    one, _two = _two_guests(router, router_network, guests)
    http_servers.echo_client_address(client, PUBLIC_GATEWAY, 9000)
    assert fetch(one, f"http://{PUBLIC_GATEWAY}:9000/") == SOURCE_NAT_IP
    router.apply_static_nat_rules(router_network, [StaticNatRule("10.22.0.20", IP_1)])
    assert fetch(one, f"http://{PUBLIC_GATEWAY}:9000/") == "10.22.0.20", "static NAT egress leaves as its public IP"


def test_egress_rules_follow_the_default_policy(router: VirtualRouter, router_network: ServiceNetwork,
                                                guests: Guests, client: str, http_servers: HttpServers) -> None:
    one, _two = _two_guests(router, router_network, guests)
    http_servers.echo_client_address(client, PUBLIC_GATEWAY, 9000)
    deny_web = FirewallRule("eg-web", "tcp", (f"{PUBLIC_GATEWAY}/32",), 9000, 9000, direction="egress")
    router.apply_firewall_rules(router_network, [deny_web])
    assert fetch(one, f"http://{PUBLIC_GATEWAY}:9000/", timeout=1) == "", "with default allow, a rule denies"
    closed = router_network.__class__(**{**router_network.__dict__, "egress_default_allow": False})
    router.apply_firewall_rules(closed, [])
    assert fetch(one, f"http://{PUBLIC_GATEWAY}:9000/", timeout=1) == "", "with default deny, nothing leaves"
    router.apply_firewall_rules(closed, [deny_web])
    assert fetch(one, f"http://{PUBLIC_GATEWAY}:9000/") == SOURCE_NAT_IP, "with default deny, a rule allows"


def test_guest_fetches_its_user_data_metadata_and_password_from_the_router(
        router: VirtualRouter, router_network: ServiceNetwork, guests: Guests) -> None:
    one, two = _two_guests(router, router_network, guests)
    gateway = router_network.gateway
    router.apply_vm_data(router_network, [
        VmDataEntry(IP_1, MAC_1, b"#cloud-config\nhostname: web-one\n", {"instance-id": "i-9-1-VM"}, "pa55"),
        VmDataEntry(IP_2, MAC_2, b"two", {"instance-id": "i-9-2-VM"})])
    assert fetch(one, f"http://{gateway}/latest/user-data") == "#cloud-config\nhostname: web-one\n"
    assert fetch(one, f"http://{gateway}/latest/meta-data/instance-id") == "i-9-1-VM"
    assert fetch(two, f"http://{gateway}/latest/instance-id") == "i-9-2-VM", "each guest gets its own data"
    ask = "DomU_Request: send_my_password"
    assert fetch(one, f"http://{gateway}:8080/", ask) == "pa55"
    assert fetch(one, f"http://{gateway}:8080/", "DomU_Request: saved_password") == "saved_password"
    assert fetch(one, f"http://{gateway}:8080/", ask) == "saved_password", "a delivered password is not offered again"
    assert fetch(two, f"http://{gateway}:8080/", ask) == "saved_password"
    assert router.applied_config(router_network).vm_data_ips == frozenset({IP_1, IP_2})


def test_source_stickiness_and_health_checks_steer_the_load_balancer(
        router: VirtualRouter, router_network: ServiceNetwork, guests: Guests, client: str,
        http_servers: HttpServers) -> None:
    one, two = _two_guests(router, router_network, guests)
    http_servers.serve(one, IP_1, 80, "guest one")
    http_servers.serve(two, IP_2, 80, "guest two")
    members = (LoadBalancerMember(IP_1, 80), LoadBalancerMember(IP_2, 80))
    sticky = LoadBalancerRule("lb-sticky", "sticky", SOURCE_NAT_IP, 80, 80, members=members,
                              stickiness=StickinessPolicy("SourceBased"))
    checked = LoadBalancerRule("lb-checked", "checked", SOURCE_NAT_IP, 81, 81,
                               members=(LoadBalancerMember(IP_1, 80), LoadBalancerMember(IP_2, 81)),
                               health_check=HealthCheckPolicy("/", 1, 1, 1, 1))
    router.apply_lb_rules(router_network, [sticky, checked])
    router.apply_firewall_rules(router_network, [_open(80, "fw-80"), _open(81, "fw-81")])
    answers = [fetch(client, f"http://{SOURCE_NAT_IP}/") for _ in range(4)]
    assert len(set(answers)) == 1 and answers[0] in ("guest one", "guest two"), f"not sticky: {answers}"
    # guest two serves nothing on 81: its health check fails and only guest one is left
    wait_for(lambda: {fetch(client, f"http://{SOURCE_NAT_IP}:81/") for _ in range(4)} == {"guest one"},
             "the failing member to leave the rotation")
    assert router.applied_config(router_network).lb_rules == frozenset({"lb-sticky", "lb-checked"})
