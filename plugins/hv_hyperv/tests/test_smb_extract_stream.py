"""`/client/extract/<token>` streaming a multi-MiB copy from a real Samba share, in-process on SQLite:
the reply is streamed chunk by chunk (no temporary file is held open while it goes out), with
Content-Length, Content-Disposition and no-store; a copy that breaks off mid-stream ends the reply
short; bad tokens and a copy that is gone get the JSON error."""

from __future__ import annotations

import hashlib
import os
import tempfile

import pytest
from cirrostack_hv_hyperv.smb_store import SmbImageStore
from smb_inprocess import SmbZone, smb_zone  # noqa: F401  (in-process server with an SMB image store)
from smbd_server import smbd_server  # noqa: F401  (session smbd fixture)

from cirrostack.errors import ResourceUnavailable

IMAGE_BYTES = hashlib.sha256(b"seed").digest() * (6 * 1024 * 1024 // 32 + 7)  # a little over 6 MiB


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


def test_a_multi_mib_copy_streams_byte_identical_with_its_length(smb_zone: SmbZone) -> None:  # noqa: F811
    path = smb_zone.put(IMAGE_BYTES)
    before = _open_temp_files()
    reply = smb_zone.download(smb_zone.token(path))
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


def test_a_copy_that_breaks_off_mid_stream_ends_the_reply_short(smb_zone: SmbZone) -> None:  # noqa: F811
    path = smb_zone.put(IMAGE_BYTES)
    reply = smb_zone.download(smb_zone.token(path))
    try:
        chunks = iter(reply.response)
        received = len(next(chunks))
        with open(smb_zone.folder / path, "r+b") as on_share:  # the file server loses most of the file
            on_share.truncate(received + 1000)
        with pytest.raises(ResourceUnavailable) as caught:
            for chunk in chunks:
                received += len(chunk)
    finally:
        reply.close()
    assert received < len(IMAGE_BYTES) and path in str(caught.value), caught.value


def test_an_expired_or_tampered_token_gets_the_json_error(smb_zone: SmbZone) -> None:  # noqa: F811
    path = smb_zone.put(b"small image")
    expired = smb_zone.download(smb_zone.token(path, lifetime=-5))
    assert expired.status_code == 431 and expired.headers["Cache-Control"] == "no-store"
    assert expired.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert expired.get_json() == {"errorcode": 431,
                                  "errortext": "token: this download link has expired; extract it again"}
    tampered = smb_zone.download(smb_zone.token(path)[:-4] + "AAAA")
    assert tampered.status_code == 431 and "not valid" in tampered.get_json()["errortext"]


def test_a_copy_gone_from_the_share_gets_the_json_error_naming_it(smb_zone: SmbZone) -> None:  # noqa: F811
    path = smb_zone.put(b"soon gone")
    token = smb_zone.token(path)
    SmbImageStore().delete_template(smb_zone.store, path)
    reply = smb_zone.download(token)
    assert reply.status_code == ResourceUnavailable.http_status
    assert reply.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert path in reply.get_json()["errortext"] and "smb-store" in reply.get_json()["errortext"]
