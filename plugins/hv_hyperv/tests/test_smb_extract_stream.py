"""`/client/extract/<token>` streaming a multi-MiB copy from a real Samba share, in-process on SQLite:
the reply is streamed chunk by chunk (no temporary file is held open while it goes out), with
Content-Length, Content-Disposition and no-store; a copy that breaks off mid-stream ends the reply
short; bad tokens and a copy that is gone get the JSON error."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cirrostack_hv_hyperv.smb_store import SmbImageStore
from smbd_server import SmbdServer, smbd_server  # noqa: F401  (session smbd fixture)

from cirrostack.api.http import ApiServer, api_app, build_server
from cirrostack.config import ServerConfig
from cirrostack.errors import ResourceUnavailable
from cirrostack.hookspecs.storage import StorageRole, StoreRef, TemplateRef
from cirrostack.services.templates import extract

IMAGE_BYTES = hashlib.sha256(b"seed").digest() * (6 * 1024 * 1024 // 32 + 7)  # a little over 6 MiB


@dataclass
class StreamCloud:
    server: ApiServer
    store: StoreRef
    folder: Path  # the store's root on the share, as the file server holds it

    def put(self, data: bytes) -> str:
        """Put `data` on the store as a RAW image; returns its path on the store."""
        template = TemplateRef(str(uuid.uuid4()), "big", "RAW")
        return SmbImageStore().copy_template_in(self.store, template, io.BytesIO(data)).path

    def token(self, path: str, lifetime: int = 60, file_name: str = "big disk.img") -> str:
        return extract.file_token(self.server.secrets, self.store.uuid, path, file_name, lifetime)[0]

    def get(self, token: str):  # noqa: ANN201  (werkzeug's TestResponse)
        return api_app(self.server).test_client().get(f"{extract.EXTRACT_PATH}/{token}", buffered=False)


@pytest.fixture
def cloud(smbd_server: SmbdServer, tmp_path: Path) -> Iterator[StreamCloud]:  # noqa: F811
    server = build_server(ServerConfig(data_dir=tmp_path / "data", db=f"sqlite:///{tmp_path / 'cirro.db'}",
                                       admin_password="pw", job_workers=1, server_id="test:1"))
    try:
        root = api_app(server, integration=True).test_client()
        zone = _call(root, "createZone", name="stream-zone", networktype="Advanced", dns1="8.8.8.8",
                     internaldns1="10.0.0.2")["zone"]
        folder = f"stream-{uuid.uuid4().hex[:8]}"
        details = smbd_server.details()
        flat = {f"details[{index}].{part}": value for index, (key, val) in enumerate(details.items())
                for part, value in (("key", key), ("value", val))}
        added = _call(root, "addImageStore", provider="SMB", name="smb-stream", zoneid=zone["id"],
                      url=smbd_server.url("images", folder), **flat)["imagestore"]
        store = StoreRef(uuid=added["id"], name="smb-stream", url=smbd_server.url("images", folder),
                         role=StorageRole.IMAGE, details=details)
        yield StreamCloud(server, store, smbd_server.share_dir("images") / folder)
    finally:
        server.close()


def _call(client, command: str, **params: str) -> dict:  # noqa: ANN001
    reply = client.get("/client/api", query_string={"command": command, "response": "json", **params})
    assert reply.status_code == 200, reply.data
    return json.loads(reply.data)[f"{command.lower()}response"]


def _open_temp_files() -> set[str]:
    """Files under the temporary directory this process holds open (a spooled copy shows as one)."""
    temp = os.path.realpath(tempfile.gettempdir())
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(temp + "/"):
            found.add(target)
    return found


def test_a_multi_mib_copy_streams_byte_identical_with_its_length(cloud: StreamCloud) -> None:
    path = cloud.put(IMAGE_BYTES)
    before = _open_temp_files()
    reply = cloud.get(cloud.token(path))
    try:
        assert reply.status_code == 200
        assert reply.headers["Content-Length"] == str(len(IMAGE_BYTES))
        assert reply.headers["Content-Type"] == "application/octet-stream"
        assert reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["Content-Disposition"] == 'attachment; filename="big disk.img"'
        chunks = iter(reply.response)
        first = next(chunks)
        assert 0 < len(first) <= 1024 * 1024 < len(IMAGE_BYTES), "the first chunk leaves before the rest is read"
        spooled = _open_temp_files() - before
        assert not [name for name in spooled if "cirro.db" not in name], f"a temporary copy was made: {spooled}"
        body = first + b"".join(chunks)
    finally:
        reply.close()
    assert len(body) == len(IMAGE_BYTES) and hashlib.sha256(body).digest() == hashlib.sha256(IMAGE_BYTES).digest()


def test_a_copy_that_breaks_off_mid_stream_ends_the_reply_short(cloud: StreamCloud) -> None:
    path = cloud.put(IMAGE_BYTES)
    reply = cloud.get(cloud.token(path))
    try:
        chunks = iter(reply.response)
        received = len(next(chunks))
        with open(cloud.folder / path, "r+b") as on_share:  # the file server loses most of the file
            on_share.truncate(received + 1000)
        with pytest.raises(ResourceUnavailable) as caught:
            for chunk in chunks:
                received += len(chunk)
    finally:
        reply.close()
    assert received < len(IMAGE_BYTES) and path in str(caught.value), caught.value


def test_an_expired_or_tampered_token_gets_the_json_error(cloud: StreamCloud) -> None:
    path = cloud.put(b"small image")
    expired = cloud.get(cloud.token(path, lifetime=-5))
    assert expired.status_code == 431 and expired.headers["Cache-Control"] == "no-store"
    assert expired.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert expired.get_json() == {"errorcode": 431,
                                  "errortext": "token: this download link has expired; extract it again"}
    tampered = cloud.get(cloud.token(path)[:-4] + "AAAA")
    assert tampered.status_code == 431 and "not valid" in tampered.get_json()["errortext"]


def test_a_copy_gone_from_the_share_gets_the_json_error_naming_it(cloud: StreamCloud) -> None:
    path = cloud.put(b"soon gone")
    token = cloud.token(path)
    SmbImageStore().delete_template(cloud.store, path)
    reply = cloud.get(token)
    assert reply.status_code == ResourceUnavailable.http_status
    assert reply.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert path in reply.get_json()["errortext"] and "smb-stream" in reply.get_json()["errortext"]
