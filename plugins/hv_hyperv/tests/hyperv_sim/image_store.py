"""Real SMB shares behind the simulated hosts: the image store (secondary storage) of the SMB tests.

A simulated host reaches such a share with its own domain account, as a Hyper-V host reaches
CloudStack's SMB secondary storage, so `attach_real_share` records the account once for all hosts.
The cmdlets here move real bytes with smbprotocol between the share and the hosts' in-memory files:
Copy-Item (a template copied onto a pool), Convert-VHD (a volume merged with its parent and written
to the share, for createTemplate), Get-Item and Get-FileHash on the share.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cirrostack.services.templates.image_checks import ImageMismatch, ImageProbe
from hyperv_sim.cmdlets import CMDLETS, cmdlet
from hyperv_sim.world import VM_OFF, CmdletError, SimHost, VirtualFile, World

_fake_file_hash = CMDLETS["get-filehash"]


@dataclass(frozen=True)
class RealShare:
    unc: str  # \\server\share as hosts name it
    port: int
    user: str
    password: str


def attach_real_share(world: World, unc: str, port: int, user: str, password: str) -> None:
    """Hosts reach the real share `unc` (served on 127.0.0.1:`port`) as `user`."""
    with world.lock:
        world.real_shares[unc.lower().rstrip("\\")] = RealShare(unc.rstrip("\\"), port, user, password)


def _real(world: World, path: str) -> RealShare | None:
    key = path.lower()
    return next((share for unc, share in world.real_shares.items() if key == unc or key.startswith(unc + "\\")),
                None)


def _options(share: RealShare) -> dict[str, Any]:
    import smbclient

    server = share.unc.lstrip("\\").split("\\")[0]
    cache: dict[str, Any] = {}
    smbclient.register_session(server, username=share.user, password=share.password, port=share.port,
                               connection_cache=cache)
    return {"port": share.port, "connection_cache": cache}


def _read_real(share: RealShare, path: str) -> bytes:
    import smbclient
    from smbprotocol.exceptions import SMBException

    options = _options(share)
    try:
        with smbclient.open_file(path, mode="rb", **options) as source:
            return source.read()
    except (SMBException, OSError) as exc:
        raise CmdletError(f"Cannot find path '{path}' because it does not exist.", "ObjectNotFound") from exc
    finally:
        smbclient.reset_connection_cache(connection_cache=options["connection_cache"])


def _write_real(share: RealShare, path: str, data: bytes) -> None:
    import smbclient

    options = _options(share)
    try:
        folder = path.rpartition("\\")[0]
        smbclient.makedirs(folder, exist_ok=True, **options)
        with smbclient.open_file(path, mode="wb", **options) as target:
            target.write(data)
    finally:
        smbclient.reset_connection_cache(connection_cache=options["connection_cache"])


def _virtual_size(data: bytes, name: str) -> int:
    probe = ImageProbe()
    probe.feed(data)
    try:
        return probe.virtual_size(name.rpartition(".")[2].upper())
    except ImageMismatch:
        return len(data)


def _put(world: World, host: SimHost, path: str, data: bytes) -> None:
    """Write `data` at `path`: onto a real share, or as a file of the host's (or a fake share's) folder."""
    share = _real(world, path)
    if share is not None:
        _write_real(share, path, data)
        return
    folder, _, name = path.rpartition("\\")
    world.folder(host, folder, create=not folder.startswith("\\\\"))[name.lower()] = \
        VirtualFile(name, _virtual_size(data, name), content=data)


def _content(world: World, host: SimHost, path: str) -> bytes:
    """The bytes of `path`; a differencing disk reads as its parent merged in (nothing is written to disks
    in this simulator, so that is the parent's bytes)."""
    share = _real(world, path)
    if share is not None:
        return _read_real(share, path)
    found = world.file(host, path)
    if found is None:
        raise CmdletError(f"Cannot find path '{path}' because it does not exist.", "ObjectNotFound")
    while found.parent and not found.content:
        parent = world.file(host, found.parent)
        if parent is None:
            raise CmdletError(f"The chain of virtual hard disks is broken: cannot open '{found.parent}'.",
                              "ObjectNotFound")
        found = parent
    return found.content


@cmdlet("Copy-Item")
def copy_item(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    _put(world, host, str(params["Destination"]), _content(world, host, str(params["Path"])))
    return []


@cmdlet("Convert-VHD")
def convert_vhd(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    source, target = str(params["Path"]), str(params["DestinationPath"])
    if _attached_to_running(world, source):
        raise CmdletError(f"The process cannot access the file '{source}' because it is being used by another "
                          "process.", "ResourceBusy")
    _put(world, host, target, _content(world, host, source))
    return []


def _attached_to_running(world: World, path: str) -> bool:
    for host in world.hosts.values():
        for vm in host.vms.values():
            if vm.state != VM_OFF and any(drive.path and drive.path.lower() == path.lower() for drive in vm.drives):
                return True
    return False


@cmdlet("Get-Item")
def get_item(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    path = str(params["Path"])
    data = _content(world, host, path)
    return [{"FullName": path, "Name": path.rpartition("\\")[2], "Length": len(data)}]


@cmdlet("Get-FileHash")
def get_filehash(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    path = str(params["Path"])
    share = _real(world, path)
    if share is None:
        return _fake_file_hash(world, host, params)
    algorithm = str(params.get("Algorithm", "SHA256")).upper()
    digest = hashlib.new(algorithm.lower(), _read_real(share, path)).hexdigest().upper()
    return [{"Algorithm": algorithm, "Hash": digest, "Path": path}]


_fake_smb_mapping = CMDLETS["new-smbmapping"]


@cmdlet("New-SmbMapping")
def new_smbmapping(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    share = world.real_shares.get(str(params["RemotePath"]).rstrip("\\").lower())
    if share is None:
        return _fake_smb_mapping(world, host, params)
    if str(params.get("UserName", "")).rpartition("\\")[2].lower() != share.user.lower() \
            or params.get("Password") != share.password:
        raise CmdletError("Access is denied.", "PermissionDenied")
    return [{"RemotePath": share.unc, "Status": 0}]


@cmdlet("New-Item")
def new_item(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    path = str(params["Path"]).rstrip("\\")
    if str(params.get("ItemType", "")).lower() != "directory":
        raise CmdletError("This simulator creates directories only.", "NotImplemented")
    share = _real(world, path)
    if share is not None:
        import smbclient

        options = _options(share)
        try:
            smbclient.makedirs(path, exist_ok=True, **options)
        finally:
            smbclient.reset_connection_cache(connection_cache=options["connection_cache"])
    else:
        world.folder(host, path, create=not path.startswith("\\\\"))
    return [{"FullName": path}]
