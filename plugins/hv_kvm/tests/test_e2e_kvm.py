"""A KVM cloud end to end: `cirro serve` + the unmodified `cs` client + a real libvirtd with QEMU/TCG.

An operator builds a zone with a KVM cluster whose host is qemu:///system and a directory primary
storage pool, registers a qcow2 template served over HTTP, and a VM lives its life on the host: what
`virsh dominfo` shows agrees with the API at every step, a memory snapshot is reverted, the VM is
scaled while it runs, a data volume is hot-plugged and unplugged, a `virsh destroy` behind
cirrostack's back shows as Stopped with an event, and after destroy + expunge neither the domain nor
its volume is left. A second test migrates a VM between two KVM hosts with migrateVirtualMachine.

The memory snapshot comes before the live scale: QEMU 7.2 cannot load a memory snapshot taken after a
vCPU was hot-plugged (see the plugin README).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cs import CloudStack

from plugins.hv_kvm.tests._images import TEMPLATE_FILE, TEMPLATE_VIRTUAL_SIZE
from tests.fixtures.server import RunningServer, log_in, start_server

SETTINGS = {"kvm.guest.domain.type": "qemu", "kvm.stop.timeout": "1", "vm.state.sync.interval": "2"}


def _admin_client(server: RunningServer) -> CloudStack:
    http, login = log_in(server.endpoint, "admin", "adm1n-Test-pw")
    reply = http.get(server.endpoint, params={"command": "registerUserKeys", "id": login["userid"],
                                              "sessionkey": login["sessionkey"], "response": "json"}, timeout=10)
    keys = reply.json()["registeruserkeysresponse"]["userkeys"]
    return CloudStack(endpoint=server.endpoint, key=keys["apikey"], secret=keys["secretkey"], poll_interval=0.2,
                      timeout=60)


@pytest.fixture(scope="module")
def kvm_cloud(libvirtd, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, CloudStack]]:
    """A `cirro serve` on SQLite whose KVM settings are set; restarted once so the state sync
    runs at its short interval from the start."""
    data_dir = tmp_path_factory.mktemp("kvm-e2e")
    server = start_server(data_dir)
    try:
        client = _admin_client(server)
        for name, value in SETTINGS.items():
            client.updateConfiguration(name=name, value=value)
    finally:
        server.stop()
    server = start_server(data_dir)
    try:
        yield server, _admin_client(server)
    finally:
        status = server.stop()
    assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


def _wait_until_ready(client: CloudStack, template_id: str, image_server, seconds: float = 60) -> dict:
    """The core's download job fetches the registered URL and checks its MD5 and qcow2 header; the
    template is ready once listTemplates says so, with the image's virtual and physical size."""
    deadline = time.monotonic() + seconds
    while True:
        row = client.listTemplates(templatefilter="self", id=template_id, fetch_list=True)[0]
        if row["isready"] or row["status"].startswith("Download Error") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert row["isready"] is True, row
    physical = (image_server.directory / TEMPLATE_FILE).stat().st_size
    assert (row["size"], row["physicalsize"]) == (TEMPLATE_VIRTUAL_SIZE, physical)
    return row


