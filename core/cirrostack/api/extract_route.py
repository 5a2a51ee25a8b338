"""The download path of extractTemplate / extractIso / extractVolume, `/client/extract/<token>`.

A valid token (see services/templates/extract.py) streams the copy on the image store straight to the
client: the store's `open_template` stream is read 1 MiB at a time and each chunk goes out as it
arrives, so a 20 GiB volume needs no temporary disk and the first byte leaves at once. The reply
carries Content-Length (the store's `template_size`, so clients show progress), Content-Disposition
with the file name and Cache-Control: no-store.

Anything that fails before the first byte (a bad or expired token, a store that does not answer, a
copy that is gone) is the JSON error `{"errorcode", "errortext"}` with the error's HTTP status. Once
bytes are flowing the status is sent, so a failure then is logged and the connection is closed: the
client sees fewer bytes than Content-Length announced.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from typing import Any, BinaryIO

from flask import Flask, Response
from werkzeug.http import dump_options_header

from cirrostack.errors import CirroError, ResourceUnavailable
from cirrostack.services.templates import extract

CHUNK_BYTES = 1024 * 1024
log = logging.getLogger(__name__)


def register_extract_route(app: Flask, server: Any) -> None:
    """Add `extract.EXTRACT_PATH/<token>` to the API application of `server` (an http.ApiServer)."""
    host = server.config.host
    if host in ("0.0.0.0", "::", ""):
        host = socket.getfqdn()
    extract.use_public_base(f"http://{host}:{server.config.port}")

    @app.route(f"{extract.EXTRACT_PATH}/<token>", methods=["GET"])
    def client_extract(token: str) -> Response:
        try:
            with server.database.session() as session:
                source = extract.redeem(session, server.secrets, token)
            size = source.copy.size(source.path)
            stream = source.copy.open(source.path)
        except CirroError as error:
            body = json.dumps({"errorcode": error.http_status, "errortext": error.message})
            return Response(body, status=error.http_status, content_type="application/json; charset=UTF-8",
                            headers={"Cache-Control": "no-store"})
        label = f"{source.path} on image store {source.copy.ref.name}"
        return Response(_chunks(stream, size, label), mimetype="application/octet-stream", headers={
            "Content-Length": str(size), "Content-Disposition": _attachment(source.file_name),
            "Cache-Control": "no-store"})


def _chunks(stream: BinaryIO, size: int, label: str) -> Iterator[bytes]:
    """`size` bytes of `stream` in chunks of up to CHUNK_BYTES, closing it at the end or when the client
    goes away. A read failure, or a copy shorter than announced, raises: the server then drops the
    connection instead of ending a reply that would look complete."""
    sent = 0
    try:
        while sent < size:
            chunk = stream.read(min(CHUNK_BYTES, size - sent))
            if not chunk:
                raise ResourceUnavailable(f"{label} ended after {sent} of the {size} bytes announced")
            sent += len(chunk)
            yield chunk
    except CirroError as exc:
        log.warning("extract download of %s stopped: %s", label, exc)
        raise
    finally:
        stream.close()


def _attachment(file_name: str) -> str:
    """Content-Disposition for `file_name`; a name that is not ASCII goes in `filename*` (RFC 6266)."""
    try:
        file_name.encode("ascii")
    except UnicodeEncodeError:
        from urllib.parse import quote

        fallback = file_name.encode("ascii", "replace").decode().replace("?", "_")
        return dump_options_header("attachment", {"filename": fallback, "filename*": f"UTF-8''{quote(file_name)}"})
    return dump_options_header("attachment", {"filename": file_name})
