"""The simulator hypervisor: host URLs and sizes, capacity, VM moves, scaling and snapshots."""

from __future__ import annotations

import itertools
import threading

import pytest

from cirrostack.errors import InsufficientCapacity, InvalidParameter, InvalidState, VMNotFound
from cirrostack.hookspecs import HostRef, NicSpec, PowerState, SnapshotSpec, VMRef, VMSpec
from cirrostack.simulator import SimulatorHypervisor

_numbers = itertools.count(1)


def host(url: str = "http://sim/c0/h0") -> HostRef:
    return HostRef(uuid=f"host-{url}", name=url.rsplit("/", 1)[-1], url=url)


def spec(cpus: int = 1, memory_mb: int = 512, **extra: object) -> VMSpec:
    number = next(_numbers)
    return VMSpec(uuid=f"vm-{number}", instance_name=f"i-2-{number}-VM", cpus=cpus, cpu_speed_mhz=1000,
                  memory_mb=memory_mb, **extra)  # type: ignore[arg-type]


def ref(vm: VMSpec) -> VMRef:
    return VMRef(vm.uuid, vm.instance_name)


@pytest.fixture
def driver() -> SimulatorHypervisor:
    return SimulatorHypervisor()


def test_both_url_forms_name_the_same_host(driver: SimulatorHypervisor) -> None:
    vm = spec()
    driver.start_vm(host("http://sim/c0/h0"), vm)
    assert driver.vm_status(host("sim://c0/h0"), ref(vm)).power_state is PowerState.RUNNING


def test_host_size_comes_from_settings_then_url_query() -> None:
    driver = SimulatorHypervisor({"simulator.host.cpu.sockets": "4", "simulator.host.memory": 8192})
    default = driver.connect_host(host("http://sim/c0/h0"))
    assert (default.sockets, default.cores_per_socket, default.threads_per_core, default.cpu_mhz) == (4, 8, 1, 2400)
    assert default.memory_bytes == 8192 * 1024 * 1024
    sized = driver.connect_host(host("http://sim/c0/h1?sockets=1&cores=6&threads=2&mhz=3000&memory=2048"))
    assert (sized.sockets, sized.cores_per_socket, sized.threads_per_core, sized.cpu_mhz) == (1, 6, 2, 3000)
    assert sized.memory_bytes == 2048 * 1024 * 1024


