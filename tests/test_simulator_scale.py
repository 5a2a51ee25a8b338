"""The simulator keeps up with 10,000 VMs: every VM goes through its whole life cycle."""

from __future__ import annotations

from cirrostack.hookspecs import HostRef, PowerState, VMRef, VMSpec
from cirrostack.simulator import SimulatorHypervisor

VM_COUNT = 10_000
HOSTS = [HostRef(f"host-{n}", f"h{n}", f"http://sim/c0/h{n}?memory=262144") for n in range(10)]


def test_ten_thousand_vms_are_started_stopped_and_destroyed() -> None:
    driver = SimulatorHypervisor()
    placed = [(HOSTS[n % len(HOSTS)], VMSpec(f"vm-{n}", f"i-2-{n}-VM", 1, 1000, 256)) for n in range(VM_COUNT)]
    for node, vm in placed:
        driver.start_vm(node, vm)
    running = [driver.list_vms(node) for node in HOSTS]
    assert sum(len(vms) for vms in running) == VM_COUNT
    assert all(s.power_state is PowerState.RUNNING for vms in running for s in vms.values())
    assert driver.host_free_memory_mb(HOSTS[0].url) == 262144 - 1000 * 256

    for node, vm in placed[::2]:
        driver.stop_vm(node, VMRef(vm.uuid, vm.instance_name))
    states = [s.power_state for node in HOSTS for s in driver.list_vms(node).values()]
    assert states.count(PowerState.STOPPED) == VM_COUNT // 2
    assert states.count(PowerState.RUNNING) == VM_COUNT // 2

    for node, vm in placed:
        driver.destroy_vm(node, VMRef(vm.uuid, vm.instance_name))
    assert all(driver.list_vms(node) == {} for node in HOSTS)
    assert driver.host_free_memory_mb(HOSTS[0].url) == 262144
