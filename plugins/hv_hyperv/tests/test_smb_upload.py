"""uploadVolume into an SMB image store, end to end (see smb_cloud.py): the volume's image is fetched from
a loopback HTTP server onto a real Samba share, then copied by a Hyper-V host onto primary storage when
it is attached; a bad checksum leaves the volume in UploadError and nothing on the share; a zone without
an image store that holds copies refuses the upload."""

from __future__ import annotations

import hashlib
import time

import pytest
from cs import CloudStack, CloudStackApiException
from smb_cloud import SmbCloud, smb_cloud, wait_for_template  # noqa: F401  (module fixture)
from smbd_server import smbd_server  # noqa: F401  (session smbd fixture)


def _finished_job(client: CloudStack, job_id: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        job = client.queryAsyncJobResult(jobid=job_id)
        if job["jobstatus"] != 0 or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def _volume(client: CloudStack, volume_id: str) -> dict:
    return client.listVolumes(id=volume_id, fetch_list=True)[0]


def _store_path(volume_id: str) -> str:
    return f"template/tmpl/{volume_id}/{volume_id}.vhdx"


@pytest.fixture(scope="module")
def uploaded(smb_cloud: SmbCloud) -> dict:  # noqa: F811
    started = smb_cloud.client.uploadVolume(name="data-upload", format="VHDX", url=smb_cloud.images.template_url,
                                            zoneid=smb_cloud.zones[0]["id"], checksum=smb_cloud.images.md5)
    job = _finished_job(smb_cloud.client, started["jobid"])
    assert job["jobstatus"] == 1, job.get("jobresult")
    return _volume(smb_cloud.client, started["id"])


def test_an_uploaded_volume_lands_on_the_share(smb_cloud: SmbCloud, uploaded: dict) -> None:  # noqa: F811
    assert uploaded["state"] == "Uploaded" and uploaded["type"] == "DATADISK", uploaded
    assert uploaded["size"] > 0 and uploaded["status"] == "Upload Complete (on image store smb-images)", uploaded
    on_share = smb_cloud.share_file("images", _store_path(uploaded["id"]))
    assert hashlib.sha256(on_share.read_bytes()).hexdigest() == smb_cloud.template_sha256
    events = smb_cloud.client.listEvents(type="VOLUME.UPLOAD", fetch_list=True)
    assert any("data-upload" in event["description"] for event in events), events


def test_attach_copies_the_volume_onto_the_pool_then_delete_removes_the_store_copy(
        smb_cloud: SmbCloud, uploaded: dict) -> None:  # noqa: F811
    client, zone = smb_cloud.client, smb_cloud.zones[0]
    template = client.registerTemplate(name="centos-upload", displaytext="CentOS", format="VHDX", hypervisor="Hyperv",
                                       ostypeid=smb_cloud.os_type, ispublic=True, url=smb_cloud.images.template_url,
                                       zoneid=zone["id"], checksum=smb_cloud.images.md5)["template"][0]
    assert wait_for_template(client, template["id"], zone["id"])["isready"] is True
    vm = client.deployVirtualMachine(zoneid=zone["id"], templateid=template["id"],
                                     serviceofferingid=smb_cloud.offering, fetch_result=True)["virtualmachine"]
    client.stopVirtualMachine(id=vm["id"], fetch_result=True)

    attached = client.attachVolume(id=uploaded["id"], virtualmachineid=vm["id"], fetch_result=True)["volume"]
    assert attached["state"] == "Ready" and attached["virtualmachineid"] == vm["id"], attached
    converts = [entry for entry in smb_cloud.world.log if entry.cmdlet == "Convert-VHD"
                and entry.params["Path"].lower() == smb_cloud.unc("images", _store_path(uploaded["id"])).lower()]
    assert converts, [entry.cmdlet for entry in smb_cloud.world.log]
    on_pool = smb_cloud.world.file_anywhere(converts[-1].params["DestinationPath"])
    assert on_pool is not None and hashlib.sha256(on_pool.content).hexdigest() == smb_cloud.template_sha256

    client.detachVolume(id=uploaded["id"], fetch_result=True)
    client.deleteVolume(id=uploaded["id"])
    assert not smb_cloud.share_file("images", _store_path(uploaded["id"])).exists()
    assert smb_cloud.world.file_anywhere(converts[-1].params["DestinationPath"]) is None
    assert not client.listVolumes(id=uploaded["id"], fetch_list=True)


def test_a_bad_checksum_ends_in_upload_error_with_nothing_on_the_share(smb_cloud: SmbCloud) -> None:  # noqa: F811
    started = smb_cloud.client.uploadVolume(name="data-bad", format="VHDX", url=smb_cloud.images.template_url,
                                            zoneid=smb_cloud.zones[0]["id"], checksum="0" * 32)
    job = _finished_job(smb_cloud.client, started["jobid"])
    assert job["jobstatus"] == 2, job
    assert "checksum mismatch" in job["jobresult"]["errortext"] and "data-bad" in job["jobresult"]["errortext"]
    volume = _volume(smb_cloud.client, started["id"])
    assert volume["state"] == "UploadError" and volume["status"].startswith("Upload Error: checksum mismatch"), volume
    folder = smb_cloud.share_file("images", f"template/tmpl/{started['id']}")
    assert not folder.exists() or not any(folder.iterdir())


def test_a_wrong_format_ends_in_upload_error_with_nothing_on_the_share(smb_cloud: SmbCloud) -> None:  # noqa: F811
    started = smb_cloud.client.uploadVolume(name="data-qcow2", format="QCOW2", url=smb_cloud.images.template_url,
                                            zoneid=smb_cloud.zones[0]["id"])
    job = _finished_job(smb_cloud.client, started["jobid"])
    assert job["jobstatus"] == 2 and "QCOW2" in job["jobresult"]["errortext"], job.get("jobresult")
    volume = _volume(smb_cloud.client, started["id"])
    assert volume["state"] == "UploadError" and "QCOW2" in volume["status"], volume
    assert not smb_cloud.share_file("images", f"template/tmpl/{started['id']}").exists()
    smb_cloud.client.deleteVolume(id=started["id"])
    assert not smb_cloud.client.listVolumes(id=started["id"], fetch_list=True)


def test_a_zone_without_an_image_store_holding_copies_refuses_uploads(smb_cloud: SmbCloud) -> None:  # noqa: F811
    client = smb_cloud.client
    # only one image store provider may be in use, so the zone gets none (an NFS-only zone is refused alike)
    zone = client.createZone(name="storeless-zone", networktype="Advanced", dns1="8.8.8.8",
                             internaldns1="10.0.0.2")["zone"]
    with pytest.raises(CloudStackApiException) as caught:
        client.uploadVolume(name="data-storeless", format="VHDX", url=smb_cloud.images.template_url, zoneid=zone["id"])
    error = caught.value.error
    assert error["errorcode"] == 431 and "zoneid" in error["errortext"] and "storeless-zone" in error["errortext"]
    assert not [row for row in client.listVolumes(fetch_list=True) if row["name"] == "data-storeless"]
