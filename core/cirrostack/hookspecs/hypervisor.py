"""Hypervisors: the contract a hypervisor driver implements, and the hook that registers it.

A driver is one object per hypervisor type. It keeps no database state: every call names the
host (`HostRef`) and the VM (`VMSpec`/`VMRef`) it is about. Long operations are run by the core
inside async jobs, so a driver method may block until the hypervisor has finished.

Drivers raise only the errors of `cirrostack.errors`. The core turns anything else into a
`PluginError` naming the plugin, so a vendor exception never reaches an API client raw.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs._capability import requires
from cirrostack.hookspecs._markers import hookspec
from cirrostack.hookspecs.hypervisor_console import ConsoleOperations
from cirrostack.hookspecs.hypervisor_images import ImageOperations
from cirrostack.hookspecs.hypervisor_security_groups import SecurityGroupOperations
from cirrostack.hookspecs.hypervisor_volume_snapshots import VolumeSnapshotOperations


@dataclass(frozen=True)
class HypervisorCapabilities:
    """What a driver can do. The API, the scheduler and the core's guard check these first.

    A request that needs a capability the driver does not declare is refused by the core with
    a 432 naming the hypervisor type and the capability; the driver is never called.
    """

    live_migration: bool = False
    """Moves a running VM to another host without stopping it (migrateVirtualMachine)."""

    scale_running_vm: bool = False
    """Changes CPUs and memory of a running VM (scaleVirtualMachine without a stop)."""

    vm_snapshots: bool = False
    """Takes, reverts and deletes VM snapshots (createVMSnapshot)."""

    vm_snapshot_memory: bool = False
    """VM snapshots can include memory (createVMSnapshot snapshotmemory=true)."""

    volume_snapshots: bool = False
    """Snapshots single volumes (createSnapshot)."""

    security_groups: bool = False
    """Enforces security groups on guest NICs in basic zones."""

    security_groups_in_advanced_zone: bool = False
    """Enforces security groups in advanced zones as well."""

    vpc: bool = False
    """Runs VMs on VPC tiers."""

    affinity_groups: bool = True
    """Honours host affinity and anti-affinity groups when placing VMs."""

    network_throttling: bool = True
    """Limits a NIC's bandwidth to the network rate of its offering."""

    ipv6: bool = True
    """Gives guest NICs IPv6 addresses."""

    pvlan: bool = False
    """Supports private VLANs on shared networks."""

    guest_ha: bool = True
    """Its VMs can be restarted elsewhere when their host fails (HA-enabled offerings)."""

    redundant_router: bool = True
    """Runs redundant virtual router pairs."""

    object_store: bool = True
    """Its hosts can use templates from an object store through a staging store."""

    mixed_hypervisor_zone: bool = True
    """Its clusters can share a zone with clusters of other hypervisor types."""

    zone_wide_primary_storage: bool = True
    """Its hosts can use zone-wide primary storage."""

    nic_bonding: bool = True
    """Bonds host NICs for guest traffic."""

    storage_protocols: frozenset[str] = frozenset()
    """Primary storage protocols its hosts mount: "nfs", "iscsi", "smb", ..."""

    isolation_methods: frozenset[str] = frozenset({"VLAN"})
    """Guest isolation methods its hosts can be plumbed for ("VLAN", "VXLAN", ...)."""

    max_guests_per_host: int = 0
    """VMs one host may run; 0: no limit declared."""

    max_data_volumes: int = 6
    """Data volumes one VM may have attached."""

    max_hosts_per_cluster: int = 0
    """Hosts one cluster may hold; 0: no limit declared."""

    storage_motion: bool = False
    """Moves a running VM's volumes to other primary storage with the VM (storage live migration)."""

    hot_plug_volumes: bool = False
    """Attaches and detaches data volumes and ISOs while the VM runs (attach_disk/detach_disk).
    Without it the core records the change and the VM gets it at its next start."""

    boot_from_iso: bool = True
    """Deploys a VM from an ISO (a blank ROOT disk plus the ISO as its first boot device)."""

    template_from_volume: bool = False
    """Copies a stopped VM's volume to an image store as a new template, and exports a volume for
    download (hypervisor_images.ImageOperations)."""

    console_access: bool = False
    """Tells where a VM's console listens and how to reach it (hypervisor_console.ConsoleOperations)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for listHypervisorCapabilities and `cirro plugins list --json`."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            out[name] = sorted(value) if isinstance(value, frozenset) else value
        return out


@dataclass(frozen=True)
class HostRef:
    """A hypervisor host as the driver needs to reach it.

    `password` arrives decrypted for the duration of the call; drivers must not log it.
    """

    uuid: str
    name: str
    url: str
    username: str = ""
    password: str = field(default="", repr=False)
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HostInfo:
    """What a host reports about itself when it is added and when it is polled."""

    sockets: int
    cores_per_socket: int
    threads_per_core: int
    cpu_mhz: int
    memory_bytes: int
    hypervisor_version: str
    cpu_model: str = ""
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def total_cores(self) -> int:
        return self.sockets * self.cores_per_socket


BONDED_DEVICES_DETAIL = "network.bonded_devices"
"""HostInfo.details key: JSON object {device: bond or team name} of the host's network devices (the
names traffic labels give: bridges, virtual switches) that sit on a bond or NIC team. The core refuses
cloud traffic over them on a hypervisor that does not declare `nic_bonding`."""

DEFAULT_DEVICE_DETAIL = "network.default_device"
"""HostInfo.details key: the device that carries traffic whose traffic type has no label for this
hypervisor."""


class HostState(enum.Enum):
    UP = "Up"
    DOWN = "Down"
    DISCONNECTED = "Disconnected"


@dataclass(frozen=True)
class StoragePoolRef:
    """The primary storage pool a disk lives on, as createStoragePool described it.

    `url` is what the operator gave ("nfs://server/export", "file:///var/lib/pool",
    "smb://server/share"); `protocol` its scheme in lower case; `path` the export or directory.
    `details` hold the pool's details (an SMB pool's "user", "password" and "domain", decrypted
    for the call; drivers must not log them).
    """

    uuid: str
    name: str
    url: str
    protocol: str
    path: str = ""
    details: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class TemplateSpec:
    """The template or ISO a disk is made from, as registerTemplate/registerIso described it.

    `url` is where the driver may fetch it (http(s)://, or a file on a secondary store the
    host mounts); `format` is "QCOW2", "RAW", "VHD", "VHDX", "OVA" or "ISO"; `checksum` is
    the registered MD5/SHA checksum ("" when none was given).
    """

    uuid: str
    name: str
    url: str
    format: str
    checksum: str = ""
    size_bytes: int = 0
    secondary_store_url: str = ""


@dataclass(frozen=True)
class DiskSpec:
    """One disk of a VM: the ROOT volume, a data volume or an ISO.

    `path` is the name the core gave the volume on its pool (its uuid unless a driver reported
    another one). A ROOT volume made from a template carries `template`; a data volume or the
    blank ROOT disk of an ISO deploy carries none. An ISO carries `template` (format "ISO") and
    no pool.
    """

    uuid: str
    kind: str  # "ROOT", "DATADISK" or "ISO"
    size_bytes: int = 0
    path: str = ""
    template_url: str = ""
    device_id: int = 0
    pool: StoragePoolRef | None = None
    template: TemplateSpec | None = None


@dataclass(frozen=True)
class NicSpec:
    """One guest NIC. `bridge` is the host bridge the isolation method plumbed for the NIC's
    network on the VM's host ("" when the network needs none, e.g. on the simulator)."""

    uuid: str
    mac_address: str
    ip_address: str = ""
    network_uuid: str = ""
    broadcast_uri: str = ""  # "vlan://100", "vxlan://5001", ...
    is_default: bool = False
    device_id: int = 0
    netmask: str = ""
    gateway: str = ""
    bridge: str = ""


