"""How zones, pods, clusters and hosts look on the API (CloudStack 4.3 names)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models.infrastructure import Cluster, Host, Pod, Zone
from cirrostack.db.timestamps import to_api

ZONE_RESPONSE = Response("zone", (
    Field("id", "string", "Zone id"),
    Field("name", "string", "Zone name"),
    Field("description", "string", "Zone description"),
    Field("networktype", "string", "the network type of the zone; can be Basic or Advanced"),
    Field("dns1", "string", "the first DNS for the Zone"),
    Field("dns2", "string", "the second DNS for the Zone"),
    Field("ip6dns1", "string", "the first IPv6 DNS for the Zone"),
    Field("ip6dns2", "string", "the second IPv6 DNS for the Zone"),
    Field("internaldns1", "string", "the first internal DNS for the Zone"),
    Field("internaldns2", "string", "the second internal DNS for the Zone"),
    Field("guestcidraddress", "string", "the guest CIDR address for the Zone"),
    Field("domain", "string", "Network domain name for the networks in the zone"),
    Field("domainid", "string", "the UUID of the containing domain, null for public zones"),
    Field("domainname", "string", "the name of the containing domain, null for public zones"),
    Field("allocationstate", "string", "the allocation state of the cluster"),
    Field("securitygroupsenabled", "boolean", "true if security groups support is enabled, false otherwise"),
    Field("localstorageenabled", "boolean", "true if local storage offering enabled, false otherwise"),
    Field("zonetoken", "string", "Zone Token"),
), instance_type="Zone")

POD_RESPONSE = Response("pod", (
    Field("id", "string", "the ID of the Pod"),
    Field("name", "string", "the name of the Pod"),
    Field("zoneid", "string", "the Zone ID of the Pod"),
    Field("zonename", "string", "the Zone name of the Pod"),
    Field("gateway", "string", "the gateway of the Pod"),
    Field("netmask", "string", "the netmask of the Pod"),
    Field("startip", "string", "the starting IP for the Pod"),
    Field("endip", "string", "the ending IP for the Pod"),
    Field("allocationstate", "string", "the allocation state of the Pod"),
), instance_type="Pod")

CLUSTER_RESPONSE = Response("cluster", (
    Field("id", "string", "the cluster ID"),
    Field("name", "string", "the cluster name"),
    Field("podid", "string", "the Pod ID of the cluster"),
    Field("podname", "string", "the Pod name of the cluster"),
    Field("zoneid", "string", "the Zone ID of the cluster"),
    Field("zonename", "string", "the Zone name of the cluster"),
    Field("hypervisortype", "string", "the hypervisor type of the cluster"),
    Field("clustertype", "string", "the type of the cluster"),
    Field("allocationstate", "string", "the allocation state of the cluster"),
    Field("managedstate", "string", "whether this cluster is managed by cloudstack"),
    Field("cpuovercommitratio", "string", "The cpu overcommit ratio of the cluster"),
    Field("memoryovercommitratio", "string", "The memory overcommit ratio of the cluster"),
), instance_type="Cluster")

HOST_RESPONSE = Response("host", (
    Field("id", "string", "the ID of the host"),
    Field("name", "string", "the name of the host"),
    Field("state", "status", "the state of the host: Up, Down, Disconnected or Alert"),
    Field("resourcestate", "string", "the resource state of the host: Enabled, Disabled, PrepareForMaintenance, "
                                     "Maintenance or ErrorInMaintenance"),
    Field("type", "type", "the host type"),
    Field("ipaddress", "string", "the IP address of the host"),
    Field("zoneid", "string", "the Zone ID of the host"),
    Field("zonename", "string", "the Zone name of the host"),
    Field("podid", "string", "the Pod ID of the host"),
    Field("podname", "string", "the Pod name of the host"),
    Field("clusterid", "string", "the cluster ID of the host"),
    Field("clustername", "string", "the cluster name of the host"),
    Field("clustertype", "string", "the cluster type of the cluster that host belongs to"),
    Field("hypervisor", "hypervisortype", "the host hypervisor"),
    Field("hypervisorversion", "string", "the hypervisor version"),
    Field("cpusockets", "integer", "the number of CPU sockets on the host"),
    Field("cpunumber", "integer", "the CPU number of the host (its cores)"),
    Field("cpuspeed", "long", "the CPU speed of the host in MHz"),
    Field("memorytotal", "long", "the memory total of the host in bytes"),
    Field("hosttags", "string", "comma-separated list of tags for the host"),
    Field("created", "date", "the date and time the host was created"),
    Field("lastpinged", "date", "the date and time the host was last pinged"),
    Field("disconnected", "date", "true if the host is disconnected. False otherwise."),
    Field("islocalstorageactive", "boolean", "true if local storage is active, false otherwise"),
    Field("details", "map", "Host details in key/value pairs (what the hypervisor plugin reported)"),
), instance_type="Host")


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def zone_view(zone: Zone) -> dict[str, Any]:
    dedicated = zone.domain
    return _without_none({
        "id": zone.uuid, "name": zone.name, "description": zone.description, "networktype": zone.network_type,
        "dns1": zone.dns1, "dns2": zone.dns2, "ip6dns1": zone.ip6_dns1, "ip6dns2": zone.ip6_dns2,
        "internaldns1": zone.internal_dns1, "internaldns2": zone.internal_dns2,
        "guestcidraddress": zone.guest_cidr_address, "domain": zone.network_domain,
        "domainid": dedicated.uuid if dedicated else None, "domainname": dedicated.name if dedicated else None,
        "allocationstate": zone.allocation_state, "securitygroupsenabled": zone.security_group_enabled,
        "localstorageenabled": zone.local_storage_enabled, "zonetoken": zone.uuid,
    })


def pod_view(pod: Pod) -> dict[str, Any]:
    return _without_none({
        "id": pod.uuid, "name": pod.name, "zoneid": pod.zone.uuid, "zonename": pod.zone.name,
        "gateway": pod.gateway, "netmask": pod.netmask, "startip": pod.start_ip, "endip": pod.end_ip,
        "allocationstate": pod.allocation_state,
    })


def cluster_view(cluster: Cluster) -> dict[str, Any]:
    return {
        "id": cluster.uuid, "name": cluster.name, "podid": cluster.pod.uuid, "podname": cluster.pod.name,
        "zoneid": cluster.zone.uuid, "zonename": cluster.zone.name, "hypervisortype": cluster.hypervisor_type,
        "clustertype": cluster.cluster_type, "allocationstate": cluster.allocation_state,
        "managedstate": cluster.managed_state, "cpuovercommitratio": "1.0", "memoryovercommitratio": "1.0",
    }


def host_view(host: Host) -> dict[str, Any]:
    return _without_none({
        "id": host.uuid, "name": host.name, "state": host.state, "resourcestate": host.resource_state,
        "type": host.type, "ipaddress": host.ip_address, "zoneid": host.zone.uuid, "zonename": host.zone.name,
        "podid": host.pod.uuid, "podname": host.pod.name, "clusterid": host.cluster.uuid,
        "clustername": host.cluster.name, "clustertype": host.cluster.cluster_type,
        "hypervisor": host.hypervisor_type, "hypervisorversion": host.hypervisor_version,
        "cpusockets": host.cpu_sockets, "cpunumber": host.cpu_cores, "cpuspeed": host.cpu_speed_mhz,
        "memorytotal": host.memory_bytes, "hosttags": ",".join(host.tag_names) or None,
        "created": to_api(host.created), "lastpinged": to_api(host.last_ping),
        "disconnected": to_api(host.disconnected),
        "islocalstorageactive": host.zone.local_storage_enabled,
        "details": {detail.name: detail.value for detail in host.details} or None,
    })

