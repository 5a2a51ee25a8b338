"""Namespace-backed simulator guests through the simulator driver: start plugs, stop and destroy unplug."""

from __future__ import annotations

import uuid

import pytest

from cirrostack.errors import HostUnreachable
from cirrostack.hookspecs.hypervisor import HostRef, NicSpec, PowerState, VMRef, VMSpec
from cirrostack.hookspecs.network_rules import ServiceNetwork
from cirrostack.router import bridges
from cirrostack.router.provider import VirtualRouter
from cirrostack.simulator.driver import SimulatorHypervisor
from cirrostack.simulator.guest_netns import guest_directory, namespace_for
from tests.router.conftest import dhcp_entry, guest_address, sh, unique, wait_for

HOST = HostRef("host-sim", "h0", "http://sim/c0/h0")
MAC, ADDRESS = "02:00:0a:15:00:21", "10.21.0.33"


def _vm(network: ServiceNetwork) -> VMSpec:
    nic = NicSpec(str(uuid.uuid4()), MAC, ADDRESS, network.uuid, network.broadcast_uri, True, 0,
                  "255.255.255.0", network.gateway, bridges.bridge_name(network.broadcast_uri))
    return VMSpec(str(uuid.uuid4()), unique("i-7-") + "-VM", 1, 1000, 128, nics=(nic,))


def _namespaces() -> str:
    return sh("ip", "netns", "list").stdout


def test_a_started_vm_is_a_namespace_guest_with_its_lease_until_it_stops(
        settings: dict[str, object], router: VirtualRouter, router_network: ServiceNetwork) -> None:
    router.apply_dhcp_entries(router_network, [dhcp_entry(MAC, ADDRESS, "sim-guest")])
    driver = SimulatorHypervisor(settings)
    vm = _vm(router_network)
    namespace = namespace_for(vm.uuid)
    try:
        driver.start_vm(HOST, vm)
        wait_for(lambda: guest_address(namespace) == ADDRESS, f"the lease of {vm.instance_name}")
        link = sh("ip", "-o", "link", "show", "dev", "eth0", namespace=namespace).stdout
        assert MAC in link, f"the guest's NIC carries the NIC's MAC: {link}"
        assert sh("dig", "+short", f"@{router_network.gateway}", "sim-guest.cs1.test",
                  namespace=namespace).stdout.split() == [ADDRESS]
        driver.start_vm(HOST, vm)  # starting a running VM again changes nothing
        assert guest_address(namespace) == ADDRESS
        driver.stop_vm(HOST, VMRef(vm.uuid, vm.instance_name))
        assert namespace not in _namespaces()
        assert not guest_directory(vm.uuid).exists()
        bridge = bridges.bridge_name(router_network.broadcast_uri)
        assert len(bridges.bridge_ports(bridge, str(settings["network.host.namespace"]))) == 1, "only the router"
        driver.start_vm(HOST, vm)
        wait_for(lambda: guest_address(namespace) == ADDRESS, "the lease after a restart")
        driver.destroy_vm(HOST, VMRef(vm.uuid, vm.instance_name))
        assert namespace not in _namespaces()
    finally:
        driver.guests.unplug(vm.uuid)


def test_without_the_setting_a_started_vm_gets_no_namespace(
        settings: dict[str, object], router_network: ServiceNetwork) -> None:
    driver = SimulatorHypervisor({**settings, "simulator.guest.namespaces": "false"})
    vm = _vm(router_network)
    try:
        driver.start_vm(HOST, vm)
        assert namespace_for(vm.uuid) not in _namespaces()
    finally:
        driver.guests.unplug(vm.uuid)


def test_a_guest_that_cannot_be_plugged_fails_the_start_and_leaves_the_vm_stopped(
        settings: dict[str, object], router_network: ServiceNetwork) -> None:
    driver = SimulatorHypervisor({**settings, "network.host.namespace": unique("cirro-nh-absent-")})
    vm = _vm(router_network)
    try:
        with pytest.raises(HostUnreachable, match="cirro-nh-absent-"):
            driver.start_vm(HOST, vm)
        assert driver.vm_status(HOST, VMRef(vm.uuid, vm.instance_name)).power_state is PowerState.STOPPED
        assert namespace_for(vm.uuid) not in _namespaces()
    finally:
        driver.guests.unplug(vm.uuid)