@dataclass(frozen=True)
class VMSpec:
    """Everything a hypervisor needs to define and run a VM."""

    uuid: str
    instance_name: str  # "i-<accountid>-<vmid>-VM", unique per cloud
    cpus: int
    cpu_speed_mhz: int
    memory_mb: int
    disks: tuple[DiskSpec, ...] = ()
    nics: tuple[NicSpec, ...] = ()
    os_type: str = ""
    max_cpus: int = 0  # upper bound for later live scaling; 0 means `cpus`
    max_memory_mb: int = 0  # likewise for memory
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VMRef:
    """A VM the hypervisor already knows, named the way the core named it at start."""

    uuid: str
    instance_name: str


class PowerState(enum.Enum):
    RUNNING = "Running"
    STOPPED = "Stopped"
    PAUSED = "Paused"
    UNKNOWN = "Unknown"


@dataclass(frozen=True)
class VMStatus:
    """What the hypervisor reports about one VM."""

    instance_name: str
    power_state: PowerState
    cpus: int
    memory_mb: int
    host_uuid: str = ""


@dataclass(frozen=True)
class SnapshotSpec:
    name: str
    with_memory: bool = False
    quiesce: bool = False
    description: str = ""


@dataclass(frozen=True)
class SnapshotInfo:
    name: str
    with_memory: bool
    parent: str = ""


