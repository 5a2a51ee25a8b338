"""How network rules look on the API (CloudStack 4.3's FirewallResponse, FirewallRuleResponse,
IpForwardingRuleResponse, LoadBalancerResponse, LBStickinessResponse, LBHealthCheckResponse)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import (
    Account,
    Domain,
    FirewallRuleRow,
    HealthCheckPolicyRow,
    LoadBalancerRuleRow,
    Network,
    PortForwardingRuleRow,
    PublicIpAddress,
    StickinessPolicyRow,
    VirtualMachine,
    Zone,
)
from cirrostack.services.network_rules.rule_sets import split_cidrs

_TAGS = Field("tags", "list", "the list of resource tags associated with the rule (none are kept yet)")

FIREWALL_RULE_RESPONSE = Response("firewallrule", (
    Field("id", "string", "the ID of the firewall rule"),
    Field("protocol", "string", "the protocol of the firewall rule"),
    Field("startport", "integer", "the starting port of firewall rule's port range"),
    Field("endport", "integer", "the ending port of firewall rule's port range"),
    Field("ipaddressid", "string", "the public ip address id for the firewall rule"),
    Field("ipaddress", "string", "the public ip address for the firewall rule"),
    Field("networkid", "string", "the network id of the firewall rule"),
    Field("state", "string", "the state of the rule"),
    Field("cidrlist", "string", "the cidr list to forward traffic from"),
    Field("icmptype", "integer", "type of the icmp message being sent"),
    Field("icmpcode", "integer", "error code for this icmp message"),
    _TAGS,
), instance_type="FirewallRule")

_FORWARDING_FIELDS = (
    Field("id", "string", "the ID of the port forwarding rule"),
    Field("privateport", "string", "the starting port of port forwarding rule's private port range"),
    Field("privateendport", "string", "the ending port of port forwarding rule's private port range"),
    Field("protocol", "string", "the protocol of the port forwarding rule"),
    Field("publicport", "string", "the starting port of port forwarding rule's public port range"),
    Field("publicendport", "string", "the ending port of port forwarding rule's private port range"),
    Field("virtualmachineid", "string", "the VM ID for the port forwarding rule"),
    Field("virtualmachinename", "string", "the VM name for the port forwarding rule"),
    Field("virtualmachinedisplayname", "string", "the VM display name for the port forwarding rule"),
    Field("ipaddressid", "string", "the public ip address id for the port forwarding rule"),
    Field("ipaddress", "string", "the public ip address for the port forwarding rule"),
    Field("state", "string", "the state of the rule"),
    Field("cidrlist", "string", "the cidr list to forward traffic from"),
    Field("vmguestip", "string", "the vm ip address for the port forwarding rule"),
    Field("networkid", "string", "the id of the guest network the port forwarding rule belongs to"),
    _TAGS,
)

PORT_FORWARDING_RESPONSE = Response("portforwardingrule", _FORWARDING_FIELDS, instance_type="FirewallRule")

IP_FORWARDING_RESPONSE = Response("ipforwardingrule", (
    Field("id", "string", "the ID of the rule: the ID of the public IP address with static NAT"),
    Field("protocol", "string", "the protocol of the rule: \"all\", static NAT forwards every protocol"),
    Field("startport", "integer", "the start port of the rule: 1, static NAT forwards every port"),
    Field("endport", "integer", "the end port of the rule: 65535"),
    Field("virtualmachineid", "string", "the VM ID for the rule"),
    Field("virtualmachinename", "string", "the VM name for the rule"),
    Field("virtualmachinedisplayname", "string", "the VM display name for the rule"),
    Field("ipaddressid", "string", "the public ip address id for the rule"),
    Field("ipaddress", "string", "the public ip address for the rule"),
    Field("vmguestip", "string", "the vm ip address the public address is mapped to"),
    Field("state", "string", "the state of the rule"),
    Field("cidrlist", "string", "the cidr list to forward traffic from"),
), instance_type="FirewallRule")

LOAD_BALANCER_RESPONSE = Response("loadbalancer", (
    Field("id", "string", "the load balancer rule ID"),
    Field("name", "string", "the name of the load balancer"),
    Field("description", "string", "the description of the load balancer"),
    Field("publicipid", "string", "the public ip address id"),
    Field("publicip", "string", "the public ip address"),
    Field("publicport", "string", "the public port"),
    Field("privateport", "string", "the private port"),
    Field("algorithm", "string", "the load balancer algorithm (source, roundrobin, leastconn)"),
    Field("protocol", "string", "the protocol of the loadbalanacer rule"),
    Field("networkid", "string", "the id of the guest network the lb rule belongs to"),
    Field("cidrlist", "string", "the cidr list to forward traffic from"),
    Field("account", "string", "the account of the load balancer rule"),
    Field("domainid", "string", "the domain ID of the load balancer rule"),
    Field("domain", "string", "the domain of the load balancer rule"),
    Field("zoneid", "string", "the id of the zone the rule belongs to"),
    Field("state", "string", "the state of the rule"),
    _TAGS,
), instance_type="LoadBalancerRule")

_POLICY_OWNER = (
    Field("lbruleid", "string", "the LB rule ID"),
    Field("account", "string", "the account of the policy"),
    Field("domainid", "string", "the domain ID of the policy"),
    Field("domain", "string", "the domain of the policy"),
    Field("zoneid", "string", "the id of the zone the policy belongs to"),
)

STICKINESS_RESPONSE = Response("stickinesspolicies", (
    Field("name", "string", "the name of the Stickiness policy"),
    Field("description", "string", "the description of the Stickiness policy"),
    *_POLICY_OWNER,
    Field("state", "string", "the state of the policy"),
    Field("stickinesspolicy", "list", "the list of stickinesspolicies", children=(
        Field("id", "string", "the LB Stickiness policy ID"),
        Field("name", "string", "the name of the Stickiness policy"),
        Field("methodname", "string", "the method name of the Stickiness policy"),
        Field("description", "string", "the description of the Stickiness policy"),
        Field("params", "map", "the params of the policy"),
        Field("state", "string", "the state of the policy"),
    )),
), instance_type="LoadBalancerRule")

HEALTH_CHECK_RESPONSE = Response("healthcheckpolicies", (
    *_POLICY_OWNER,
    Field("healthcheckpolicy", "list", "the list of healthcheckpolicies", children=(
        Field("id", "string", "the LB HealthCheck policy ID"),
        Field("pingpath", "string", "the pingpath  of the healthcheck policy"),
        Field("description", "string", "the description of the healthcheck policy"),
        Field("responsetime", "int", "Time to wait when receiving a response from the health check"),
        Field("healthcheckinterval", "int", "Amount of time between health checks"),
        Field("healthcheckthresshold", "int", "Number of consecutive health check success before declaring an "
                                              "instance healthy"),
        Field("unhealthcheckthresshold", "int", "Number of consecutive health check failures before declaring an "
                                                "instance unhealthy."),
        Field("state", "string", "the state of the policy"),
    )),
), instance_type="LoadBalancerRule")


def firewall_rule_view(session: Session, row: FirewallRuleRow) -> dict[str, Any]:
    address = session.get(PublicIpAddress, row.public_ip_id) if row.public_ip_id else None
    network = session.get(Network, row.network_id)
    return _clean({
        "id": row.uuid, "protocol": row.protocol, "startport": row.start_port, "endport": row.end_port,
        "ipaddressid": address.uuid if address else None, "ipaddress": address.address if address else None,
        "networkid": network.uuid, "state": row.state, "cidrlist": ",".join(split_cidrs(row.source_cidrs)),
        "icmptype": row.icmp_type, "icmpcode": row.icmp_code, "tags": []})


def port_forwarding_view(session: Session, row: PortForwardingRuleRow) -> dict[str, Any]:
    address = session.get(PublicIpAddress, row.public_ip_id)
    vm = session.get(VirtualMachine, row.vm_id)
    network = session.get(Network, row.network_id)
    return _clean({
        "id": row.uuid, "privateport": _port(row.private_start_port), "privateendport": _port(row.private_end_port),
        "protocol": row.protocol, "publicport": _port(row.public_start_port),
        "publicendport": _port(row.public_end_port), "virtualmachineid": vm.uuid, "virtualmachinename": vm.name,
        "virtualmachinedisplayname": vm.display_name or vm.name, "ipaddressid": address.uuid,
        "ipaddress": address.address, "state": row.state, "cidrlist": ",".join(split_cidrs(row.source_cidrs)),
        "vmguestip": row.private_ip, "networkid": network.uuid, "tags": []})


def ip_forwarding_view(session: Session, address: PublicIpAddress) -> dict[str, Any]:
    vm = session.get(VirtualMachine, address.static_nat_vm_id)
    return _clean({
        "id": address.uuid, "protocol": "all", "startport": 1, "endport": 65535, "virtualmachineid": vm.uuid,
        "virtualmachinename": vm.name, "virtualmachinedisplayname": vm.display_name or vm.name,
        "ipaddressid": address.uuid, "ipaddress": address.address, "vmguestip": address.static_nat_ip,
        "state": "Active", "cidrlist": ""})


def lb_rule_view(session: Session, row: LoadBalancerRuleRow) -> dict[str, Any]:
    address = session.get(PublicIpAddress, row.public_ip_id)
    network = session.get(Network, row.network_id)
    account = session.get(Account, row.account_id)
    domain = session.get(Domain, row.domain_id)
    return _clean({
        "id": row.uuid, "name": row.name, "description": row.description, "publicipid": address.uuid,
        "publicip": address.address, "publicport": _port(row.public_port), "privateport": _port(row.private_port),
        "algorithm": row.algorithm, "protocol": row.protocol, "networkid": network.uuid,
        "cidrlist": ",".join(split_cidrs(row.source_cidrs)), "account": account.name, "domainid": domain.uuid,
        "domain": domain.name, "zoneid": _zone_uuid(session, network), "state": row.state, "tags": []})


def stickiness_view(session: Session, rule: LoadBalancerRuleRow,
                    policies: list[StickinessPolicyRow]) -> dict[str, Any]:
    first = policies[0] if policies else None
    return _clean({
        "name": first.name if first else None, "description": first.description if first else None,
        **_policy_owner(session, rule), "state": rule.state,
        "stickinesspolicy": [_clean({"id": policy.uuid, "name": policy.name, "methodname": policy.method,
                                     "description": policy.description, "params": json.loads(policy.params),
                                     "state": policy.state}) for policy in policies]})


def health_check_view(session: Session, rule: LoadBalancerRuleRow,
                      policies: list[HealthCheckPolicyRow]) -> dict[str, Any]:
    return _clean({
        **_policy_owner(session, rule),
        "healthcheckpolicy": [_clean({"id": policy.uuid, "pingpath": policy.ping_path,
                                      "description": policy.description, "responsetime": policy.timeout_seconds,
                                      "healthcheckinterval": policy.interval_seconds,
                                      "healthcheckthresshold": policy.healthy_threshold,
                                      "unhealthcheckthresshold": policy.unhealthy_threshold,
                                      "state": policy.state}) for policy in policies]})


def _policy_owner(session: Session, rule: LoadBalancerRuleRow) -> dict[str, Any]:
    account = session.get(Account, rule.account_id)
    domain = session.get(Domain, rule.domain_id)
    return {"lbruleid": rule.uuid, "account": account.name, "domainid": domain.uuid, "domain": domain.name,
            "zoneid": _zone_uuid(session, session.get(Network, rule.network_id))}


def _zone_uuid(session: Session, network: Network) -> str:
    return session.get(Zone, network.zone_id).uuid


def _port(value: int | None) -> str | None:
    """CloudStack 4.3 sends rule ports as strings."""
    return None if value is None else str(value)


def _clean(view: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in view.items() if value is not None}