def _kvm_zone(client: CloudStack, server: RunningServer, image_server, name: str, host_uris: list[str],
              pool_dir: Path, request: pytest.FixtureRequest, libvirt_hosts: list) -> dict:
    """A zone with one KVM cluster of `host_uris`, a directory pool, the qcow2 template (ready) and
    two offerings, built with the API as an operator would."""
    pool_dir.mkdir()
    zone = client.createZone(name=name, networktype="Advanced", dns1="8.8.8.8", internaldns1="10.0.0.2",
                             guestcidraddress="10.1.1.0/24", allocationstate="Disabled")["zone"]
    pod = client.createPod(zoneid=zone["id"], name=f"{name}-pod", gateway="172.16.0.1", netmask="255.255.255.0",
                           startip="172.16.0.10", endip="172.16.0.200")["pod"]
    cluster = client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername=f"{name}-cluster",
                                clustertype="CloudManaged", hypervisor="KVM")["cluster"][0]
    hosts = [client.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="KVM", url=uri,
                            username="root", password="unused-without-sasl")["host"][0] for uri in host_uris]
    pool = client.createStoragePool(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], scope="cluster",
                                    name=f"{name}-primary", url=f"file://{pool_dir}",
                                    capacitybytes=str(10 * 2**30))["storagepool"]
    for daemon in libvirt_hosts:
        request.addfinalizer(lambda daemon=daemon: daemon.forget_pool(pool["id"]))
    os_type = client.listOsTypes(fetch_list=True)[0]["id"]
    template = client.registerTemplate(name=f"{name}-tiny", displaytext="tiny qcow2", format="QCOW2",
                                       hypervisor="KVM", ostypeid=os_type, url=image_server.template_url,
                                       zoneid=zone["id"], checksum=image_server.md5, ispublic=True,
                                       isdynamicallyscalable=True)["template"][0]
    _wait_until_ready(client, template["id"], image_server)
    client.updateZone(id=zone["id"], allocationstate="Enabled")
    client.updateConfiguration(name="enable.dynamic.scale.vm", value="true", zoneid=zone["id"])
    offerings = {size: client.createServiceOffering(name=f"{name}-{size}", displaytext=f"{cpus}x{mhz} MHz, {mb} MiB",
                                                    cpunumber=cpus, cpuspeed=mhz, memory=mb)["serviceoffering"]
                 for size, cpus, mhz, mb in (("small", 1, 500, 64), ("large", 2, 1000, 128))}
    return {"zone": zone, "hosts": hosts, "pool": pool, "template": template, **offerings}


def _vm(client: CloudStack, vm_id: str) -> dict:
    return client.listVirtualMachines(id=vm_id, listall=True, fetch_list=True)[0]