class HypervisorDriver(VolumeSnapshotOperations, SecurityGroupOperations, ImageOperations, ConsoleOperations, ABC):
    """A hypervisor type. Implement the abstract methods; override the optional ones only
    when `capabilities` declares what they need. The optional methods of volume snapshots,
    security groups, images and consoles are declared in the mixin classes it inherits.

    Methods are listed in the order the core calls them over a host's and a VM's life.
    """

    hypervisor_type: ClassVar[str]
    """The type as the API shows it: "KVM", "Hyperv", "XenServer", "VMware", "Simulator"."""

    capabilities: ClassVar[HypervisorCapabilities] = HypervisorCapabilities()

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        """`settings` holds the current values of the settings the plugin registered."""
        self.settings: Mapping[str, Any] = dict(settings or {})

    # -- hosts -------------------------------------------------------------------------------

    @abstractmethod
    def connect_host(self, host: HostRef) -> HostInfo:
        """Reach the host at `host.url` with its credentials and report what it is.

        Called by addHost and when a host reconnects. Idempotent; changes nothing on the host.
        Raises InvalidParameter("url", ...) for a URL this driver cannot use, HostUnreachable
        when the host does not answer or refuses the credentials (the message says which).
        """

    @abstractmethod
    def host_state(self, host: HostRef) -> HostState:
        """Whether the host answers now. Never raises for an unreachable host: returns DOWN."""

    @abstractmethod
    def list_vms(self, host: HostRef) -> dict[str, VMStatus]:
        """Every VM the host knows, keyed by instance name, for state reconciliation.

        Raises HostUnreachable.
        """

    # -- VM life cycle -----------------------------------------------------------------------

    @abstractmethod
    def start_vm(self, host: HostRef, vm: VMSpec) -> VMStatus:
        """Define `vm` on `host` if it is not there yet (or bring its definition up to `vm`),
        then power it on.

        Afterwards the host reports it RUNNING. If it already ran there, nothing changes.
        On failure, remove whatever this call defined. Returns the reported status.
        Raises HostUnreachable, InsufficientCapacity (the host cannot fit it).
        """

    @abstractmethod
    def stop_vm(self, host: HostRef, vm: VMRef, force: bool = False) -> VMStatus:
        """Power the VM off: a graceful shutdown, then a hard power-off if it does not stop in
        time or when `force` is true. Stopping a stopped VM changes nothing.
        Returns the reported status (STOPPED). Raises VMNotFound, HostUnreachable.
        """

    @abstractmethod
    def reboot_vm(self, host: HostRef, vm: VMRef) -> VMStatus:
        """Restart a running VM in place. Raises VMNotFound, InvalidState (not running)."""

    @abstractmethod
    def destroy_vm(self, host: HostRef, vm: VMRef) -> None:
        """Power off the VM if needed and remove its definition from the host.

        Idempotent: destroying a VM the host does not know succeeds. Removes nothing else
        (volumes belong to the storage workflow). Raises HostUnreachable.
        """

    @abstractmethod
    def vm_status(self, host: HostRef, vm: VMRef) -> VMStatus:
        """The VM as the host reports it now. Raises VMNotFound, HostUnreachable."""

    # -- optional -----------------------------------------------------------------------------

    def delete_disk(self, host: HostRef, disk: DiskSpec) -> None:
        """Remove the file or image that start_vm/attach_disk made for `disk` on its pool.

        The core calls it when a ROOT volume is expunged and when a data volume is deleted, with
        a host of the volume's cluster that is Up (the VM's last host when it has one). Removes
        nothing else (never the pool's template copy). Idempotent: a disk that is not there is
        fine. The default does nothing, for drivers that keep no disk files (the simulator).
        Raises HostUnreachable.
        """
        return None

    def watch_events(self, host: HostRef, notify: Callable[[str], None]) -> Callable[[], None] | None:
        """Start watching `host` for VM power changes made outside cirrostack.

        Call `notify(instance_name)` (from any thread) whenever a VM on the host changes power
        state; the core then reconciles that VM with `vm_status`. Returns a function that stops
        watching, or None when the driver cannot watch (the default): the core then relies on
        its periodic reconcile through `list_vms` alone. Must not block.
        """
        return None

    # -- optional, gated by capabilities -------------------------------------------------------

    @requires("hot_plug_volumes")
    def attach_disk(self, host: HostRef, vm: VMRef, disk: DiskSpec) -> None:
        """Attach a data volume or an ISO to a *running* VM. Needs `hot_plug_volumes`.

        Creates the volume's file on its pool first if the driver has not made it yet.
        Afterwards the running VM sees the disk at `disk.device_id`. Idempotent.
        Raises VMNotFound, InvalidParameter("deviceid", ...) for a slot the VM cannot take.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "hot_plug_volumes")

    @requires("hot_plug_volumes")
    def detach_disk(self, host: HostRef, vm: VMRef, disk: DiskSpec) -> None:
        """Detach a data volume or an ISO from a *running* VM, keeping the volume's file.
        Needs `hot_plug_volumes`. Idempotent. Raises VMNotFound.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "hot_plug_volumes")

    @requires("scale_running_vm")
    def scale_vm(self, host: HostRef, vm: VMRef, cpus: int, cpu_speed_mhz: int, memory_mb: int) -> VMStatus:
        """Change CPUs and memory of a *running* VM without stopping it. Needs `scale_running_vm`.

        Values stay within the maximums the VM was started with; beyond them raise
        InvalidParameter. Returns the new status. Stopped VMs are scaled by the core alone:
        their next start_vm carries the new spec.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "scale_running_vm")

    @requires("live_migration")
    def migrate_vm(self, source: HostRef, vm: VMRef, target: HostRef) -> VMStatus:
        """Move a running VM to `target` without stopping it. Needs `live_migration`.

        Afterwards `target` reports it RUNNING and `source` no longer knows it. On failure the
        VM keeps running on `source`. Raises HostUnreachable, InsufficientCapacity, VMNotFound.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "live_migration")

    @requires("vm_snapshot_memory", when=lambda args: args["snapshot"].with_memory)
    @requires("vm_snapshots")
    def create_vm_snapshot(self, host: HostRef, vm: VMRef, snapshot: SnapshotSpec) -> SnapshotInfo:
        """Take a snapshot of the VM's disks (and memory when `snapshot.with_memory`, which
        needs `vm_snapshot_memory`). Needs `vm_snapshots`. A second snapshot with the same name
        raises InvalidParameter("name", ...). Raises VMNotFound.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "vm_snapshots")

    @requires("vm_snapshots")
    def revert_vm_snapshot(self, host: HostRef, vm: VMRef, name: str) -> VMStatus:
        """Return the VM to snapshot `name`: running if the snapshot holds memory, else stopped.
        Raises VMNotFound for an unknown VM, InvalidParameter("vmsnapshotid", ...) for an
        unknown snapshot. Needs `vm_snapshots`.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "vm_snapshots")

    @requires("vm_snapshots")
    def delete_vm_snapshot(self, host: HostRef, vm: VMRef, name: str) -> None:
        """Remove snapshot `name`, keeping the VM's current state. Idempotent for a snapshot
        that is already gone. Needs `vm_snapshots`.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "vm_snapshots")

    @requires("vm_snapshots")
    def list_vm_snapshots(self, host: HostRef, vm: VMRef) -> list[SnapshotInfo]:
        """The VM's snapshots, oldest first. Needs `vm_snapshots`. Raises VMNotFound."""
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "vm_snapshots")


@hookspec
def register_hypervisors(register: Callable[[type[HypervisorDriver]], None]) -> None:
    """Call `register(cls)` once for each HypervisorDriver subclass the plugin ships.

    Registering is cheap: no vendor SDK may be imported here. Two plugins registering the same
    `hypervisor_type` is a conflict: the later one is left out and reported.
    """
