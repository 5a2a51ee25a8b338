"""Registered templates and ISOs are downloaded per zone: ready with their sizes, or a Download Error
that says why; a server stopping or dying mid-download leaves a clear state. Images are made by
qemu-img and served by http.server on loopback; on SQLite and MariaDB."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from sqlalchemy import update

from cirrostack.db.models import TemplateZoneRef, Zone
from cirrostack.errors import InvalidParameter
from cirrostack.services.templates import download
from cirrostack.services.templates.image_checks import ImageProbe, parse_checksum
from tests.fixtures.server import start_server

MIB = 1024 * 1024
SLOW_BYTES = 64 * MIB


class ImageServer:
    """http.server on loopback: files by path, 404 for the rest; /slow/* trickles until released."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.failures: dict[str, int] = {}  # path -> how many more requests get 503
        self.requests: list[str] = []
        self.release = threading.Event()
        images = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                images.requests.append(self.path)
                if images.failures.get(self.path, 0) > 0:
                    images.failures[self.path] -= 1
                    self.send_error(503, "Service Unavailable")
                    return
                if self.path.startswith("/slow/"):
                    self._trickle()
                    return
                body = images.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _trickle(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(SLOW_BYTES))
                self.end_headers()
                try:
                    for _ in range(SLOW_BYTES // (64 * 1024)):
                        if images.release.wait(0.1):
                            return
                        self.wfile.write(b"\0" * 64 * 1024)
                except (BrokenPipeError, ConnectionResetError):
                    return

            def log_message(self, *_args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def images() -> Iterator[ImageServer]:
    server = ImageServer()
    yield server
    server.close()


def _qemu_image(tmp_path: Path, image_format: str, size: str) -> bytes:
    path = tmp_path / f"disk.{image_format}"
    subprocess.run(["qemu-img", "create", "-q", "-f", image_format, str(path), size], check=True)
    return path.read_bytes()


def _virtual_size(tmp_path: Path, image_format: str) -> int:
    info = subprocess.run(["qemu-img", "info", "--output=json", "-f", image_format,
                           str(tmp_path / f"disk.{image_format}")], check=True, capture_output=True, text=True)
    return json.loads(info.stdout)["virtual-size"]


def _iso_image() -> bytes:
    """An ISO 9660 image's layout: 16 empty system sectors, a primary volume descriptor, a terminator."""
    primary = (b"\x01CD001\x01" + b"\0" * 2041)
    terminator = (b"\xffCD001\x01" + b"\0" * 2041)
    return b"\0" * 16 * 2048 + primary + terminator + b"\0" * 2048 * 14


# -- checksums and headers, without a server ------------------------------------------------------


def test_checksums_take_cloudstacks_forms_and_refuse_others_naming_checksum():
    data = b"image bytes"
    assert parse_checksum(hashlib.md5(data).hexdigest()) == ("md5", hashlib.md5(data).hexdigest())
    sha = hashlib.sha256(data).hexdigest()
    assert parse_checksum("{SHA-256}" + sha.upper()) == ("sha256", sha)
    assert parse_checksum("{md5}" + hashlib.md5(data).hexdigest())[0] == "md5"
    for bad in ("{CRC32}abcd", "abc", "{SHA-256}" + hashlib.md5(data).hexdigest(), "zz" * 16):
        with pytest.raises(InvalidParameter) as raised:
            parse_checksum(bad)
        assert raised.value.message.startswith("checksum:") and bad in raised.value.message


@pytest.mark.parametrize("image_format, registered", [("qcow2", "QCOW2"), ("vpc", "VHD"), ("vhdx", "VHDX")])
def test_probe_reads_the_virtual_size_from_qemu_img_images(tmp_path, image_format, registered):
    data = _qemu_image(tmp_path, image_format, "64M")
    probe = ImageProbe()
    for start in range(0, len(data), 100_000):
        probe.feed(data[start:start + 100_000])
    assert probe.physical_size == len(data)
    assert probe.virtual_size(registered) == _virtual_size(tmp_path, image_format)
    other = "VHD" if registered == "QCOW2" else "QCOW2"
    with pytest.raises(Exception, match=f"not {other}.*looks like {registered}"):
        probe.virtual_size(other)


# -- through the API, in-process ------------------------------------------------------------------


def _zone(operator_api, name: str = "z1") -> Zone:
    with operator_api.server.database.session() as session:
        zone = Zone(name=name, dns1="8.8.8.8", internal_dns1="10.0.0.1")
        session.add(zone)
        session.flush()
        return zone


def _os_type(operator_api) -> str:
    return operator_api.root("listOsTypes", description="CentOS 5.6 (64-bit)")[1]["ostype"][0]["id"]


def _register(operator_api, zone: Zone, name: str, url: str, image_format: str = "QCOW2", **extra) -> dict:
    status, body = operator_api.root("registerTemplate", name=name, displaytext=name, format=image_format,
                                     hypervisor="KVM", ostypeid=_os_type(operator_api), url=url, zoneid=zone.uuid,
                                     **extra)
    assert status == 200, body
    return body["template"][0]


def _settled(list_row, timeout: float = 30) -> dict:
    """Poll until the row's download ended (ready or Download Error)."""
    deadline = time.monotonic() + timeout
    while True:
        row = list_row()
        if row["isready"] or row["status"].startswith(download.ERROR_PREFIX):
            return row
        assert time.monotonic() < deadline, f"download still not finished: {row}"
        time.sleep(0.1)


def _template_row(operator_api, template_id: str) -> dict:
    return _settled(lambda: operator_api.root("listTemplates", templatefilter="all", id=template_id)[1]["template"][0])


def test_registered_images_become_ready_with_virtual_and_physical_size(operator_api, images, tmp_path):
    zone = _zone(operator_api)
    qcow2 = images.files["/centos.qcow2"] = _qemu_image(tmp_path, "qcow2", "64M")
    vhd = images.files["/centos.vhd"] = _qemu_image(tmp_path, "vpc", "32M")
    iso = images.files["/netinst.iso"] = _iso_image()
    first = _register(operator_api, zone, "q", f"{images.base}/centos.qcow2",
                      checksum="{SHA-256}" + hashlib.sha256(qcow2).hexdigest())
    assert first["isready"] is False and first["status"] == download.NOT_DOWNLOADED
    second = _register(operator_api, zone, "v", f"{images.base}/centos.vhd", "VHD",
                       checksum=hashlib.md5(vhd).hexdigest())
    status, body = operator_api.root("registerIso", name="netinst", displaytext="netinst", zoneid=zone.uuid,
                                     url=f"{images.base}/netinst.iso", bootable="false",
                                     checksum="{SHA-1}" + hashlib.sha1(iso).hexdigest())
    assert status == 200, body

    row = _template_row(operator_api, first["id"])
    assert (row["isready"], row["status"]) == (True, download.DOWNLOAD_COMPLETE)
    assert (row["size"], row["physicalsize"]) == (64 * MIB, len(qcow2))
    row = _template_row(operator_api, second["id"])
    assert row["isready"] is True and (row["size"], row["physicalsize"]) == (_virtual_size(tmp_path, "vpc"), len(vhd))
    iso_row = _settled(lambda: operator_api.root("listIsos", isofilter="all", id=body["iso"][0]["id"])[1]["iso"][0])
    assert iso_row["isready"] is True and iso_row["size"] == iso_row["physicalsize"] == len(iso)
    _status, executable = operator_api.root("listTemplates", templatefilter="executable")
    assert {"q", "v"} <= {template["name"] for template in executable["template"]}


def test_failed_downloads_say_why_and_a_copy_into_the_zone_starts_them_again(operator_api, images, tmp_path):
    zone = _zone(operator_api)
    qcow2 = _qemu_image(tmp_path, "qcow2", "16M")
    images.files["/good.qcow2"] = qcow2
    images.files["/really-a-vhd.qcow2"] = _qemu_image(tmp_path, "vpc", "16M")
    wrong_sum = hashlib.md5(b"something else").hexdigest()

    missing = _register(operator_api, zone, "missing", f"{images.base}/later.qcow2")
    mismatch = _register(operator_api, zone, "mismatch", f"{images.base}/good.qcow2", checksum=wrong_sum)
    not_qcow2 = _register(operator_api, zone, "vhd-bytes", f"{images.base}/really-a-vhd.qcow2")

    row = _template_row(operator_api, missing["id"])
    assert row["isready"] is False and row["status"].startswith(download.ERROR_PREFIX)
    assert f"{images.base}/later.qcow2 answered HTTP 404" in row["status"]
    row = _template_row(operator_api, mismatch["id"])
    assert f"registered {wrong_sum}" in row["status"] and "{MD5}" + hashlib.md5(qcow2).hexdigest() in row["status"]
    row = _template_row(operator_api, not_qcow2["id"])
    assert "not QCOW2" in row["status"] and "looks like VHD" in row["status"]
    _status, executable = operator_api.root("listTemplates", templatefilter="executable")
    assert "missing" not in {template["name"] for template in executable.get("template", [])}

    images.files["/later.qcow2"] = qcow2
    status, body = operator_api.root("copyTemplate", id=missing["id"], sourcezoneid=zone.uuid, destzoneid=zone.uuid)
    assert status == 200, body
    assert operator_api.job_result(body["jobid"])["jobstatus"] == 1
    row = _template_row(operator_api, missing["id"])
    assert row["isready"] is True and row["size"] == 16 * MIB
    status, body = operator_api.root("copyTemplate", id=missing["id"], sourcezoneid=zone.uuid, destzoneid=zone.uuid)
    job = operator_api.job_result(body["jobid"])
    assert job["jobstatus"] == 2 and job["jobresult"]["errortext"].startswith("destzoneid:")


def test_5xx_replies_are_retried_and_an_unreachable_url_fails_after_the_retries(operator_api, images, tmp_path):
    zone = _zone(operator_api)
    images.files["/busy.qcow2"] = _qemu_image(tmp_path, "qcow2", "16M")
    images.failures["/busy.qcow2"] = 2
    busy = _register(operator_api, zone, "busy", f"{images.base}/busy.qcow2")
    assert _template_row(operator_api, busy["id"])["isready"] is True
    assert images.requests.count("/busy.qcow2") == 3

    assert operator_api.root("updateConfiguration", name="template.download.retries", value="1")[0] == 200
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/nothing.qcow2"
    row = _template_row(operator_api, _register(operator_api, zone, "closed", closed)["id"])
    assert row["status"].startswith(f"{download.ERROR_PREFIX}{closed} could not be reached after 2 attempt(s)")
    images.failures["/busy.qcow2"] = 5
    row = _template_row(operator_api, _register(operator_api, zone, "busier", f"{images.base}/busy.qcow2")["id"])
    assert "answered HTTP 503" in row["status"], row


def test_only_http_urls_and_well_formed_checksums_are_registered(operator_api, images):
    zone = _zone(operator_api)
    params = {"name": "t", "displaytext": "t", "format": "QCOW2", "hypervisor": "KVM",
              "ostypeid": _os_type(operator_api), "zoneid": zone.uuid}
    for url in ("ftp://images.example.org/t.qcow2", "file:///etc/passwd", "http:///no-host.qcow2"):
        status, body = operator_api.root("registerTemplate", url=url, **params)
        assert status == 431 and body["errortext"].startswith("url:") and url in body["errortext"], body
    status, body = operator_api.root("registerTemplate", url=f"{images.base}/t.qcow2", checksum="{SHA-256}abc",
                                     **params)
    assert status == 431 and body["errortext"].startswith("checksum:") and "64 hex digits" in body["errortext"]


def test_a_download_whose_ref_was_made_ready_meanwhile_leaves_it_ready(operator_api, images, tmp_path):
    zone = _zone(operator_api)
    template = _register(operator_api, zone, "elsewhere", f"{images.base}/slow/x.qcow2")
    deadline = time.monotonic() + 20
    while not operator_api.root("listTemplates", templatefilter="all", id=template["id"])[1]["template"][0][
            "status"].startswith(download.IN_PROGRESS):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with operator_api.server.database.session() as session:
        session.execute(update(TemplateZoneRef).where(TemplateZoneRef.zone_id == zone.id)
                        .values(is_ready=True, status="Download Complete"))
    images.release.set()  # the transfer breaks off: the job fails, and must not touch the ready ref
    deadline = time.monotonic() + 20
    while True:
        jobs = operator_api.root("listAsyncJobs")[1]["asyncjobs"]
        if [job["jobstatus"] for job in jobs if job["cmd"] == download.JOB_COMMAND] == [2]:
            break
        assert time.monotonic() < deadline, jobs
        time.sleep(0.1)
    assert "broke off" in next(job for job in jobs if job["cmd"] == download.JOB_COMMAND)["jobresult"]["errortext"]
    row = operator_api.root("listTemplates", templatefilter="all", id=template["id"])[1]["template"][0]
    assert (row["isready"], row["status"]) == (True, "Download Complete")


# -- a real server stopped or killed mid-download -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(data_dir: Path, db_url: str, port: int):
    return start_server(data_dir, db_url, extra_args=("--integration-port", str(port)),
                        env={"CIRRO_SERVER_ID": "download-test"})


def _api(server, command: str, **params) -> dict:
    reply = requests.get(server.integration_endpoint, params={"command": command, "response": "json", **params},
                         timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()[f"{command.lower()}response"]


def _row(server, template_id: str) -> dict:
    return _api(server, "listTemplates", templatefilter="all", id=template_id)["template"][0]


def _wait_for_progress(server, template_id: str) -> dict:
    deadline = time.monotonic() + 30
    while True:
        row = _row(server, template_id)
        if "% Downloaded)" in row["status"]:
            return row
        assert time.monotonic() < deadline, row
        time.sleep(0.2)


def test_a_server_stopped_or_killed_mid_download_leaves_a_download_error(database_url, images, tmp_path):
    data_dir, port = tmp_path / "data", _free_port()
    server = _start(data_dir, database_url, port)
    try:
        zone = _api(server, "createZone", name="dl", networktype="Advanced", dns1="8.8.8.8",
                    internaldns1="10.0.0.2", guestcidraddress="10.1.1.0/24")["zone"]
        os_type = _api(server, "listOsTypes")["ostype"][0]["id"]

        def register(name: str) -> str:
            return _api(server, "registerTemplate", name=name, displaytext=name, format="RAW", hypervisor="KVM",
                        ostypeid=os_type, url=f"{images.base}/slow/{name}.img", zoneid=zone["id"])["template"][0]["id"]

        killed = register("killed")
        progress = _wait_for_progress(server, killed)
        assert progress["status"].startswith(download.IN_PROGRESS) and progress["isready"] is False
        server.process.kill()
        server.process.wait(10)
        server = _start(data_dir, database_url, port)
        row = _row(server, killed)
        assert row["isready"] is False and row["status"].startswith(download.ERROR_PREFIX)
        assert "management server download-test stopped during the download" in row["status"]
        jobs = _api(server, "listAsyncJobs")["asyncjobs"]
        assert [job["jobstatus"] for job in jobs if job["cmd"] == download.JOB_COMMAND] == [2]

        stopped = register("stopped")
        _wait_for_progress(server, stopped)
        assert server.stop() == 0
        server = _start(data_dir, database_url, port)
        row = _row(server, stopped)
        assert row["isready"] is False and "shut down during the download" in row["status"]
    finally:
        images.release.set()
        server.stop()