def _wait_for_state(client: CloudStack, vm_id: str, state: str, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        vm = _vm(client, vm_id)
        if vm["state"] == state or time.monotonic() > deadline:
            return vm
        time.sleep(0.2)


def test_a_vm_lives_its_life_on_a_real_kvm_host(kvm_cloud, libvirtd, image_server, tmp_path: Path,
                                                request: pytest.FixtureRequest) -> None:
    server, client = kvm_cloud
    pool_dir = tmp_path / "primary"
    cloud = _kvm_zone(client, server, image_server, "kvm-zone", [libvirtd.uri], pool_dir, request, [libvirtd])
    zone, host, pool, template = cloud["zone"], cloud["hosts"][0], cloud["pool"], cloud["template"]
    small, large = cloud["small"], cloud["large"]
    nodeinfo = dict((k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in
                                                        libvirtd.virsh("nodeinfo").splitlines() if ":" in line))
    assert (host["hypervisor"], host["state"]) == ("KVM", "Up")
    assert host["cpunumber"] == int(nodeinfo["CPU(s)"])

    vm = client.deployVirtualMachine(zoneid=zone["id"], templateid=template["id"], serviceofferingid=small["id"],
                                     name="kvm-e2e", fetch_result=True)["virtualmachine"]
    name = vm["instancename"]
    assert (vm["state"], vm["hostid"], vm["cpunumber"], vm["memory"]) == ("Running", host["id"], 1, 64)
    info = libvirtd.dominfo(name)
    assert (info["State"], info["CPU(s)"], info["Used memory"]) == ("running", "1", "65536 KiB")
    root = client.listVolumes(virtualmachineid=vm["id"], type="ROOT", listall=True, fetch_list=True)[0]
    assert root["storageid"] == pool["id"]
    assert sorted(p.name for p in pool_dir.iterdir()) == sorted([f"template-{template['id']}",
                                                                  f"{root['id']}.qcow2"])

    snapshot = client.createVMSnapshot(virtualmachineid=vm["id"], snapshotmemory=True, name="before-scale",
                                       fetch_result=True)["vmsnapshot"]
    assert libvirtd.virsh("snapshot-list", name, "--name").split() == [snapshot["name"]]
    client.revertToVMSnapshot(vmsnapshotid=snapshot["id"], fetch_result=True)
    assert _vm(client, vm["id"])["state"] == "Running" and libvirtd.dominfo(name)["State"] == "running"
    client.deleteVMSnapshot(vmsnapshotid=snapshot["id"], fetch_result=True)
    assert libvirtd.virsh("snapshot-list", name, "--name").split() == []

    client.scaleVirtualMachine(id=vm["id"], serviceofferingid=large["id"], fetch_result=True)
    scaled = _vm(client, vm["id"])
    info = libvirtd.dominfo(name)
    assert (scaled["state"], scaled["cpunumber"], scaled["memory"]) == ("Running", 2, 128)
    assert (info["State"], info["CPU(s)"], info["Used memory"]) == ("running", "2", "131072 KiB")

    disk_offering = client.createDiskOffering(name="kvm-data", displaytext="1 GiB", disksize=1)["diskoffering"]
    data = client.createVolume(name="kvm-data", zoneid=zone["id"], diskofferingid=disk_offering["id"],
                               fetch_result=True)["volume"]
    client.attachVolume(id=data["id"], virtualmachineid=vm["id"], fetch_result=True)
    plugged = libvirtd.virsh("domblklist", name)
    assert f"{data['id']}.qcow2" in plugged and "sdb" in plugged  # hot-plugged into the running domain
    client.detachVolume(id=data["id"], fetch_result=True)
    assert f"{data['id']}.qcow2" not in libvirtd.virsh("domblklist", name)
    client.deleteVolume(id=data["id"])
    assert not (pool_dir / f"{data['id']}.qcow2").exists()

    stopped = client.stopVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert stopped["state"] == "Stopped" and libvirtd.dominfo(name)["State"] == "shut off"

    assert client.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == "Running"
    libvirtd.virsh("destroy", name)  # behind cirrostack's back
    assert _wait_for_state(client, vm["id"], "Stopped", 20)["state"] == "Stopped"
    events = client.listEvents(type="VM.STOP", listall=True, fetch_list=True)
    assert any("outside cirrostack" in event["description"] and vm["id"] in event["description"]
               for event in events), events

    client.destroyVirtualMachine(id=vm["id"], fetch_result=True)
    client.expungeVirtualMachine(id=vm["id"], fetch_result=True)
    assert name not in libvirtd.domain_names()
    assert [p.name for p in pool_dir.iterdir()] == [f"template-{template['id']}"]


def test_migrate_virtual_machine_moves_a_running_vm_between_two_kvm_hosts(kvm_cloud, libvirtd_pair, image_server,
                                                                          tmp_path: Path,
                                                                          request: pytest.FixtureRequest) -> None:
    server, client = kvm_cloud
    pair = [libvirtd_pair.source, libvirtd_pair.target]
    cloud = _kvm_zone(client, server, image_server, "kvm-pair", [daemon.uri for daemon in pair],
                      tmp_path / "shared", request, pair)
    source, target = cloud["hosts"]
    vm = client.deployVirtualMachine(zoneid=cloud["zone"]["id"], templateid=cloud["template"]["id"],
                                     serviceofferingid=cloud["small"]["id"], hostid=source["id"], name="kvm-mover",
                                     fetch_result=True)["virtualmachine"]
    assert (vm["state"], vm["hostid"]) == ("Running", source["id"])
    moved = client.migrateVirtualMachine(virtualmachineid=vm["id"], hostid=target["id"],
                                         fetch_result=True)["virtualmachine"]
    assert (moved["state"], moved["hostid"]) == ("Running", target["id"])
    assert vm["instancename"] not in libvirtd_pair.source.domain_names()
    assert libvirtd_pair.target.dominfo(vm["instancename"])["State"] == "running"
    client.destroyVirtualMachine(id=vm["id"], fetch_result=True)
    client.expungeVirtualMachine(id=vm["id"], fetch_result=True)
    assert vm["instancename"] not in libvirtd_pair.target.domain_names()
    assert [p.name for p in (tmp_path / "shared").iterdir()] == [f"template-{cloud['template']['id']}"]
