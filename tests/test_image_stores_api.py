"""Image stores and storage providers through the API (SQLite, then MariaDB)."""

from __future__ import annotations

import pytest

from cirrostack.services import image_stores


def _ok(result: tuple[int, dict]) -> dict:
    status, body = result
    assert status == 200, body
    return body


@pytest.fixture
def zone_id(operator_api) -> str:
    return _ok(operator_api.root("createZone", name="z1", networktype="Advanced", dns1="8.8.8.8",
                                 internaldns1="10.0.0.2"))["zone"]["id"]


def test_nfs_store_is_added_listed_and_deleted(operator_api, zone_id) -> None:
    store = _ok(operator_api.root("addImageStore", provider="nfs", url="nfs://10.0.0.7/export/secondary",
                                  zoneid=zone_id, **{"details[0].key": "mountopts",
                                                     "details[0].value": "vers=4"}))["imagestore"]
    assert (store["providername"], store["protocol"], store["scope"]) == ("NFS", "nfs", "ZONE")
    assert store["zoneid"] == zone_id and store["name"] == "nfs://10.0.0.7/export/secondary"
    assert store["details"] == [{"name": "mountopts", "value": "vers=4"}]
    listed = _ok(operator_api.root("listImageStores", zoneid=zone_id))
    assert listed["count"] == 1 and listed["imagestore"][0]["id"] == store["id"]
    status, body = operator_api.root("deleteZone", id=zone_id)
    assert status == 536 and "image store" in body["errortext"], body

    def holds_templates(session, checked):
        return "it holds 1 template" if checked.uuid == store["id"] else None

    image_stores.register_image_store_user(holds_templates)
    try:
        status, body = operator_api.root("deleteImageStore", id=store["id"])
        assert status == 536 and "it holds 1 template" in body["errortext"], body
    finally:
        image_stores.unregister_image_store_user(holds_templates)
    _ok(operator_api.root("deleteImageStore", id=store["id"]))
    assert "imagestore" not in _ok(operator_api.root("listImageStores"))


def test_bad_urls_and_missing_providers_are_refused_naming_the_parameter(operator_api, zone_id) -> None:
    status, body = operator_api.root("addImageStore", provider="NFS", url="http://x/y", zoneid=zone_id)
    assert status == 431 and body["errortext"].startswith("url:"), body
    status, body = operator_api.root("addImageStore", provider="S3", name="s3",
                                     **{"details[0].key": "bucket", "details[0].value": "b"})
    assert status == 431 and body["errortext"].startswith("provider:") and "'S3'" in body["errortext"], body
    assert "NFS" in body["errortext"]


def test_only_one_image_store_provider_at_a_time(operator_api, zone_id) -> None:
    from cirrostack.db.models.storage import ImageStore

    with operator_api.server.database.session() as session:  # a store another provider once added
        session.add(ImageStore(name="objects", url="https://s3.example.org", protocol="s3", provider="S3",
                               scope="REGION"))
    status, body = operator_api.root("addImageStore", provider="NFS", url="nfs://10.0.0.7/export", zoneid=zone_id)
    assert status == 431 and "same provider S3" in body["errortext"], body


def test_storage_providers_by_type(operator_api) -> None:
    primary = _ok(operator_api.root("listStorageProviders", type="primary"))["dataStoreProvider"]
    assert {"name": "DefaultPrimary", "type": "PRIMARY"} in primary
    image = _ok(operator_api.root("listStorageProviders", type="Image"))["dataStoreProvider"]
    assert {"name": "NFS", "type": "IMAGE"} in image
    status, body = operator_api.root("listStorageProviders", type="tape")
    assert status == 431 and body["errortext"].startswith("type:"), body
