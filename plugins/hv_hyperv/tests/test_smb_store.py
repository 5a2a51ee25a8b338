"""The SMB image store provider against a real Samba smbd: the storage conformance suite, the files
as the share really holds them, and what an operator sees for a wrong password or a bad URL."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from cirrostack_hv_hyperv.smb_store import SmbImageStore, parse_share_url
from smbd_server import SMB_DOMAIN, SMB_USER, SmbdServer, smbd_server  # noqa: F401  (session smbd fixture)

from cirrostack.errors import InvalidParameter, ResourceUnavailable
from cirrostack.hookspecs.storage import StorageRole, StoreRef, TemplateRef
from cirrostack.testing.storage import StorageProviderConformance


def _store(url: str, details: dict[str, str]) -> StoreRef:
    return StoreRef(uuid=str(uuid.uuid4()), name="smb-images", url=url, role=StorageRole.IMAGE, details=details)


class TestSmbImageStoreConformance(StorageProviderConformance):
    @pytest.fixture
    def storage_provider(self) -> SmbImageStore:
        return SmbImageStore()

    @pytest.fixture
    def store(self, smbd_server: SmbdServer) -> StoreRef:  # noqa: F811
        return _store(smbd_server.url("images", "secondary"), smbd_server.details())

    @pytest.fixture
    def unreachable_store(self, smbd_server: SmbdServer) -> StoreRef:  # noqa: F811
        with __import__("socket").socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return _store(f"cifs://127.0.0.1:{port}/images", smbd_server.details())


def test_a_template_lands_on_the_share_under_the_store_path(smbd_server: SmbdServer) -> None:  # noqa: F811
    provider, store = SmbImageStore(), _store(smbd_server.url("images", "zone1"), smbd_server.details())
    provider.initialise_store(store)
    data = b"conectix" + bytes(range(256)) * 4000
    template = TemplateRef(str(uuid.uuid4()), "win2012", "VHD")
    info = provider.copy_template_in(store, template, io.BytesIO(data))
    on_disk = smbd_server.share_dir("images") / "zone1" / info.path
    assert info.path == f"template/tmpl/{template.uuid}/{template.uuid}.vhd"
    assert on_disk.read_bytes() == data and info.sha256 == hashlib.sha256(data).hexdigest()
    assert not list(on_disk.parent.glob("*.part")), "the .part file must be renamed into place"
    provider.delete_template(store, info.path)
    assert not on_disk.parent.exists(), "the template's folder is removed with its last file"


def test_a_wrong_password_is_refused_naming_the_store_and_account(smbd_server: SmbdServer) -> None:  # noqa: F811
    store = _store(smbd_server.url("images"), smbd_server.details(password="not-the-password"))
    with pytest.raises(ResourceUnavailable) as caught:
        SmbImageStore().initialise_store(store)
    message = str(caught.value)
    assert "smb-images" in message and f"{SMB_DOMAIN}\\{SMB_USER}" in message and "password" in message, message


def test_a_missing_share_is_refused_naming_it(smbd_server: SmbdServer) -> None:  # noqa: F811
    store = _store(smbd_server.url("no-such-share"), smbd_server.details())
    with pytest.raises(ResourceUnavailable, match="no-such-share"):
        SmbImageStore().initialise_store(store)


@pytest.mark.parametrize("url", ["nfs://server/export", "cifs://server", "cifs:///share", "cifs://server:99999/s"])
def test_a_url_that_is_not_a_share_is_refused_naming_url(url: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_share_url(url)
    assert caught.value.param == "url" and url in str(caught.value)


def test_the_unc_path_is_what_a_windows_host_uses() -> None:
    location = parse_share_url("cifs://fs01.cloud.test/secondary/zone1")
    assert location.unc("template/tmpl/a/a.vhdx") == "\\\\fs01.cloud.test\\secondary\\zone1\\template\\tmpl\\a\\a.vhdx"
    assert (location.server, location.port, location.share) == ("fs01.cloud.test", 445, "secondary")
