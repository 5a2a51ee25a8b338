"""SMB secondary storage: the image store provider "SMB" that Hyper-V zones keep templates, ISOs and
exported volumes on (addImageStore provider=SMB url=cifs://server/share[/path] with details user,
password, domain).

The management server reaches the share itself over SMB 2/3 with `smbprotocol`, as CloudStack's
secondary storage VM would: a registered template is streamed onto the share, copied from it to
another zone's share and read back for extractTemplate. Hyper-V hosts copy from the same share by
its UNC path. `smbprotocol` is imported on the first call that reaches a share.

Layout on the share, below the URL's path: `template/tmpl/<template uuid>/<template uuid>.<format>`.
A copy is written to a `.part` file first and renamed into place, so a broken copy never looks like
a template.
"""

from __future__ import annotations

import hashlib
import io
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from cirrostack.errors import InvalidParameter, ResourceUnavailable
from cirrostack.hookspecs.details import DetailField
from cirrostack.hookspecs.storage import (
    DataObjectInfo,
    StorageCapabilities,
    StorageProvider,
    StorageRole,
    StorageScope,
    StoreCapacity,
    StoreRef,
    TemplateRef,
)

SMB_PORT = 445
CHUNK_BYTES = 1024 * 1024
TEMPLATE_FOLDER = "template/tmpl"
_EXTENSIONS = {"VHD": "vhd", "VHDX": "vhdx", "ISO": "iso", "QCOW2": "qcow2", "RAW": "img", "OVA": "ova"}


@dataclass(frozen=True)
class ShareLocation:
    """Where a `cifs://server[:port]/share[/path]` URL points: the share and the folder inside it."""

    server: str
    port: int
    share: str
    folder: str  # "" or "a/b", below the share

    @property
    def unc_root(self) -> str:
        """`\\\\server\\share[\\folder]`: the UNC path of the store's root, as a Windows host names it."""
        return "\\".join([f"\\\\{self.server}", self.share, *self.folder.split("/")]).rstrip("\\")

    def unc(self, path: str) -> str:
        """The UNC path of `path` (relative to the store's root, with `/`)."""
        parts = [part for part in path.split("/") if part]
        return "\\".join([self.unc_root, *parts])


def parse_share_url(url: str) -> ShareLocation:
    """Split a store URL; raises InvalidParameter("url", ...) for anything but cifs://server/share[/path]."""
    parts = urlsplit(url.strip())
    segments = [segment for segment in parts.path.split("/") if segment]
    if parts.scheme.lower() not in ("cifs", "smb") or not parts.hostname or not segments:
        raise InvalidParameter("url", f"{url!r} is not an SMB share URL; expected cifs://server/share[/path]")
    try:
        port = parts.port or SMB_PORT
    except ValueError as exc:
        raise InvalidParameter("url", f"{url!r} has an invalid port: {exc}") from exc
    return ShareLocation(parts.hostname, port, segments[0], "/".join(segments[1:]))


def unc_path(url: str) -> str:
    """The UNC path a Windows host opens for `cifs://server[:port]/share/path` (a port is dropped:
    Windows reaches SMB on 445)."""
    location = parse_share_url(url)
    return location.unc_root


def template_path(template: TemplateRef) -> str:
    """Where `template` goes on a store, relative to its root."""
    extension = _EXTENSIONS.get(template.format.upper(), template.format.lower() or "bin")
    return f"{TEMPLATE_FOLDER}/{template.uuid}/{template.uuid}.{extension}"


class SmbImageStore(StorageProvider):
    """Image stores on SMB shares, reached with the store's user, password and domain."""

    provider_name = "SMB"
    capabilities = StorageCapabilities(roles=frozenset({StorageRole.IMAGE}),
                                       scopes=frozenset({StorageScope.ZONE}), protocols=frozenset({"smb"}))
    detail_fields = (
        DetailField("user", "User", "The account that may read and write the share.", required=True),
        DetailField("password", "Password", "That account's password.", required=True, secret=True),
        DetailField("domain", "Domain", "The account's domain or workgroup (empty: a local account of the "
                                        "file server).", default=""),
    )

    def initialise_store(self, store: StoreRef) -> StoreCapacity:
        with _share(store) as share:
            share.makedirs(TEMPLATE_FOLDER)
            return share.capacity()

    def capacity(self, store: StoreRef) -> StoreCapacity:
        with _share(store) as share:
            return share.capacity()

    def copy_template_in(self, store: StoreRef, template: TemplateRef, source: BinaryIO) -> DataObjectInfo:
        path = template_path(template)
        with _share(store) as share:
            return share.write(path, source)

    def copy_template_out(self, store: StoreRef, path: str, target: BinaryIO) -> int:
        with _share(store) as share:
            return share.read(path, target)

    def template_size(self, store: StoreRef, path: str) -> int:
        with _share(store) as share:
            return share.size(path)

    def open_template(self, store: StoreRef, path: str) -> BinaryIO:
        """The file opened on the share; its connection stays logged on until the stream is closed."""
        connection = ExitStack()
        try:
            share = connection.enter_context(_share(store))
            return _ShareReader(share.open_for_reading(path), connection, f"{share.label}: reading {path}")
        except BaseException:
            connection.__exit__(*sys.exc_info())  # as a `with` would: SMB failures become ResourceUnavailable
            raise

    def delete_template(self, store: StoreRef, path: str) -> None:
        with _share(store) as share:
            share.remove(path)

    def remove_store(self, store: StoreRef) -> None:
        """Nothing to release: every call opens and closes its own connection."""


