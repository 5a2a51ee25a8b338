"""What a KVM host reports about itself: topology, memory, versions and CPU model."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from cirrostack.hookspecs.hypervisor import HostInfo


def version_text(number: int) -> str:
    """libvirt's packed version (major * 1,000,000 + minor * 1,000 + release) as "9.0.0"."""
    return f"{number // 1_000_000}.{number // 1000 % 1000}.{number % 1000}"


def host_info(conn: Any) -> HostInfo:
    """HostInfo from libvirt's getInfo, versions and capabilities of the connection."""
    arch, memory_mib, _cpus, mhz, numa_nodes, sockets_per_node, cores, threads = conn.getInfo()
    driver = conn.getType()  # "QEMU", or "TEST" for libvirt's test driver
    libvirt_version = version_text(conn.getLibVersion())
    driver_version = version_text(conn.getVersion())
    capabilities = ET.fromstring(conn.getCapabilities())
    model = capabilities.findtext("host/cpu/model") or arch
    vendor = capabilities.findtext("host/cpu/vendor") or ""
    return HostInfo(
        sockets=max(1, numa_nodes * sockets_per_node),
        cores_per_socket=max(1, cores),
        threads_per_core=max(1, threads),
        cpu_mhz=max(1, mhz),
        memory_bytes=memory_mib * 1024 * 1024,
        hypervisor_version=f"{driver} {driver_version} (libvirt {libvirt_version})",
        cpu_model=f"{vendor} {model}".strip(),
        details={"libvirt.version": libvirt_version, f"{driver.lower()}.version": driver_version,
                 "arch": arch, "hostname": conn.getHostname(), "uri": conn.getURI()},
    )


def domain_type(conn: Any, configured: str) -> str:
    """The <domain type> for VMs of this connection: "test" on libvirt's test driver, else the
    configured "kvm"/"qemu", or with "auto" kvm when the host offers it and qemu (TCG) otherwise."""
    if conn.getType().upper() == "TEST":
        return "test"
    if configured in ("kvm", "qemu"):
        return configured
    offered = {element.get("type") for element in ET.fromstring(conn.getCapabilities()).iter("domain")}
    return "kvm" if "kvm" in offered else "qemu"
