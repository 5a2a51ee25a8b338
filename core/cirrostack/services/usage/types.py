"""CloudStack's usage types (listUsageTypes) and the usage event types services record."""

from __future__ import annotations

import enum


class UsageType(enum.IntEnum):
    RUNNING_VM = 1
    ALLOCATED_VM = 2
    IP_ADDRESS = 3
    NETWORK_BYTES_SENT = 4
    NETWORK_BYTES_RECEIVED = 5
    VOLUME = 6
    TEMPLATE = 7
    ISO = 8
    SNAPSHOT = 9
    SECURITY_GROUP = 10
    LOAD_BALANCER_POLICY = 11
    PORT_FORWARDING_RULE = 12
    NETWORK_OFFERING = 13
    VPN_USERS = 14
    VM_DISK_IO_READ = 21
    VM_DISK_IO_WRITE = 22
    VM_DISK_BYTES_READ = 23
    VM_DISK_BYTES_WRITE = 24
    VM_SNAPSHOT = 25


#: listUsageTypes' descriptions, as CloudStack 4.3 words them.
DESCRIPTIONS = {
    UsageType.RUNNING_VM: "Running Vm Usage",
    UsageType.ALLOCATED_VM: "Allocated Vm Usage",
    UsageType.IP_ADDRESS: "IP Address Usage",
    UsageType.NETWORK_BYTES_SENT: "Network Usage (Bytes Sent)",
    UsageType.NETWORK_BYTES_RECEIVED: "Network Usage (Bytes Received)",
    UsageType.VOLUME: "Volume Usage",
    UsageType.TEMPLATE: "Template Usage",
    UsageType.ISO: "ISO Usage",
    UsageType.SNAPSHOT: "Snapshot Usage",
    UsageType.SECURITY_GROUP: "Security Group Usage",
    UsageType.LOAD_BALANCER_POLICY: "Load Balancer Usage",
    UsageType.PORT_FORWARDING_RULE: "Port Forwarding Usage",
    UsageType.NETWORK_OFFERING: "Network Offering Usage",
    UsageType.VPN_USERS: "VPN users usage",
    UsageType.VM_DISK_IO_READ: "VM Disk usage(I/O Read)",
    UsageType.VM_DISK_IO_WRITE: "VM Disk usage(I/O Write)",
    UsageType.VM_DISK_BYTES_READ: "VM Disk usage(Bytes Read)",
    UsageType.VM_DISK_BYTES_WRITE: "VM Disk usage(Bytes Write)",
    UsageType.VM_SNAPSHOT: "VM Snapshot storage usage",
}

VM_CREATE, VM_START, VM_STOP, VM_UPGRADE, VM_DESTROY = "VM.CREATE", "VM.START", "VM.STOP", "VM.UPGRADE", "VM.DESTROY"
VOLUME_CREATE, VOLUME_RESIZE, VOLUME_DELETE = "VOLUME.CREATE", "VOLUME.RESIZE", "VOLUME.DELETE"
SNAPSHOT_CREATE, SNAPSHOT_DELETE = "SNAPSHOT.CREATE", "SNAPSHOT.DELETE"

VM_EVENTS = frozenset({VM_CREATE, VM_START, VM_STOP, VM_UPGRADE, VM_DESTROY})
VOLUME_EVENTS = frozenset({VOLUME_CREATE, VOLUME_RESIZE, VOLUME_DELETE})
SNAPSHOT_EVENTS = frozenset({SNAPSHOT_CREATE, SNAPSHOT_DELETE})
EVENT_TYPES = VM_EVENTS | VOLUME_EVENTS | SNAPSHOT_EVENTS
