"""Apache Libcloud's CloudStack driver, unmodified, against the real `cirro serve` with a networked zone:
create_node on an isolated network, list_nodes with the public addresses its port forwarding and static
NAT rules give the nodes (listPublicIpAddresses, listPortForwardingRules, listIpForwardingRules), then
reboot_node and destroy_node.

The zone, the network host namespace and the clean-up are those of tests/test_e2e_networking.py.
"""

from __future__ import annotations

from libcloud.compute.drivers.cloudstack import CloudStackNodeDriver
from libcloud.compute.types import NodeState

from tests.test_e2e_networking import NetworkedCloud, networked_cloud  # noqa: F401  (the module's fixture)


def _driver(cloud: NetworkedCloud) -> CloudStackNodeDriver:
    return CloudStackNodeDriver(cloud.client.key, cloud.client.secret, url=cloud.server.endpoint, secure=False)


def test_libcloud_lists_nodes_with_their_forwarded_addresses(networked_cloud: NetworkedCloud) -> None:  # noqa: F811
    cloud = networked_cloud
    driver = _driver(cloud)
    network = cloud.create_network("lc-net")
    location = next(zone for zone in driver.list_locations() if zone.id == cloud.zone_id)
    size = next(size for size in driver.list_sizes(location) if size.name == "Small Instance")
    image = driver.list_images(location)[0]
    [lc_network] = [net for net in driver.ex_list_networks() if net.id == network["id"]]
    first, second = (driver.create_node(name=name, size=size, image=image, location=location, networks=[lc_network],
                                        ex_start_vm=True) for name in ("lc-1", "lc-2"))
    cloud.vm_ids += [vm["id"] for vm in cloud.client.listVirtualMachines(
        networkid=network["id"], fetch_list=True)]

    client = cloud.client
    source_nat = client.listPublicIpAddresses(associatednetworkid=network["id"], issourcenat="true",
                                              fetch_list=True)[0]
    forwarded = client.createPortForwardingRule(ipaddressid=source_nat["id"], protocol="tcp", publicport=2222,
                                                privateport=22, virtualmachineid=first.id,
                                                fetch_result=True)["portforwardingrule"]
    extra_ip = client.associateIpAddress(networkid=network["id"], fetch_result=True)["ipaddress"]
    client.enableStaticNat(ipaddressid=extra_ip["id"], virtualmachineid=second.id)

    nodes = {node.name: node for node in driver.list_nodes() if node.name in ("lc-1", "lc-2")}
    assert {name: node.state for name, node in nodes.items()} == {"lc-1": NodeState.RUNNING,
                                                                  "lc-2": NodeState.RUNNING}
    assert nodes["lc-1"].public_ips == [source_nat["ipaddress"]]
    [rule] = nodes["lc-1"].extra["port_forwarding_rules"]
    assert (rule.id, rule.protocol, rule.public_port, rule.private_port, rule.address.address) == (
        forwarded["id"], "TCP", "2222", "22", source_nat["ipaddress"])
    assert nodes["lc-2"].public_ips == [extra_ip["ipaddress"]]
    assert [address.id for address in nodes["lc-2"].extra["ip_addresses"]] == [extra_ip["id"]]
    [nat] = nodes["lc-2"].extra["ip_forwarding_rules"]
    assert (nat.protocol, nat.start_port, nat.end_port, nat.address.address) == ("ALL", 1, 65535,
                                                                                  extra_ip["ipaddress"])

    assert driver.reboot_node(nodes["lc-1"]) is True
    assert driver.destroy_node(nodes["lc-2"], ex_expunge=True) is True
    remaining = [node.name for node in driver.list_nodes() if node.name in ("lc-1", "lc-2")]
    assert remaining == ["lc-1"]
    assert client.listIpForwardingRules(fetch_list=True) == [], "the expunged node's static NAT went with it"
    driver.destroy_node(nodes["lc-1"], ex_expunge=True)
    client.deleteNetwork(id=network["id"], fetch_result=True)


def test_libcloud_sees_each_node_private_address_on_its_network(networked_cloud: NetworkedCloud) -> None:  # noqa: F811
    cloud = networked_cloud
    driver = _driver(cloud)
    network = cloud.create_network("lc-private")
    location = next(zone for zone in driver.list_locations() if zone.id == cloud.zone_id)
    size = next(size for size in driver.list_sizes(location) if size.name == "Small Instance")
    [lc_network] = [net for net in driver.ex_list_networks() if net.id == network["id"]]
    node = driver.create_node(name="lc-3", size=size, image=driver.list_images(location)[0], location=location,
                              networks=[lc_network], ex_start_vm=True)
    cloud.vm_ids.append(node.id)
    try:
        [nic] = cloud.client.listNics(virtualmachineid=node.id, fetch_list=True)
        [listed] = [found for found in driver.list_nodes() if found.id == node.id]
        assert listed.private_ips == [nic["ipaddress"]], "listVirtualMachines must show the VM's NICs"
    finally:
        driver.destroy_node(node, ex_expunge=True)
        cloud.client.deleteNetwork(id=network["id"], fetch_result=True)
