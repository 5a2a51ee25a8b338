"""Reading the `url` of createStoragePool and addImageStore: protocol, host, path, credentials.

Each URL scheme maps to CloudStack's pool type and to the protocol name hypervisor plugins
declare in `HypervisorCapabilities.storage_protocols` (compared without regard to case):

    nfs://host/path               NFS               NetworkFilesystem
    iscsi://host[:port]/iqn/lun   iSCSI             IscsiLUN
    SharedMountPoint:///path      SharedMountPoint  SharedMountPoint
    file:///path                  Filesystem        Filesystem
    rbd://[user:secret@]mon/pool  RBD               RBD
    cifs://host/share             SMB               SMB   (Hyper-V; details user, password, domain)
    clvm:///volume-group          CLVM              CLVM
    gluster://host/volume         Gluster           Gluster
    vmfs://vcenter/dc/datastore   VMFS              VMFS
    presetup:///path              PreSetup          PreSetup
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from cirrostack.errors import InvalidParameter


@dataclass(frozen=True)
class _Scheme:
    protocol: str
    pool_type: str
    needs_host: bool
    example: str


_SCHEMES: dict[str, _Scheme] = {
    "nfs": _Scheme("NFS", "NetworkFilesystem", True, "nfs://host/path"),
    "iscsi": _Scheme("iSCSI", "IscsiLUN", True, "iscsi://host/iqn/lun"),
    "sharedmountpoint": _Scheme("SharedMountPoint", "SharedMountPoint", False, "SharedMountPoint:///path"),
    "file": _Scheme("Filesystem", "Filesystem", False, "file:///path"),
    "rbd": _Scheme("RBD", "RBD", True, "rbd://user:secret@monitor/pool"),
    "cifs": _Scheme("SMB", "SMB", True, "cifs://host/share"),
    "clvm": _Scheme("CLVM", "CLVM", False, "clvm:///volume-group"),
    "gluster": _Scheme("Gluster", "Gluster", True, "gluster://host/volume"),
    "vmfs": _Scheme("VMFS", "VMFS", True, "vmfs://vcenter/datacenter/datastore"),
    "presetup": _Scheme("PreSetup", "PreSetup", False, "presetup:///path"),
}


@dataclass(frozen=True)
class PoolLocation:
    """A primary storage URL taken apart. `url` is the URL without any secret in it."""

    url: str
    protocol: str
    pool_type: str
    host: str
    port: int
    path: str
    user: str = ""
    secret: str = ""


def accepted_forms() -> str:
    """The URL forms createStoragePool understands, for error messages."""
    return ", ".join(scheme.example for scheme in _SCHEMES.values())


def parse_pool_url(url: str, param: str = "url") -> PoolLocation:
    """Take a primary storage URL apart; InvalidParameter naming `param` when it cannot be used."""
    parts = urlsplit(url.strip())
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        protocol = f"protocol {parts.scheme!r}" if parts.scheme else "no protocol"
        raise InvalidParameter(param, f"{url!r} has {protocol}; accepted forms: {accepted_forms()}")
    try:
        host, port = parts.hostname or "", parts.port or 0
    except ValueError:
        raise InvalidParameter(param, f"{url!r} has a port that is not a number") from None
    path = unquote(parts.path)
    if scheme.needs_host and not host:
        raise InvalidParameter(param, f"{url!r} names no host; expected {scheme.example}")
    if not path.strip("/"):
        raise InvalidParameter(param, f"{url!r} names no path; expected {scheme.example}")
    if scheme.protocol == "iSCSI":
        _check_iscsi_path(url, path, param)
    user, secret = unquote(parts.username or ""), unquote(parts.password or "")
    if secret and scheme.protocol != "RBD":
        raise InvalidParameter(param, f"put no password in a {scheme.protocol} URL; pass it in details instead")
    netloc = (f"{parts.username}@" if parts.username else "") + (parts.netloc.rpartition("@")[2])
    clean = f"{parts.scheme}://{netloc}{parts.path}"
    return PoolLocation(clean, scheme.protocol, scheme.pool_type, host, port, path, user, secret)


def _check_iscsi_path(url: str, path: str, param: str) -> None:
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) != 2 or not segments[1].isdigit():
        raise InvalidParameter(param, f"{url!r}: an iSCSI URL is iscsi://host/<target iqn>/<lun number>")


def parse_nfs_store_url(url: str, param: str = "url") -> tuple[str, str]:
    """(host, path) of an NFS image store URL `nfs://host/path`; InvalidParameter otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "nfs":
        raise InvalidParameter(param, f"{url!r}: an NFS image store URL has the form nfs://host/path")
    if not parts.hostname or not parts.path.strip("/"):
        raise InvalidParameter(param, f"{url!r} needs both a host and an export path (nfs://host/path)")
    return parts.hostname, unquote(parts.path)
