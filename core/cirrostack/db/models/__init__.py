"""The tables of the management server, one module per area; importing this package registers them all.

Every object the API shows has an integer primary key `id` and a `uuid` that the API calls `id`.
"""

from cirrostack.db.models.accounts import (
    Account,
    AccountState,
    AsyncJob,
    ConfigurationValue,
    Domain,
    DomainState,
    Event,
    JobStatus,
    ManagementServer,
    User,
    UserState,
)
from cirrostack.db.models.alerts import (
    Alert,
)
from cirrostack.db.models.compute import (
    HostReservation,
    VirtualMachine,
    VMDetail,
    VMState,
    Volume,
    VolumeState,
    VolumeType,
)
from cirrostack.db.models.infrastructure import (
    AllocationState,
    Cluster,
    ClusterType,
    Host,
    HostDetail,
    HostState,
    HostTag,
    HostType,
    ManagedState,
    NetworkType,
    Pod,
    ResourceState,
    Zone,
)
from cirrostack.db.models.keys import (
    SSHKeyPair,
)
from cirrostack.db.models.limits import (
    ResourceCount,
    ResourceLimit,
)
from cirrostack.db.models.offerings import (
    DiskOffering,
    ServiceOffering,
)
from cirrostack.db.models.storage import (
    ImageStore,
    ImageStoreDetail,
    PoolState,
    StoragePool,
    StoragePoolDetail,
    StoragePoolTag,
    StoreRole,
    StoreScope,
)
from cirrostack.db.models.templates import (
    GuestOS,
    GuestOSCategory,
    Template,
    TemplatePermission,
    TemplateType,
    TemplateZoneRef,
)
from cirrostack.db.models.usage import (
    UsageEvent,
    UsageRecord,
)
from cirrostack.db.models.vm_snapshots import VMSnapshot, VMSnapshotState, VMSnapshotType

__all__ = [
    "ResourceCount",
    "ResourceLimit",
    "SSHKeyPair",
    "UsageEvent",
    "UsageRecord",
    "VMSnapshot",
    "VMSnapshotState",
    "VMSnapshotType",
    "HostReservation",
    "VMDetail",
    "VMState",
    "VirtualMachine",
    "Volume",
    "VolumeState",
    "VolumeType",
    "Account",
    "AccountState",
    "Alert",
    "AllocationState",
    "AsyncJob",
    "Cluster",
    "ClusterType",
    "ConfigurationValue",
    "DiskOffering",
    "Domain",
    "DomainState",
    "Event",
    "GuestOS",
    "GuestOSCategory",
    "Host",
    "HostDetail",
    "HostState",
    "HostTag",
    "HostType",
    "ImageStore",
    "ImageStoreDetail",
    "JobStatus",
    "ManagedState",
    "ManagementServer",
    "NetworkType",
    "Pod",
    "PoolState",
    "ResourceState",
    "ServiceOffering",
    "StoragePool",
    "StoragePoolDetail",
    "StoragePoolTag",
    "StoreRole",
    "StoreScope",
    "Template",
    "TemplatePermission",
    "TemplateType",
    "TemplateZoneRef",
    "User",
    "UserState",
    "Zone",
]
