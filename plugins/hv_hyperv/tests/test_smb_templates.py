"""SMB secondary storage end to end: `cirro serve` with two Hyper-V zones whose image stores are shares
of a real Samba smbd (see smb_cloud.py). A registered template lands on the share, a Hyper-V host
deploys from that copy, copyTemplate copies it share to share."""

from __future__ import annotations

import hashlib

import pytest
import requests
from cs import CloudStackApiException
from smb_cloud import SmbCloud, _details, smb_cloud, wait_for_template  # noqa: F401  (module fixture)
from smbd_server import SMB_DOMAIN, SMB_USER, smbd_server  # noqa: F401  (session smbd fixture)


@pytest.fixture(scope="module")
def registered(smb_cloud: SmbCloud) -> dict:  # noqa: F811
    client, zone = smb_cloud.client, smb_cloud.zones[0]
    template = client.registerTemplate(name="centos-smb", displaytext="CentOS on SMB", format="VHDX",
                                       hypervisor="Hyperv", ostypeid=smb_cloud.os_type, ispublic=True,
                                       url=smb_cloud.images.template_url, zoneid=zone["id"],
                                       checksum=smb_cloud.images.md5)["template"][0]
    return wait_for_template(client, template["id"], zone["id"])


def test_a_registered_template_is_copied_onto_the_share(smb_cloud: SmbCloud, registered: dict) -> None:  # noqa: F811
    assert registered["isready"] is True, registered
    assert registered["status"] == "Download Complete (on image store smb-images)"
    on_share = smb_cloud.share_file("images", f"template/tmpl/{registered['id']}/{registered['id']}.vhdx")
    assert hashlib.sha256(on_share.read_bytes()).hexdigest() == smb_cloud.template_sha256


def test_a_wrong_share_password_is_refused_by_add_image_store(smb_cloud: SmbCloud) -> None:  # noqa: F811
    details = smb_cloud.smbd.details(password="wrong-password")
    with pytest.raises(CloudStackApiException) as caught:
        smb_cloud.client.addImageStore(provider="SMB", name="smb-wrong", zoneid=smb_cloud.zones[0]["id"],
                                       url=smb_cloud.smbd.url("images", "other"), **_details(details))
    text = caught.value.error["errortext"]
    assert "smb-wrong" in text and f"{SMB_DOMAIN}\\{SMB_USER}" in text and "password" in text, text
    names = [row["name"] for row in smb_cloud.client.listImageStores(fetch_list=True)]
    assert "smb-wrong" not in names


def test_a_hyperv_host_deploys_from_the_copy_on_the_share(smb_cloud: SmbCloud, registered: dict) -> None:  # noqa: F811
    vm = smb_cloud.client.deployVirtualMachine(zoneid=smb_cloud.zones[0]["id"], templateid=registered["id"],
                                               serviceofferingid=smb_cloud.offering,
                                               fetch_result=True)["virtualmachine"]
    assert vm["state"] == "Running"
    copies = [entry for entry in smb_cloud.world.log if entry.cmdlet == "Copy-Item"]
    assert copies and copies[-1].params["Path"].lower() == smb_cloud.unc(
        "images", f"template/tmpl/{registered['id']}/{registered['id']}.vhdx")
    assert "Invoke-WebRequest" not in smb_cloud.world.cmdlets_run("hv-01")
    parent = smb_cloud.world.file_anywhere(copies[-1].params["Destination"])
    assert parent is not None and hashlib.sha256(parent.content).hexdigest() == smb_cloud.template_sha256


def test_copy_template_copies_share_to_share(smb_cloud: SmbCloud, registered: dict) -> None:  # noqa: F811
    client, target = smb_cloud.client, smb_cloud.zones[1]
    smb_cloud.images.close()  # the registered URL is gone: the copy can only come from the first share
    client.copyTemplate(id=registered["id"], sourcezoneid=smb_cloud.zones[0]["id"], destzoneid=target["id"],
                        fetch_result=True)
    copied = wait_for_template(client, registered["id"], target["id"])
    assert copied["isready"] is True and copied["status"] == "Download Complete (on image store smb-images2)", copied
    on_share = smb_cloud.share_file("images2", f"template/tmpl/{registered['id']}/{registered['id']}.vhdx")
    assert hashlib.sha256(on_share.read_bytes()).hexdigest() == smb_cloud.template_sha256


def test_extract_template_gives_a_url_serving_the_share_copy(smb_cloud: SmbCloud, registered: dict) -> None:  # noqa: F811
    extracted = smb_cloud.client.extractTemplate(id=registered["id"], mode="HTTP_DOWNLOAD",
                                                 zoneid=smb_cloud.zones[0]["id"], fetch_result=True)["template"]
    assert extracted["extractMode"] == "HTTP_DOWNLOAD" and extracted["zoneid"] == smb_cloud.zones[0]["id"]
    assert extracted["url"].startswith(smb_cloud.server.endpoint.rsplit("/client/api", 1)[0] + "/client/extract/")
    download = requests.get(extracted["url"], timeout=30)
    assert download.status_code == 200, download.text
    assert hashlib.sha256(download.content).hexdigest() == smb_cloud.template_sha256
    assert "centos-smb.vhdx" in download.headers["Content-Disposition"]
    assert download.headers["Content-Length"] == str(len(download.content)), "waitress passes the length on"
    assert download.headers["Cache-Control"] == "no-store"
    tampered = requests.get(extracted["url"][:-4] + "AAAA", timeout=30)
    assert tampered.status_code == 431 and "not valid" in tampered.json()["errortext"]


