"""Primary storage allocation and a VM's volumes, at the service level (SQLite, then MariaDB):
concurrent allocations never overcommit a pool, ROOT volumes are sized from the template or a
custom root disk size, destroy/recover/expunge, and the usage events and limits volumes leave."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select

from cirrostack.db.models import Account, ServiceOffering, User
from cirrostack.db.models.compute import VirtualMachine, Volume, VolumeState
from cirrostack.db.models.infrastructure import Cluster, Zone
from cirrostack.db.models.storage import StoragePool
from cirrostack.db.models.usage import UsageEvent
from cirrostack.errors import InsufficientCapacity, InvalidParameter, ResourceLimitExceeded
from cirrostack.services import capacity, limits, storage_planner, templates, volumes
from cirrostack.services.accounts.auth import caller_for_user
from cirrostack.services.limits import ResourceType

GiB = 1024**3


def _ok(result: tuple[int, dict]) -> dict:
    status, body = result
    assert status == 200, body
    return body


@pytest.fixture
def cloud(operator_api):
    api = operator_api
    zone = _ok(api.root("createZone", name="z1", networktype="Advanced", dns1="8.8.8.8",
                        internaldns1="10.0.0.2"))["zone"]
    pod = _ok(api.root("createPod", name="p1", zoneid=zone["id"], gateway="10.1.0.1", netmask="255.255.255.0",
                       startip="10.1.0.10", endip="10.1.0.200"))["pod"]
    cluster = _ok(api.root("addCluster", clustername="c1", clustertype="CloudManaged", hypervisor="Simulator",
                           podid=pod["id"], zoneid=zone["id"]))["cluster"][0]
    pool = _ok(api.root("createStoragePool", name="primary1", url="nfs://10.0.0.5/export/primary",
                        zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                        capacitybytes=10 * GiB))["storagepool"]
    _ok(api.root("updateConfiguration", name="storage.overprovisioning.factor", value="1", storageid=pool["id"]))
    api.user("alice")
    database = api.server.database
    with database.session() as session:
        ids = {"zone": session.scalars(select(Zone.id).where(Zone.uuid == zone["id"])).one(),
               "cluster": session.scalars(select(Cluster.id).where(Cluster.uuid == cluster["id"])).one(),
               "pool": session.scalars(select(StoragePool.id).where(StoragePool.uuid == pool["id"])).one(),
               "alice": session.scalars(select(User.uuid).where(User.username == "alice")).one()}
    return database, ids


def _vm(session, ids, name: str = "vm1") -> VirtualMachine:
    owner = session.scalars(select(Account).where(Account.name == "alice")).one()
    offering = session.scalars(select(ServiceOffering).where(ServiceOffering.is_system.is_(False))).first()
    vm = VirtualMachine(name=name, account_id=owner.id, domain_id=owner.domain_id, zone_id=ids["zone"],
                        cluster_id=ids["cluster"], service_offering_id=offering.id, cpus=1, cpu_speed_mhz=500,
                        memory_mb=512, hypervisor_type="Simulator")
    session.add(vm)
    session.flush()
    return vm


def _template(session, ids):
    zone = session.get(Zone, ids["zone"])
    return templates.create_builtin_template(session, zone, session.get(Account, 1))


def test_concurrent_allocations_fill_a_pool_exactly_and_refuse_the_rest(cloud) -> None:
    database, ids = cloud
    with database.session() as session:
        owner = session.scalars(select(Account).where(Account.name == "alice")).one()
        account_id, domain_id = owner.id, owner.domain_id
    outcomes: list[str] = []
    start = threading.Barrier(24)

    def allocate(n: int) -> None:
        start.wait()
        try:
            with database.session() as session:
                pool = storage_planner.pick_pool(session, ids["zone"], ids["cluster"], GiB)
                session.add(Volume(name=f"v{n}", account_id=account_id, domain_id=domain_id, zone_id=ids["zone"],
                                   size_bytes=GiB, pool_id=pool.id, state=VolumeState.READY.value))
                session.flush()
            outcomes.append("placed")
        except InsufficientCapacity as error:
            assert "insufficient capacity" in str(error) and "primary1" not in str(error)
            outcomes.append("refused")

    threads = [threading.Thread(target=allocate, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("placed") == 10 and outcomes.count("refused") == 14
    with database.session() as session:
        assert storage_planner.allocated_bytes(session, [ids["pool"]]) == {ids["pool"]: 10 * GiB}
        assert capacity.pool_allocated_bytes(session, [ids["pool"]])[ids["pool"]] == 10 * GiB


def test_planner_honours_tags_and_pool_state(cloud) -> None:
    database, ids = cloud
    with database.session() as session:
        with pytest.raises(InsufficientCapacity, match="with tags ssd"):
            storage_planner.pick_pool(session, ids["zone"], ids["cluster"], GiB, ["ssd"])
        session.get(StoragePool, ids["pool"]).state = "Maintenance"
        session.flush()
        with pytest.raises(InsufficientCapacity, match="in cluster c1 or zone-wide in zone z1"):
            storage_planner.pick_pool(session, ids["zone"], ids["cluster"], GiB)


def test_root_volume_takes_template_size_or_custom_size_and_is_metered(cloud) -> None:
    database, ids = cloud
    with database.session() as session:
        caller = caller_for_user(session, ids["alice"])
        template = _template(session, ids)
        default_vm, custom_vm = _vm(session, ids, "a"), _vm(session, ids, "b")
        plain = volumes.create_root_volume(session, caller, default_vm, template)
        sized = volumes.root_size_bytes(session, template, ids["zone"], 5)
        custom = volumes.create_root_volume(session, caller, custom_vm, template, sized)
        assert (plain.volume_type, plain.device_id, plain.state) == ("ROOT", 0, "Ready")
        assert plain.size_bytes == templates.registration.SIMULATOR_TEMPLATE_SIZE and custom.size_bytes == 5 * GiB
        assert {plain.pool_id, custom.pool_id} == {ids["pool"]}
        with pytest.raises(InvalidParameter, match=r"^rootdisksize: 1 GiB is smaller than template"):
            volumes.root_size_bytes(session, template, ids["zone"], 1)
        events = session.scalars(select(UsageEvent).where(UsageEvent.type == "VOLUME.CREATE")
                                 .order_by(UsageEvent.id)).all()
        assert [(e.resource_uuid, e.size, e.offering_id, e.template_id) for e in events] == [
            (plain.uuid, plain.size_bytes, default_vm.service_offering_id, template.id),
            (custom.uuid, 5 * GiB, custom_vm.service_offering_id, template.id)]
        disks = volumes.disk_specs(session, custom_vm)
        assert [(d.uuid, d.kind, d.size_bytes, d.device_id) for d in disks] == [(custom.uuid, "ROOT", 5 * GiB, 0)]


def test_destroy_keeps_root_volume_recover_restores_it_expunge_frees_it(cloud) -> None:
    database, ids = cloud
    with database.session() as session:
        caller = caller_for_user(session, ids["alice"])
        vm = _vm(session, ids)
        root = volumes.create_root_volume(session, caller, vm, _template(session, ids), 3 * GiB)
        owner = limits.account_owner(session.get(Account, vm.account_id))
        assert limits.count_of(session, owner, ResourceType.PRIMARY_STORAGE) == 3 * GiB
        volumes.release_vm_volumes(session, vm, expunge=False)
        assert root.state == "Destroy"
        assert storage_planner.allocated_bytes(session, [ids["pool"]]) == {ids["pool"]: 3 * GiB}
        volumes.recover_vm_volumes(session, vm)
        assert root.state == "Ready"
        volumes.release_vm_volumes(session, vm, expunge=True)
        assert root.removed is not None and root.state == "Expunged"
        assert storage_planner.allocated_bytes(session, [ids["pool"]]) == {}
        assert limits.count_of(session, owner, ResourceType.PRIMARY_STORAGE) == 0
        assert limits.count_of(session, owner, ResourceType.VOLUME) == 0
        deleted = session.scalars(select(UsageEvent).where(UsageEvent.type == "VOLUME.DELETE")).one()
        assert (deleted.resource_uuid, deleted.size) == (root.uuid, 3 * GiB)


def test_volume_limit_refuses_a_volume_and_resize_records_the_new_size(cloud) -> None:
    database, ids = cloud
    with database.session() as session:
        caller = caller_for_user(session, ids["alice"])
        owner_account = session.scalars(select(Account).where(Account.name == "alice")).one()
        zone = session.get(Zone, ids["zone"])
        custom = session.scalars(select(volumes.data_volumes.DiskOffering)
                                 .where(volumes.data_volumes.DiskOffering.is_customized.is_(True))).first()
        limits.set_limit(session, limits.account_owner(owner_account), ResourceType.VOLUME, 1)
        volume = volumes.create_volume(session, caller, name="d1", zone=zone, offering=custom, size_gib=2)
        with pytest.raises(ResourceLimitExceeded, match="volume"):
            volumes.create_volume(session, caller, name="d2", zone=zone, offering=custom, size_gib=2)
        assert session.scalar(select(func.count()).select_from(Volume).where(Volume.removed.is_(None))) == 1
        assert limits.count_of(session, limits.account_owner(owner_account), ResourceType.PRIMARY_STORAGE) == 2 * GiB
        volumes.resize_volume(session, caller, volume, size_gib=4)
        resized = session.scalars(select(UsageEvent).where(UsageEvent.type == "VOLUME.RESIZE")).one()
        assert (resized.resource_uuid, resized.size, resized.offering_id) == (volume.uuid, 4 * GiB, custom.id)
        assert json.loads(resized.details or "{}") == {}
        volumes.delete_volume(session, caller, volume)
        assert session.scalar(select(func.count()).select_from(Volume).where(Volume.removed.is_(None))) == 0
        assert limits.count_of(session, limits.account_owner(owner_account), ResourceType.VOLUME) == 0


def test_zone_wide_pool_takes_what_the_cluster_pool_cannot(cloud, operator_api) -> None:
    database, ids = cloud
    with database.session() as session:
        zone_uuid = session.get(Zone, ids["zone"]).uuid
    wide = _ok(operator_api.root("createStoragePool", name="wide", url="nfs://10.0.0.6/export/wide", zoneid=zone_uuid,
                                 scope="zone", hypervisor="Simulator", capacitybytes=50 * GiB))["storagepool"]
    with database.session() as session:
        first = storage_planner.pick_pool(session, ids["zone"], ids["cluster"], 8 * GiB)
        assert first.id == ids["pool"]  # first fit: the older pool while it has room
        session.get(StoragePool, ids["pool"]).capacity_bytes = 4 * GiB
        session.flush()
        second = storage_planner.pick_pool(session, ids["zone"], ids["cluster"], 8 * GiB)
        assert second.uuid == wide["id"]
        with pytest.raises(InsufficientCapacity):
            storage_planner.pick_pool(session, ids["zone"], ids["cluster"], 200 * GiB)


def test_expunge_detaches_data_volumes_which_stay_on_their_pool(cloud, operator_api) -> None:
    database, ids = cloud
    with database.session() as session:
        caller = caller_for_user(session, ids["alice"])
        vm = _vm(session, ids)
        volumes.create_root_volume(session, caller, vm, _template(session, ids), 2 * GiB)
        small = session.scalars(select(volumes.data_volumes.DiskOffering)
                                .where(volumes.data_volumes.DiskOffering.name == "Small")).one()
        data = volumes.create_volume(session, caller, name="keep", zone=session.get(Zone, ids["zone"]),
                                     offering=small)
        volumes.attach_volume(session, caller, operator_api.server.registry, data, vm)
        assert [v.volume_type for v in volumes.vm_volumes(session, vm)] == ["ROOT", "DATADISK"]
        volumes.release_vm_volumes(session, vm, expunge=True)
        assert (data.vm_id, data.device_id, data.removed, data.state) == (None, None, None, "Ready")
        assert storage_planner.allocated_bytes(session, [ids["pool"]]) == {ids["pool"]: 5 * GiB}