@pytest.mark.parametrize("url", [
    "http://example.com/c0/h0", "qemu:///system", "http://sim/", "sim://", "",
    "http://sim/c0/h0?sockets=abc", "http://sim/c0/h0?sockets=0", "http://sim/c0/h0?disks=3",
])
def test_unusable_url_is_refused_naming_url_and_value(driver: SimulatorHypervisor, url: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        driver.connect_host(host(url))
    assert caught.value.param == "url"
    assert repr(url) in caught.value.reason


def test_start_refuses_a_vm_beyond_free_memory_and_defines_nothing(driver: SimulatorHypervisor) -> None:
    small = host("http://sim/c0/h0?memory=1024")
    driver.start_vm(small, spec(memory_mb=768))
    too_big = spec(memory_mb=512)
    with pytest.raises(InsufficientCapacity, match="256 MiB of free memory"):
        driver.start_vm(small, too_big)
    assert too_big.instance_name not in driver.list_vms(small)


def test_stopping_a_vm_frees_its_memory(driver: SimulatorHypervisor) -> None:
    small = host("http://sim/c0/h0?memory=1024")
    first, second = spec(memory_mb=768), spec(memory_mb=768)
    driver.start_vm(small, first)
    driver.stop_vm(small, ref(first))
    assert driver.host_free_memory_mb(small.url) == 1024
    assert driver.start_vm(small, second).power_state is PowerState.RUNNING
    with pytest.raises(InsufficientCapacity):
        driver.start_vm(small, first)


def test_start_refuses_more_cpus_than_the_host_has(driver: SimulatorHypervisor) -> None:
    with pytest.raises(InsufficientCapacity, match="4 logical CPUs"):
        driver.start_vm(host("http://sim/c0/h0?sockets=1&cores=4"), spec(cpus=5))


def test_start_on_another_host_refuses_a_running_vm_and_moves_a_stopped_one(driver: SimulatorHypervisor) -> None:
    first, second = host("http://sim/c0/h0"), host("http://sim/c0/h1")
    vm = spec()
    driver.start_vm(first, vm)
    with pytest.raises(InvalidState, match="running on simulated host c0/h0"):
        driver.start_vm(second, vm)
    driver.stop_vm(first, ref(vm))
    driver.start_vm(second, vm)
    assert vm.instance_name not in driver.list_vms(first)
    assert driver.list_vms(second)[vm.instance_name].power_state is PowerState.RUNNING


def test_migrate_moves_the_vm_and_its_memory(driver: SimulatorHypervisor) -> None:
    source, target = host("http://sim/c0/h0?memory=4096"), host("http://sim/c0/h1?memory=4096")
    vm = spec(memory_mb=1024)
    driver.start_vm(source, vm)
    status = driver.migrate_vm(source, ref(vm), target)
    assert (status.power_state, status.host_uuid) == (PowerState.RUNNING, target.uuid)
    assert driver.host_free_memory_mb(source.url) == 4096
    assert driver.host_free_memory_mb(target.url) == 3072
    with pytest.raises(VMNotFound):
        driver.vm_status(source, ref(vm))


def test_migrate_to_a_full_host_keeps_the_vm_running_on_the_source(driver: SimulatorHypervisor) -> None:
    source, target = host("http://sim/c0/h0"), host("http://sim/c0/h1?memory=512")
    vm = spec(memory_mb=1024)
    driver.start_vm(source, vm)
    with pytest.raises(InsufficientCapacity):
        driver.migrate_vm(source, ref(vm), target)
    assert driver.vm_status(source, ref(vm)).power_state is PowerState.RUNNING
    assert driver.list_vms(target) == {}


def test_scale_stays_within_the_maximums_and_counts_memory(driver: SimulatorHypervisor) -> None:
    node = host("http://sim/c0/h0?memory=4096")
    vm = spec(cpus=1, memory_mb=1024, max_cpus=4, max_memory_mb=2048)
    driver.start_vm(node, vm)
    scaled = driver.scale_vm(node, ref(vm), cpus=4, cpu_speed_mhz=1000, memory_mb=2048)
    assert (scaled.cpus, scaled.memory_mb) == (4, 2048)
    assert driver.host_free_memory_mb(node.url) == 2048
    with pytest.raises(InvalidParameter) as caught:
        driver.scale_vm(node, ref(vm), cpus=5, cpu_speed_mhz=1000, memory_mb=2048)
    assert caught.value.param == "cpunumber"
    driver.stop_vm(node, ref(vm))
    with pytest.raises(InvalidState):
        driver.scale_vm(node, ref(vm), cpus=2, cpu_speed_mhz=1000, memory_mb=1024)


def test_snapshots_form_a_tree_that_survives_deleting_a_parent(driver: SimulatorHypervisor) -> None:
    node = host()
    vm = spec(memory_mb=1024, max_memory_mb=2048)
    driver.start_vm(node, vm)
    driver.create_vm_snapshot(node, ref(vm), SnapshotSpec("disk-only"))
    driver.create_vm_snapshot(node, ref(vm), SnapshotSpec("with-memory", with_memory=True))
    driver.scale_vm(node, ref(vm), cpus=1, cpu_speed_mhz=1000, memory_mb=2048)
    third = driver.create_vm_snapshot(node, ref(vm), SnapshotSpec("after-scale"))
    assert third.parent == "with-memory"

    reverted = driver.revert_vm_snapshot(node, ref(vm), "with-memory")
    assert (reverted.power_state, reverted.memory_mb) == (PowerState.RUNNING, 1024)
    assert driver.revert_vm_snapshot(node, ref(vm), "disk-only").power_state is PowerState.STOPPED

    driver.delete_vm_snapshot(node, ref(vm), "with-memory")
    listed = driver.list_vm_snapshots(node, ref(vm))
    assert [(s.name, s.parent) for s in listed] == [("disk-only", ""), ("after-scale", "disk-only")]


def test_snapshot_with_memory_of_a_stopped_vm_is_refused(driver: SimulatorHypervisor) -> None:
    node, vm = host(), spec()
    driver.start_vm(node, vm)
    driver.stop_vm(node, ref(vm))
    with pytest.raises(InvalidState, match="needs a running VM"):
        driver.create_vm_snapshot(node, ref(vm), SnapshotSpec("s", with_memory=True))


@pytest.mark.parametrize("uri, accepted", [("vlan://100", True), ("vxlan://5001", True), ("", True),
                                           ("gre://7", False), ("lswitch:abc", False)])
def test_nics_use_the_isolation_methods_the_simulator_declares(driver: SimulatorHypervisor, uri: str,
                                                               accepted: bool) -> None:
    vm = spec(nics=(NicSpec("nic-1", "02:00:00:00:00:01", broadcast_uri=uri),))
    if accepted:
        assert driver.start_vm(host(), vm).power_state is PowerState.RUNNING
    else:
        with pytest.raises(InvalidParameter) as caught:
            driver.start_vm(host(), vm)
        assert caught.value.param == "broadcasturi" and uri in caught.value.reason


def test_concurrent_starts_never_overcommit_memory(driver: SimulatorHypervisor) -> None:
    node = host("http://sim/c0/h0?memory=10240")
    outcomes: list[str] = []
    record = threading.Lock()

    def start(vm: VMSpec) -> None:
        try:
            driver.start_vm(node, vm)
            outcome = "started"
        except InsufficientCapacity:
            outcome = "refused"
        with record:
            outcomes.append(outcome)

    threads = [threading.Thread(target=start, args=(spec(memory_mb=1024),)) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("started") == 10 and outcomes.count("refused") == 22
    assert driver.host_free_memory_mb(node.url) == 0