def test_extract_refuses_ftp_upload_naming_mode(smb_cloud: SmbCloud, registered: dict) -> None:  # noqa: F811
    with pytest.raises(CloudStackApiException) as caught:
        smb_cloud.client.extractTemplate(id=registered["id"], mode="FTP_UPLOAD", url="ftp://example.test/x",
                                         fetch_result=True)
    error = caught.value.error.get("jobresult", caught.value.error)
    assert "mode" in error["errortext"] and "HTTP_DOWNLOAD" in error["errortext"], error


def test_create_template_from_a_stopped_vm_root_volume_then_deploy_it(smb_cloud: SmbCloud,  # noqa: F811
                                                                      registered: dict) -> None:
    client, zone = smb_cloud.client, smb_cloud.zones[0]
    vm = client.deployVirtualMachine(zoneid=zone["id"], templateid=registered["id"],
                                     serviceofferingid=smb_cloud.offering, fetch_result=True)["virtualmachine"]
    root = client.listVolumes(virtualmachineid=vm["id"], type="ROOT", fetch_list=True)[0]
    with pytest.raises(CloudStackApiException) as running:
        client.createTemplate(volumeid=root["id"], name="golden", displaytext="golden image",
                              ostypeid=smb_cloud.os_type, fetch_result=True)
    assert "stop the VM" in running.value.error.get("jobresult", running.value.error)["errortext"]
    client.stopVirtualMachine(id=vm["id"], fetch_result=True)
    made = client.createTemplate(volumeid=root["id"], name="golden", displaytext="golden image",
                                 ostypeid=smb_cloud.os_type, ispublic=True, fetch_result=True)["template"]
    assert made["isready"] is True and made["zoneid"] == zone["id"] and made["format"] == "VHDX", made
    on_share = smb_cloud.share_file("images", f"template/tmpl/{made['id']}/{made['id']}.vhdx")
    # the ROOT disk is a differencing disk: the export merges it with its parent, the registered image
    assert hashlib.sha256(on_share.read_bytes()).hexdigest() == smb_cloud.template_sha256
    assert made["checksum"] == "{SHA-256}" + smb_cloud.template_sha256
    assert "Convert-VHD" in smb_cloud.world.cmdlets_run()
    second = client.deployVirtualMachine(zoneid=zone["id"], templateid=made["id"],
                                         serviceofferingid=smb_cloud.offering, fetch_result=True)["virtualmachine"]
    assert second["state"] == "Running" and second["templateid"] == made["id"]


def test_a_store_holding_copies_stays_until_they_are_deleted(smb_cloud: SmbCloud, registered: dict) -> None:  # noqa: F811
    client, zone, store = smb_cloud.client, smb_cloud.zones[1], smb_cloud.stores[1]
    on_share = smb_cloud.share_file("images2", f"template/tmpl/{registered['id']}/{registered['id']}.vhdx")
    assert on_share.exists(), "test_copy_template_copies_share_to_share put the copy there"
    with pytest.raises(CloudStackApiException) as caught:
        client.deleteImageStore(id=store["id"])
    assert "it holds 1 template" in caught.value.error["errortext"], caught.value.error
    client.deleteTemplate(id=registered["id"], zoneid=zone["id"], fetch_result=True)
    assert not on_share.exists() and not on_share.parent.exists()
    client.deleteImageStore(id=store["id"])
    assert store["id"] not in [row["id"] for row in client.listImageStores(fetch_list=True)]


def test_extract_volume_copies_a_stopped_vm_root_volume_and_serves_it(smb_cloud: SmbCloud,  # noqa: F811
                                                                      registered: dict) -> None:
    client, zone = smb_cloud.client, smb_cloud.zones[0]
    vm = client.deployVirtualMachine(zoneid=zone["id"], templateid=registered["id"],
                                     serviceofferingid=smb_cloud.offering, fetch_result=True)["virtualmachine"]
    client.stopVirtualMachine(id=vm["id"], fetch_result=True)
    root = client.listVolumes(virtualmachineid=vm["id"], type="ROOT", fetch_list=True)[0]
    extracted = client.extractVolume(id=root["id"], mode="HTTP_DOWNLOAD", zoneid=zone["id"],
                                     fetch_result=True)["volume"]
    assert extracted["id"] == root["id"] and extracted["extractMode"] == "HTTP_DOWNLOAD"
    on_share = smb_cloud.share_file("images", f"volume/{root['id']}/{root['id']}.vhdx")
    download = requests.get(extracted["url"], timeout=30)
    assert download.status_code == 200 and download.content == on_share.read_bytes()
    assert hashlib.sha256(download.content).hexdigest() == smb_cloud.template_sha256