@contextmanager
def _share(store: StoreRef) -> Iterator[_ShareSession]:
    """A logged-on connection to the store's share, closed on exit; SMB failures become cirrostack errors."""
    import smbclient
    from smbprotocol.exceptions import LogonFailure, SMBException

    location = parse_share_url(store.url)
    user, domain = str(store.details.get("user", "")), str(store.details.get("domain", "") or "")
    account = f"{domain}\\{user}" if domain else user
    cache: dict[str, Any] = {}
    label = f"SMB image store {store.name} ({location.unc_root})"
    try:
        try:
            smbclient.register_session(location.server, username=account,
                                       password=str(store.details.get("password", "")), port=location.port,
                                       connection_cache=cache, connection_timeout=15)
        except LogonFailure as exc:
            raise ResourceUnavailable(f"{label} refused the logon of {account}: the user, password or domain is "
                                      f"wrong") from exc
        except (SMBException, OSError, ValueError) as exc:
            raise ResourceUnavailable(f"{label} could not be reached at {location.server}:{location.port}: "
                                      f"{exc}") from exc
        try:
            yield _ShareSession(location, {"port": location.port, "connection_cache": cache}, label)
        except (SMBException, OSError) as exc:
            raise ResourceUnavailable(f"{label}: {exc}") from exc
    finally:
        smbclient.reset_connection_cache(connection_cache=cache)


class _ShareSession:
    """File operations on one share with one logged-on session; paths are relative to the store root."""

    def __init__(self, location: ShareLocation, options: dict[str, Any], label: str) -> None:
        self._location, self._options, self.label = location, options, label

    def makedirs(self, path: str) -> None:
        import smbclient

        # folder by folder from the share's root: smbclient.makedirs loops on a share that does not exist
        location = self._location
        current = f"\\\\{location.server}\\{location.share}"
        smbclient.stat(current, **self._options)
        for part in [*location.folder.split("/"), *path.split("/")]:
            if not part:
                continue
            current = f"{current}\\{part}"
            if not smbclient.path.isdir(current, **self._options):
                smbclient.mkdir(current, **self._options)

    def capacity(self) -> StoreCapacity:
        import smbclient

        volume = smbclient.stat_volume(self._location.unc_root, **self._options)
        return StoreCapacity(total_bytes=volume.total_size, used_bytes=volume.total_size - volume.actual_available_size)

    def write(self, path: str, source: BinaryIO) -> DataObjectInfo:
        """Stream `source` to `path` through a `.part` file renamed into place (replacing what was there)."""
        import smbclient

        folder = path.rpartition("/")[0]
        self.makedirs(folder)
        partial, final = self._location.unc(path + ".part"), self._location.unc(path)
        digest, size = hashlib.sha256(), 0
        try:
            with smbclient.open_file(partial, mode="wb", **self._options) as target:
                while chunk := source.read(CHUNK_BYTES):
                    target.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            smbclient.replace(partial, final, **self._options)
        except BaseException:
            self._remove_quietly(partial)
            raise
        return DataObjectInfo(path=path, size_bytes=size, sha256=digest.hexdigest())

    def read(self, path: str, target: BinaryIO) -> int:
        import smbclient

        unc = self._location.unc(path)
        if not smbclient.path.isfile(unc, **self._options):
            raise ResourceUnavailable(f"{self.label} has no file {path}")
        written = 0
        with smbclient.open_file(unc, mode="rb", **self._options) as source:
            while chunk := source.read(CHUNK_BYTES):
                target.write(chunk)
                written += len(chunk)
        return written

    def size(self, path: str) -> int:
        import smbclient

        unc = self._location.unc(path)
        if not smbclient.path.isfile(unc, **self._options):
            raise ResourceUnavailable(f"{self.label} has no file {path}")
        return int(smbclient.stat(unc, **self._options).st_size)

    def open_for_reading(self, path: str) -> Any:
        """The open file at `path` (the caller closes it); ResourceUnavailable naming `path` when absent."""
        import smbclient

        unc = self._location.unc(path)
        if not smbclient.path.isfile(unc, **self._options):
            raise ResourceUnavailable(f"{self.label} has no file {path}")
        return smbclient.open_file(unc, mode="rb", buffering=0, **self._options)

    def remove(self, path: str) -> None:
        """Remove `path` and its folder when that is left empty; a file already gone is fine."""
        import smbclient

        unc = self._location.unc(path)
        if smbclient.path.isfile(unc, **self._options):
            smbclient.remove(unc, **self._options)
        folder = self._location.unc(path.rpartition("/")[0])
        if path.startswith(TEMPLATE_FOLDER + "/") and smbclient.path.isdir(folder, **self._options) \
                and not smbclient.listdir(folder, **self._options):
            smbclient.rmdir(folder, **self._options)

    def _remove_quietly(self, unc: str) -> None:
        import smbclient
        from smbprotocol.exceptions import SMBException

        try:
            smbclient.remove(unc, **self._options)
        except (SMBException, OSError, ValueError):
            pass  # the copy's own failure is what the caller needs to see


class _ShareReader(io.RawIOBase):
    """A file open on a share, read by the chunk; closing it closes the file and logs the session off."""

    def __init__(self, file: Any, connection: ExitStack, label: str) -> None:
        super().__init__()
        self._file, self._connection, self._label = file, connection, label

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        from smbprotocol.exceptions import SMBException

        try:
            data = self._file.read(len(buffer))
        except (SMBException, OSError) as exc:
            raise ResourceUnavailable(f"{self._label} failed: {exc}") from exc
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._file.close()
            finally:
                self._connection.close()
        super().close()
