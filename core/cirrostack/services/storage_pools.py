"""Primary storage pools: create, list, update, maintenance and delete (root admin).

A pool is cluster-wide (its hosts mount it; the cluster's hypervisor must declare the URL's
protocol in `storage_protocols`) or zone-wide (`scope` ZONE with a `hypervisor` whose plugin
declares `zone_wide_primary_storage`). The core's own provider is `DefaultPrimary`; any other
provider name goes to the installed storage plugin that registered it, which measures the store.

Deleting needs the pool in Maintenance and nothing on it. What counts as "on it" comes from
checks the owning areas register (the volumes issue registers its volumes):

    register_pool_user(lambda session, pool, forced: "it holds 3 volumes" if ... else None)

Events: PRIMARY.STORAGE.CREATE, PRIMARY.STORAGE.UPDATE, PRIMARY.STORAGE.DELETE, and CloudStack's
MAINT.PREPARE.PS / MAINT.CANCEL.PS for maintenance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from cirrostack.db.base import new_uuid
from cirrostack.db.models.infrastructure import Cluster, Pod, Zone
from cirrostack.db.models.storage import PoolState, StoragePool, StoragePoolDetail, StoragePoolTag, StoreScope
from cirrostack.db.paging import fetch_page
from cirrostack.errors import InvalidParameter, InvalidState, ResourceInUse, UnsupportedOperation
from cirrostack.hookspecs.storage import StorageRole, StorageScope, StoreRef, validate_details
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import events
from cirrostack.services.context import Caller
from cirrostack.services.infrastructure._hypervisors import installed_type
from cirrostack.services.infrastructure._in_use import register_in_use_check
from cirrostack.services.scope import register_entity
from cirrostack.services.storage_urls import PoolLocation, parse_pool_url

BUILTIN_PROVIDER = "DefaultPrimary"
_SECRET_MARKERS = ("password", "secret")

PoolUserCheck = Callable[[Session, StoragePool, bool], str | None]
_pool_users: list[PoolUserCheck] = []


def register_pool_user(check: PoolUserCheck) -> None:
    """Add a check saying why a pool cannot be deleted yet (None: nothing of the caller's area on it).
    `forced` is deleteStoragePool's flag: destroyed-but-not-expunged objects may be ignored then."""
    if check not in _pool_users:
        _pool_users.append(check)


def unregister_pool_user(check: PoolUserCheck) -> None:
    if check in _pool_users:
        _pool_users.remove(check)


def providers(registry: PluginRegistry) -> list[str]:
    """Primary storage provider names: the core's own and those of installed plugins."""
    return sorted({BUILTIN_PROVIDER, *registry.storage_providers(StorageRole.PRIMARY)})


# -- create --------------------------------------------------------------------------------------


def create_pool(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, *, name: str, url: str,
                zone: Zone, pod: Pod | None = None, cluster: Cluster | None = None, scope: str | None = None,
                hypervisor: str | None = None, tags: Iterable[str] = (), details: Mapping[str, str] | None = None,
                provider: str | None = None, capacity_bytes: int | None = None, capacity_iops: int | None = None,
                managed: bool = False) -> StoragePool:
    """Add a pool after checking scope, URL protocol, hypervisor capabilities and provider."""
    location = parse_pool_url(url)
    chosen_scope = _scope(scope, cluster)
    if chosen_scope is StoreScope.CLUSTER:
        pod, hypervisor_type = _check_cluster_placement(registry, zone, pod, cluster)
    else:
        if cluster is not None or pod is not None:
            raise InvalidParameter("clusterid" if cluster is not None else "podid",
                                   "a zone-wide pool (scope=zone) belongs to no pod or cluster; leave it out")
        hypervisor_type = _zone_wide_hypervisor(registry, hypervisor)
    _check_protocol(registry, hypervisor_type, location)
    _check_name_free(session, zone, name)
    details = dict(details or {})
    if location.protocol == "SMB":
        missing = [key for key in ("user", "password") if not details.get(key)]
        if missing:
            raise InvalidParameter("details", f"an SMB (cifs://) pool needs details {' and '.join(missing)}")
    provider_name = provider or BUILTIN_PROVIDER
    pool = StoragePool(uuid=new_uuid(), name=name, zone_id=zone.id, pod_id=pod.id if pod else None,
                       cluster_id=cluster.id if cluster else None, scope=chosen_scope.value,
                       hypervisor_type=hypervisor_type, url=location.url, pool_type=location.pool_type,
                       protocol=location.protocol, host_address=location.host, path=location.path,
                       port=location.port, provider=provider_name, state=PoolState.UP.value,
                       capacity_bytes=capacity_bytes or 0, capacity_iops=capacity_iops, managed=managed)
    if location.user:
        details.setdefault("user", location.user)
    if location.secret:
        details["secret"] = location.secret
    if provider_name.lower() != BUILTIN_PROVIDER.lower():
        pool.provider, details = _plugin_provider_setup(registry, provider_name, pool, zone, details)
    pool.tags = [StoragePoolTag(tag=tag) for tag in _unique(tags)]
    pool.details = [_detail(secrets, key, value) for key, value in details.items()]
    session.add(pool)
    session.flush()
    events.record(session, caller, "PRIMARY.STORAGE.CREATE", f"Created primary storage pool {name} ({location.url})",
                  resource_type="StoragePool", resource_uuid=pool.uuid)
    return pool


def _scope(scope: str | None, cluster: Cluster | None) -> StoreScope:
    if scope is None:
        return StoreScope.CLUSTER
    for candidate in (StoreScope.CLUSTER, StoreScope.ZONE):
        if scope.strip().upper() == candidate.value:
            return candidate
    raise InvalidParameter("scope", f"{scope!r} is not a primary storage scope; use cluster or zone")


def _check_cluster_placement(registry: PluginRegistry, zone: Zone, pod: Pod | None,
                             cluster: Cluster | None) -> tuple[Pod, str]:
    if cluster is None:
        raise InvalidParameter("clusterid", "a cluster-wide pool needs clusterid (for a zone-wide pool pass "
                                            "scope=zone and hypervisor)")
    if cluster.zone_id != zone.id:
        raise InvalidParameter("clusterid", f"cluster {cluster.name} is in zone {cluster.zone.name}, not in zone "
                                            f"{zone.name}")
    if pod is not None and cluster.pod_id != pod.id:
        raise InvalidParameter("podid", f"cluster {cluster.name} is in pod {cluster.pod.name}, not in pod {pod.name}")
    return cluster.pod, installed_type(registry, cluster.hypervisor_type, param="clusterid")


def _zone_wide_hypervisor(registry: PluginRegistry, hypervisor: str | None) -> str:
    if not hypervisor:
        raise InvalidParameter("hypervisor", "a zone-wide pool (scope=zone) needs the hypervisor type of the hosts "
                                             "that will use it")
    hypervisor_type = installed_type(registry, hypervisor)
    if not registry.hypervisor_class(hypervisor_type).capabilities.zone_wide_primary_storage:
        raise UnsupportedOperation(f"hypervisor {hypervisor_type}", "zone_wide_primary_storage",
                                   "its hosts cannot use a zone-wide pool (scope=zone); add the pool to a cluster")
    return hypervisor_type


def _check_protocol(registry: PluginRegistry, hypervisor_type: str, location: PoolLocation) -> None:
    accepted = registry.hypervisor_class(hypervisor_type).capabilities.storage_protocols
    if location.protocol.lower() in {protocol.lower() for protocol in accepted}:
        return
    listed = ", ".join(sorted(accepted)) or "none declared"
    raise InvalidParameter("url", f"{location.url} uses protocol {location.protocol}, which hypervisor "
                                  f"{hypervisor_type} does not mount (accepted protocols: {listed})")


def _check_name_free(session: Session, zone: Zone, name: str) -> None:
    taken = session.scalar(select(StoragePool.id).where(StoragePool.zone_id == zone.id, StoragePool.removed.is_(None),
                                                        func.lower(StoragePool.name) == name.lower()))
    if taken is not None:
        raise InvalidParameter("name", f"zone {zone.name} already has a primary storage pool named {name}")


def _plugin_provider_setup(registry: PluginRegistry, name: str, pool: StoragePool, zone: Zone,
                           details: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """Hand a pool to a plugin provider: check it serves primary storage at this scope, validate
    the details against its declaration and let it measure the store."""
    if name.lower() not in {known.lower() for known in registry.storage_providers(StorageRole.PRIMARY)}:
        raise InvalidParameter("provider", f"no installed storage plugin provides primary storage provider {name!r} "
                                           f"(available: {', '.join(providers(registry))})")
    provider_class = registry.storage_provider_class(name)
    scope = StorageScope(pool.scope)
    if scope not in provider_class.capabilities.scopes:
        allowed = ", ".join(sorted(s.value for s in provider_class.capabilities.scopes))
        raise InvalidParameter("scope", f"storage provider {provider_class.provider_name} takes scopes {allowed}, "
                                        f"not {scope.value}")
    checked = validate_details(provider_class, details)
    store = StoreRef(uuid=pool.uuid, name=pool.name, url=pool.url, role=StorageRole.PRIMARY, scope=scope,
                     zone_uuid=zone.uuid, details=checked)
    measured = registry.storage_provider(name).initialise_store(store)
    pool.capacity_bytes = pool.capacity_bytes or measured.total_bytes
    pool.used_bytes = measured.used_bytes
    return provider_class.provider_name, checked


def _detail(secrets: Any, key: str, value: Any) -> StoragePoolDetail:
    secret = any(marker in key.lower() for marker in _SECRET_MARKERS)
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return StoragePoolDetail(name=key, value=secrets.encrypt(text) if secret else text, encrypted=secret)


def _unique(tags: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for tag in (t.strip() for t in tags):
        if tag and tag not in seen:
            seen.append(tag)
    return seen


# -- read ----------------------------------------------------------------------------------------


def list_pools(session: Session, *, uuid: str | None = None, name: str | None = None, zone: Zone | None = None,
               pod: Pod | None = None, cluster: Cluster | None = None, ip_address: str | None = None,
               path: str | None = None, scope: str | None = None, keyword: str | None = None, page: int = 1,
               pagesize: int | None = None) -> tuple[list[StoragePool], int]:
    """Live pools matching every filter given, by name."""
    statement = select(StoragePool).where(StoragePool.removed.is_(None))
    for column, wanted in ((StoragePool.uuid, uuid), (StoragePool.host_address, ip_address),
                           (StoragePool.path, path)):
        if wanted is not None:
            statement = statement.where(column == wanted)
    if name is not None:
        statement = statement.where(func.lower(StoragePool.name) == name.lower())
    for column, obj in ((StoragePool.zone_id, zone), (StoragePool.pod_id, pod), (StoragePool.cluster_id, cluster)):
        if obj is not None:
            statement = statement.where(column == obj.id)
    if scope is not None:
        statement = statement.where(StoragePool.scope == _scope(scope, None).value)
    if keyword:
        pattern = f"%{keyword.lower()}%"
        statement = statement.where(or_(func.lower(StoragePool.name).like(pattern),
                                        func.lower(StoragePool.url).like(pattern)))
    return fetch_page(session, statement.order_by(StoragePool.name, StoragePool.id), page, pagesize)


def decrypted_details(pool: StoragePool, secrets: Any) -> dict[str, str]:
    """The pool's details in clear, for a storage provider or a hypervisor mounting it."""
    return {d.name: secrets.decrypt(d.value) if d.encrypted else d.value for d in pool.details}


# -- change --------------------------------------------------------------------------------------


def update_pool(session: Session, caller: Caller, pool: StoragePool, *, tags: Iterable[str] | None = None,
                capacity_bytes: int | None = None, capacity_iops: int | None = None) -> StoragePool:
    """Replace the tags and/or change the provisionable capacity (not below what is allocated)."""
    from cirrostack.services.capacity import pool_allocated_bytes

    if capacity_bytes is not None:
        allocated = pool_allocated_bytes(session, [pool.id]).get(pool.id, 0)
        if capacity_bytes < allocated:
            raise InvalidParameter("capacitybytes", f"{capacity_bytes} is less than the {allocated} bytes already "
                                                    f"allocated on pool {pool.name}")
        pool.capacity_bytes = capacity_bytes
    if capacity_iops is not None:
        pool.capacity_iops = capacity_iops
    if tags is not None:
        wanted = _unique(tags)
        pool.tags = [tag for tag in pool.tags if tag.tag in wanted]
        pool.tags += [StoragePoolTag(tag=tag) for tag in wanted if tag not in pool.tag_names]
    session.flush()
    events.record(session, caller, "PRIMARY.STORAGE.UPDATE", f"Updated primary storage pool {pool.name}",
                  resource_type="StoragePool", resource_uuid=pool.uuid)
    return pool


def enable_maintenance(session: Session, caller: Caller, pool: StoragePool) -> StoragePool:
    """Up -> PrepareForMaintenance -> Maintenance. Nothing runs on pools yet that would have to
    move first; the compute issue stops or migrates the VMs with volumes here in between."""
    if pool.state != PoolState.UP.value:
        raise InvalidState(f"id: primary storage pool {pool.name} is in state {pool.state}; only a pool in state Up "
                           f"can enter maintenance")
    pool.state = PoolState.PREPARE_FOR_MAINTENANCE.value
    session.flush()
    pool.state = PoolState.MAINTENANCE.value
    events.record(session, caller, "MAINT.PREPARE.PS", f"Primary storage pool {pool.name} is in maintenance",
                  resource_type="StoragePool", resource_uuid=pool.uuid)
    session.flush()
    return pool


def cancel_maintenance(session: Session, caller: Caller, pool: StoragePool) -> StoragePool:
    """Bring a pool in (or entering, or failed to enter) maintenance back Up."""
    leaving = (PoolState.MAINTENANCE.value, PoolState.PREPARE_FOR_MAINTENANCE.value,
               PoolState.ERROR_IN_MAINTENANCE.value)
    if pool.state not in leaving:
        raise InvalidState(f"id: primary storage pool {pool.name} is in state {pool.state}, not in maintenance")
    pool.state = PoolState.UP.value
    events.record(session, caller, "MAINT.CANCEL.PS", f"Primary storage pool {pool.name} left maintenance",
                  resource_type="StoragePool", resource_uuid=pool.uuid)
    session.flush()
    return pool


def delete_pool(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, pool: StoragePool,
                forced: bool = False) -> None:
    """Remove a pool in Maintenance that nothing uses; a plugin provider releases it first."""
    if pool.state != PoolState.MAINTENANCE.value:
        raise InvalidState(f"id: primary storage pool {pool.name} is in state {pool.state}; put it in maintenance "
                           f"(enableStorageMaintenance) before deleting it")
    reasons = [reason for check in _pool_users if (reason := check(session, pool, forced))]
    if reasons:
        raise ResourceInUse(f"primary storage pool {pool.name} ({pool.uuid}) cannot be deleted: {'; '.join(reasons)}")
    if pool.provider.lower() != BUILTIN_PROVIDER.lower():
        store = StoreRef(uuid=pool.uuid, name=pool.name, url=pool.url, role=StorageRole.PRIMARY,
                         scope=StorageScope(pool.scope), zone_uuid=pool.zone.uuid,
                         details=decrypted_details(pool, secrets))
        registry.storage_provider(pool.provider).remove_store(store)
    pool.mark_removed()
    events.record(session, caller, "PRIMARY.STORAGE.DELETE", f"Deleted primary storage pool {pool.name}",
                  resource_type="StoragePool", resource_uuid=pool.uuid)
    session.flush()


# -- what keeps zones, pods and clusters from being deleted ---------------------------------------


def _pools_under(column: Any, what: str) -> Callable[[Session, Any], str | None]:
    def check(session: Session, obj: Any) -> str | None:
        count = session.scalar(select(func.count()).select_from(StoragePool)
                               .where(column == obj.id, StoragePool.removed.is_(None))) or 0
        return f"{what} still has {count} primary storage pool(s)" if count else None

    return check


register_in_use_check("Zone", _pools_under(StoragePool.zone_id, "the zone"))
register_in_use_check("Pod", _pools_under(StoragePool.pod_id, "the pod"))
register_in_use_check("Cluster", _pools_under(StoragePool.cluster_id, "the cluster"))


def _root_admin_only(statement: Select[Any], caller: Caller) -> Select[Any]:
    return statement if caller.is_root_admin else statement.where(false())


register_entity("StoragePool", StoragePool, _root_admin_only)
