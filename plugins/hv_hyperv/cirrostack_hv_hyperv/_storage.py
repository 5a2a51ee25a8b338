"""Where a VM's files live on a Hyper-V host: pool folders, template copies, disk files, ISOs.

Primary storage is an SMB share (`cifs://server/share[/folder]`, details user, password, domain)
or a local folder (`file:///C:/ClusterStorage/pool`). A disk without a pool, and an ISO, go to the
host's default virtual hard disk folder (Get-VMHost's VirtualHardDiskPath). A ROOT disk made from a
template is a differencing VHD(X) whose parent is the template's copy on the same pool, fetched
once: copied from the SMB image store (secondary storage) when the zone keeps a copy there, else
downloaded from the template's URL. The host reads the image store with its own (domain) account,
as CloudStack requires of Hyper-V hosts: grant it read access to the share.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.hypervisor import DiskSpec, StoragePoolRef, TemplateSpec
from cirrostack_hv_hyperv._script import Step

_DISK_EXTENSIONS = {"VHD": "vhd", "VHDX": "vhdx"}


@dataclass(frozen=True)
class PoolFolder:
    """A folder on the host that holds disk files; `mapping` mounts it first (SMB), if needed."""

    path: str
    mapping: Step | None = None


def pool_folder(pool: StoragePoolRef | None, default_folder: str) -> PoolFolder:
    """The folder of `pool` as the host sees it (the host's default folder for no pool)."""
    if pool is None:
        return PoolFolder(default_folder.rstrip("\\"))
    protocol = pool.protocol.lower()
    parts = urlsplit(pool.url)
    segments = [segment for segment in (pool.path or parts.path).split("/") if segment]
    if protocol == "smb":
        if not parts.hostname or not segments:
            raise InvalidParameter("url", f"SMB pool {pool.name} has URL {pool.url!r}; expected cifs://server/share")
        share = f"\\\\{parts.hostname}\\{segments[0]}"
        return PoolFolder("\\".join([share, *segments[1:]]), _smb_mapping(share, pool))
    if protocol == "filesystem":
        if not segments:
            raise InvalidParameter("url", f"local pool {pool.name} has URL {pool.url!r}; expected file:///C:/folder")
        return PoolFolder("\\".join(segments))
    raise InvalidParameter("url", f"pool {pool.name} uses protocol {pool.protocol}; Hyper-V hosts use SMB "
                                  "(cifs://server/share) and local (file:///C:/folder) pools")


def _smb_mapping(share: str, pool: StoragePoolRef) -> Step:
    user = pool.details.get("user", "")
    domain = pool.details.get("domain", "")
    params = {"RemotePath": share, "UserName": f"{domain}\\{user}" if domain else user,
              "Password": pool.details.get("password", ""), "Persistent": True,
              # a share mapped before answers "already connected"; any real access problem surfaces
              # at the first file operation on the share, with the host's message
              "ErrorAction": "SilentlyContinue"}
    return Step("New-SmbMapping", params)


def disk_file(folder: PoolFolder, disk: DiskSpec) -> str:
    """The disk's file: `<folder>\\<volume path>.<vhdx|vhd>` (the template's format for a ROOT disk)."""
    extension = _DISK_EXTENSIONS.get((disk.template.format if disk.template else "").upper(), "vhdx")
    name = disk.path or disk.uuid
    return name if "\\" in name else f"{folder.path}\\{name}.{extension}"


def template_copy(folder: PoolFolder, template: TemplateSpec) -> str:
    """The template's copy on the pool, parent of every ROOT disk made from it there."""
    extension = _DISK_EXTENSIONS.get(template.format.upper())
    if extension is None:
        raise InvalidParameter("templateid", f"template {template.name} is {template.format}; Hyper-V deploys from "
                                             "VHD or VHDX templates")
    return f"{folder.path}\\template-{template.uuid}.{extension}"


def iso_file(folder: PoolFolder, iso: TemplateSpec) -> str:
    return f"{folder.path}\\iso-{iso.uuid}.iso"


@dataclass(frozen=True)
class Download:
    """An image (template or ISO) a host fetches onto a folder, checked against its registered checksum."""

    image: TemplateSpec
    path: str

    def steps(self) -> list[Step]:
        """Fetch the image (copy it from the SMB image store when it has a copy there, else download its
        URL); then, when a checksum was registered, read the copy's hash."""
        if self.image.secondary_store_url:
            from cirrostack_hv_hyperv.smb_store import unc_path

            fetch = Step("Copy-Item", {"Path": unc_path(self.image.secondary_store_url), "Destination": self.path})
        elif urlsplit(self.image.url).scheme.lower() not in ("http", "https"):
            raise InvalidParameter("url", f"image URL {self.image.url!r} of {self.image.name}: a Hyper-V host fetches "
                                          "templates and ISOs over http(s)")
        else:
            fetch = Step("Invoke-WebRequest", {"Uri": self.image.url, "OutFile": self.path, "UseBasicParsing": True})
        algorithm = self.algorithm
        return [fetch, Step("Get-FileHash", {"Path": self.path, "Algorithm": algorithm}, ("Algorithm", "Hash"))] \
            if algorithm else [fetch]

    @property
    def algorithm(self) -> str:
        """The hash the registered checksum is ("" when none was registered): told apart by its length."""
        return _HASH_LENGTHS.get(len(self.expected), "") if self.expected else ""

    @property
    def expected(self) -> str:
        return self.image.checksum.strip().rpartition("}")[2].lower()

    def mismatch(self, reported: str) -> str | None:
        """Why the fetched copy is not the registered image, or None when it is."""
        if reported.lower() == self.expected:
            return None
        return (f"the copy of {self.image.name} fetched from {self.image.url} has {self.algorithm} {reported.lower()}, "
                f"but {self.expected} was registered")


_HASH_LENGTHS = {32: "MD5", 40: "SHA1", 64: "SHA256", 128: "SHA512"}


def file_name(path: str) -> str:
    return path.rsplit("\\", 1)[-1]


def folder_of(path: str) -> str:
    return path.rsplit("\\", 1)[0]
