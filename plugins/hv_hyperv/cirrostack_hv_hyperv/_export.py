"""Exporting a volume to the SMB image store (createTemplate from a volume): the steps a host runs.

The host maps the store's share with the store's credentials, makes the target folder and writes the
volume with Convert-VHD, which merges a differencing disk with its parent, so the copy stands alone
as a template. Get-Item and Get-FileHash then report the copy's size and SHA-256.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cirrostack_hv_hyperv._script import Step
from cirrostack_hv_hyperv.smb_store import parse_share_url

_QUIET = {"ErrorAction": "SilentlyContinue"}


def target_path(store_url: str, path: str) -> str:
    """The UNC path of `path` (relative, with `/`) on the store at `store_url`."""
    return parse_share_url(store_url).unc(path)


def store_mapping(store_url: str, details: Mapping[str, Any]) -> Step:
    """Map the store's share on the host with the store's credentials."""
    location = parse_share_url(store_url)
    user, domain = str(details.get("user", "")), str(details.get("domain", "") or "")
    share = f"\\\\{location.server}\\{location.share}"
    # a share mapped before answers "already connected"; a real access problem fails the copy itself
    return Step("New-SmbMapping", {"RemotePath": share, "UserName": f"{domain}\\{user}" if domain else user,
                                   "Password": str(details.get("password", "")), **_QUIET})


def export_steps(source: str, store_url: str, details: Mapping[str, Any], path: str) -> list[Step]:
    """Copy the disk file `source` to `path` on the store, replacing an earlier copy; the last two steps
    read the copy's Length and SHA-256 Hash."""
    target = parse_share_url(store_url).unc(path)
    return [store_mapping(store_url, details),
            Step("New-Item", {"ItemType": "Directory", "Path": target.rpartition("\\")[0], "Force": True}),
            Step("Remove-Item", {"Path": target, **_QUIET}),
            Step("Convert-VHD", {"Path": source, "DestinationPath": target, "VHDType": "Dynamic"}),
            Step("Get-Item", {"Path": target}, ("Length",)),
            Step("Get-FileHash", {"Path": target, "Algorithm": "SHA256"}, ("Hash",))]


def cleanup_steps(store_url: str, path: str) -> list[Step]:
    """Remove a partial copy after a failed export."""
    return [Step("Remove-Item", {"Path": target_path(store_url, path), **_QUIET})]
