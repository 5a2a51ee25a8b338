"""The core's VLAN isolation method: ids through the contract, Simulator hosts plumbed on the network host."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from cirrostack.errors import InvalidParameter, UnsupportedOperation
from cirrostack.hookspecs.hypervisor import HostRef
from cirrostack.hookspecs.isolation import GuestHost, GuestIsolationMethod, GuestNetworkSpec, IdRange
from cirrostack.hookspecs.isolation import PhysicalNetworkSpec as Physical
from cirrostack.isolation.vlan import VlanIsolation
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.router.bridges import bridge_name

PHYSICAL = Physical(uuid="pn-1", name="guest", zone_uuid="z-1", id_ranges=(IdRange(100, 102),))
HOST = GuestHost(HostRef(uuid="h-1", name="sim-h0", url="http://sim/c0/h0"), "Simulator")


def test_the_plugin_registers_vlan_and_ids_come_from_the_ranges():
    method = PluginRegistry.load().isolation_method("vlan")
    network = GuestNetworkSpec(uuid="n-1", name="n")
    assert method.allocate_broadcast_uri(PHYSICAL, network, frozenset({"vlan://100"})) == "vlan://101"
    assert method.canonical_broadcast_uri("102") == "vlan://102"
    with pytest.raises(InvalidParameter, match="vlan: '5000' is not an id within 0-4095"):
        method.canonical_broadcast_uri("5000")


def test_a_simulator_host_gets_the_network_hosts_bridge_and_forgets_it_on_release():
    method = VlanIsolation({})
    network = GuestNetworkSpec(uuid="n-1", name="n", broadcast_uri="vlan://101")
    plumbed = method.implement_on_host(HOST, PHYSICAL, network)
    assert plumbed.bridge == bridge_name("vlan://101") and method.implement_on_host(HOST, PHYSICAL, network) == plumbed
    assert method.list_host_networks(HOST, PHYSICAL) == {"vlan://101": plumbed}
    method.release_on_host(HOST, PHYSICAL, network)
    method.release_on_host(HOST, PHYSICAL, network)
    assert method.list_host_networks(HOST, PHYSICAL) == {}


def test_a_network_without_vlan_or_a_kvm_host_is_refused():
    registry = PluginRegistry.load()
    method: GuestIsolationMethod = registry.isolation_method("VLAN")
    with pytest.raises(InvalidParameter, match="broadcast_uri: the network has no VLAN yet"):
        method.implement_on_host(HOST, PHYSICAL, GuestNetworkSpec(uuid="n-2", name="n2"))
    kvm = GuestHost(HostRef(uuid="h-2", name="kvm-01", url="qemu+ssh://kvm-01/system"), "KVM")
    with pytest.raises(UnsupportedOperation, match="KVM in hypervisor_types"):
        method.implement_on_host(kvm, PHYSICAL, GuestNetworkSpec(uuid="n-3", name="n3", broadcast_uri="vlan://100"))


@pytest.fixture
def network_host() -> Iterator[str]:
    reason = "needs root" if os.geteuid() != 0 else "needs ip" if shutil.which("ip") is None else ""
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the bridge test {reason} (CI=true)")
        pytest.skip(f"the bridge test {reason}")
    name = f"cirro-nh-{os.getpid() % 100000}-vl"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def test_with_namespace_guests_the_bridge_is_made_in_the_network_host(network_host):
    method = VlanIsolation({"simulator.guest.namespaces": True, "network.host.namespace": network_host})
    plumbed = method.implement_on_host(HOST, PHYSICAL, GuestNetworkSpec(uuid="n-1", name="n",
                                                                        broadcast_uri="vlan://102"))
    shown = subprocess.run(["ip", "netns", "exec", network_host, "ip", "-o", "link", "show", "type", "bridge"],
                           capture_output=True, text=True, check=True).stdout
    assert f" {plumbed.bridge}:" in shown
