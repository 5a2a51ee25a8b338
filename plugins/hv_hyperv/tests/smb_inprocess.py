"""An in-process management server on SQLite with one zone whose image store is an SMB share of the real
smbd (smbd_server.py), driven through its Flask apps: the root admin's API and `/client/extract`."""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cirrostack_hv_hyperv.smb_store import SmbImageStore
from smbd_server import SmbdServer

from cirrostack.api.http import ApiServer, api_app, build_server
from cirrostack.config import ServerConfig
from cirrostack.hookspecs.storage import StorageRole, StoreRef, TemplateRef
from cirrostack.services.templates import extract


@dataclass
class SmbZone:
    server: ApiServer
    zone_id: str
    store: StoreRef
    folder: Path  # the store's root on the share, as the file server holds it

    def root(self, command: str, **params: Any) -> tuple[int, dict]:
        """Call `command` as the root admin; the HTTP status and the response object."""
        reply = api_app(self.server, integration=True).test_client().get(
            "/client/api", query_string={"command": command, "response": "json", **params})
        body = json.loads(reply.data)
        return reply.status_code, body.get(f"{command.lower()}response") or body.get("errorresponse") or body

    def job(self, job_id: str) -> dict:
        """The finished async job `job_id`."""
        deadline = time.monotonic() + 30
        while True:
            status, job = self.root("queryAsyncJobResult", jobid=job_id)
            assert status == 200, job
            if job["jobstatus"] != 0 or time.monotonic() > deadline:
                return job
            time.sleep(0.1)

    def put(self, data: bytes) -> str:
        """Put `data` on the store as a RAW image; returns its path on the store."""
        template = TemplateRef(str(uuid.uuid4()), "big", "RAW")
        return SmbImageStore().copy_template_in(self.store, template, io.BytesIO(data)).path

    def token(self, path: str, lifetime: int = 60, file_name: str = "big disk.img") -> str:
        """A download token for `path` on the store, as extractVolume makes them."""
        return extract.file_token(self.server.secrets, self.store.uuid, path, file_name, lifetime)[0]

    def download(self, token: str) -> Any:
        """GET `/client/extract/<token>`, unbuffered (werkzeug's TestResponse)."""
        return api_app(self.server).test_client().get(f"{extract.EXTRACT_PATH}/{token}", buffered=False)


@pytest.fixture
def smb_zone(smbd_server: SmbdServer, tmp_path: Path) -> Iterator[SmbZone]:
    server = build_server(ServerConfig(data_dir=tmp_path / "data", db=f"sqlite:///{tmp_path / 'cirro.db'}",
                                       admin_password="pw", job_workers=1, server_id="test:1"))
    try:
        cloud = SmbZone(server, "", None, Path())  # type: ignore[arg-type]
        status, zone = cloud.root("createZone", name="smb-zone", networktype="Advanced", dns1="8.8.8.8",
                                  internaldns1="10.0.0.2")
        assert status == 200, zone
        folder, details = f"store-{uuid.uuid4().hex[:8]}", smbd_server.details()
        flat = {f"details[{index}].{part}": value for index, (key, val) in enumerate(details.items())
                for part, value in (("key", key), ("value", val))}
        status, added = cloud.root("addImageStore", provider="SMB", name="smb-store", zoneid=zone["zone"]["id"],
                                   url=smbd_server.url("images", folder), **flat)
        assert status == 200, added
        cloud.zone_id = zone["zone"]["id"]
        cloud.store = StoreRef(uuid=added["imagestore"]["id"], name="smb-store", url=smbd_server.url("images", folder),
                               role=StorageRole.IMAGE, details=details)
        cloud.folder = smbd_server.share_dir("images") / folder
        yield cloud
    finally:
        server.close()
