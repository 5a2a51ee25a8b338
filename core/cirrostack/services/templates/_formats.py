"""Which image formats suit which hypervisor, as CloudStack 4.3 offers them when registering.

A hypervisor type an installed plugin provides but this table does not know accepts every disk
format (the plugin's own checks apply when it uses the image).
"""

from __future__ import annotations

from typing import Any

from cirrostack.errors import InvalidParameter

DISK_FORMATS = ("QCOW2", "RAW", "VHD", "VHDX", "OVA", "VMDK", "TAR", "BAREMETAL")
ISO_FORMAT = "ISO"

FORMATS_BY_HYPERVISOR: dict[str, tuple[str, ...]] = {
    "XenServer": ("VHD",),
    "KVM": ("QCOW2", "RAW", "VHD", "VMDK"),
    "VMware": ("OVA",),
    "Hyperv": ("VHD", "VHDX"),
    "LXC": ("TAR",),
    "BareMetal": ("BAREMETAL",),
    "Ovm": ("RAW",),
    "Simulator": ("VHD", "QCOW2", "RAW", "OVA", "VHDX", "VMDK"),
}


def hypervisor_type(registry: Any, value: str, param: str = "hypervisor") -> str:
    """`value` spelled as the API shows it ("kvm" -> "KVM"): an installed plugin's type, or one
    CloudStack knows. Anything else is a 431 naming `param` with the accepted types."""
    installed = list(registry.hypervisor_types()) if registry is not None else []
    for known in [*installed, *FORMATS_BY_HYPERVISOR]:
        if known.lower() == value.strip().lower():
            return known
    accepted = ", ".join(sorted({*installed, *FORMATS_BY_HYPERVISOR}))
    raise InvalidParameter(param, f"{value!r} is not a hypervisor type; use one of {accepted}")


def disk_format(value: str, hypervisor: str, param: str = "format") -> str:
    """The image format in capitals, if it suits `hypervisor`; else a 431 naming `param`."""
    wanted = value.strip().upper()
    if wanted == ISO_FORMAT:
        raise InvalidParameter(param, "ISO images are registered with registerIso, not registerTemplate")
    if wanted not in DISK_FORMATS:
        raise InvalidParameter(param, f"{value!r} is not an image format; use one of {', '.join(DISK_FORMATS)}")
    suitable = FORMATS_BY_HYPERVISOR.get(hypervisor, DISK_FORMATS)
    if wanted not in suitable:
        raise InvalidParameter(param, f"{wanted} images do not suit hypervisor {hypervisor}; "
                                      f"it takes {', '.join(suitable)}")
    return wanted
