"""The offerings a fresh CloudStack 4.3 has: two compute offerings, four disk offerings and the
system offerings its system VMs run with (virtual routers, console proxy, secondary storage VM,
elastic and internal load balancer VMs). Values are column values of the offering tables."""

from __future__ import annotations

from typing import Any

SERVICE_OFFERINGS: list[dict[str, Any]] = [
    {"name": "Small Instance", "display_text": "Small Instance", "cpu_number": 1, "cpu_speed_mhz": 500,
     "memory_mb": 512},
    {"name": "Medium Instance", "display_text": "Medium Instance", "cpu_number": 1, "cpu_speed_mhz": 1000,
     "memory_mb": 1024},
]

_SYSTEM = {"is_system": True, "default_use": True, "offer_ha": True, "cpu_number": 1, "cpu_speed_mhz": 500}

SYSTEM_OFFERINGS: list[dict[str, Any]] = [
    {**_SYSTEM, "name": "System Offering For Software Router", "unique_name": "Cloud.Com-SoftwareRouter",
     "memory_mb": 128, "system_vm_type": "domainrouter"},
    {**_SYSTEM, "name": "System Offering For Software Router - Local Storage",
     "unique_name": "Cloud.Com-SoftwareRouter-Local", "memory_mb": 128, "system_vm_type": "domainrouter",
     "storage_type": "local"},
    {**_SYSTEM, "name": "System Offering For Console Proxy", "unique_name": "Cloud.com-ConsoleProxy",
     "memory_mb": 1024, "system_vm_type": "consoleproxy", "offer_ha": False},
    {**_SYSTEM, "name": "System Offering For Console Proxy - Local Storage",
     "unique_name": "Cloud.com-ConsoleProxy-Local", "memory_mb": 1024, "system_vm_type": "consoleproxy",
     "offer_ha": False, "storage_type": "local"},
    {**_SYSTEM, "name": "System Offering For Secondary Storage VM", "unique_name": "Cloud.com-SecondaryStorage",
     "memory_mb": 512, "system_vm_type": "secondarystoragevm", "offer_ha": False},
    {**_SYSTEM, "name": "System Offering For Secondary Storage VM - Local Storage",
     "unique_name": "Cloud.com-SecondaryStorage-Local", "memory_mb": 512, "system_vm_type": "secondarystoragevm",
     "offer_ha": False, "storage_type": "local"},
    {**_SYSTEM, "name": "System Offering For Elastic LB VM", "unique_name": "Cloud.Com-ElasticLBVm",
     "memory_mb": 128, "system_vm_type": "elasticloadbalancervm"},
    {**_SYSTEM, "name": "System Offering For Internal LB VM", "unique_name": "Cloud.Com-InternalLBVm",
     "memory_mb": 256, "system_vm_type": "internalloadbalancervm"},
    {**_SYSTEM, "name": "System Offering For Internal LB VM - Local Storage",
     "unique_name": "Cloud.Com-InternalLBVm-Local", "memory_mb": 256, "system_vm_type": "internalloadbalancervm",
     "storage_type": "local"},
]

DISK_OFFERINGS: list[dict[str, Any]] = [
    {"name": "Small", "display_text": "Small Disk, 5 GB", "disk_size_gb": 5},
    {"name": "Medium", "display_text": "Medium Disk, 20 GB", "disk_size_gb": 20},
    {"name": "Large", "display_text": "Large Disk, 100 GB", "disk_size_gb": 100},
    {"name": "Custom", "display_text": "Custom Disk", "disk_size_gb": 0, "is_customized": True},
]
