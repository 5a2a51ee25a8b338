"""Whether libvirt-python and libvirt's C library are there, found without importing them."""

from __future__ import annotations

import ctypes.util
import importlib.util

INSTALL_HINT = ("pip install 'cirrostack-hv-kvm[libvirt]' (it builds against libvirt: on Debian first "
                "apt-get install libvirt-dev pkg-config; hosts of the management server need libvirt0)")


def missing_libvirt() -> str:
    """Why the driver cannot work here ("" when libvirt-python and libvirt0 are both installed)."""
    if importlib.util.find_spec("libvirt") is None or importlib.util.find_spec("libvirtmod") is None:
        return f"libvirt-python is not installed: {INSTALL_HINT}"
    if ctypes.util.find_library("virt") is None:
        return f"libvirt's C library (libvirt.so.0) is not installed: {INSTALL_HINT}"
    return ""


def require_libvirt() -> None:
    """Raise ImportError with `missing_libvirt()`'s reason when libvirt cannot be used."""
    reason = missing_libvirt()
    if reason:
        raise ImportError(reason)
