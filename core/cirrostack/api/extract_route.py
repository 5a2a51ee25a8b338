"""The download path of extractTemplate / extractIso, `/client/extract/<token>`.

A valid token (see services/templates/extract.py) streams the image from the zone's image store:
the store copy is spooled to a temporary file first (the store's copy_template_out writes to a file),
then sent with its length and a file name. Errors are JSON `{"errorcode", "errortext"}` with the
error's HTTP status; no reply is cached.
"""

from __future__ import annotations

import json
import socket
import tempfile
from typing import Any

from flask import Flask, Response, send_file

from cirrostack.errors import CirroError
from cirrostack.services.templates import extract


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
            spool = tempfile.TemporaryFile(prefix="cirro-extract-")
            try:
                source.copy.copy_out(source.path, spool)
            except BaseException:
                spool.close()
                raise
            spool.seek(0)
            response = send_file(spool, mimetype="application/octet-stream", as_attachment=True,
                                 download_name=source.file_name)
            response.headers["Cache-Control"] = "no-store"
            return response
        except CirroError as error:
            body = json.dumps({"errorcode": error.http_status, "errortext": error.message})
            return Response(body, status=error.http_status, content_type="application/json; charset=UTF-8",
                            headers={"Cache-Control": "no-store"})
