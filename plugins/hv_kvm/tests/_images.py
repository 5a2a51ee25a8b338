"""A small qcow2 template made by qemu-img (and a tiny ISO) served over HTTP by a server the tests start."""

from __future__ import annotations

import hashlib
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from plugins.hv_kvm.tests._libvirtd import require_binaries

TEMPLATE_FILE = "tiny.qcow2"
TEMPLATE_VIRTUAL_SIZE = 64 * 2**20
ISO_FILE = "tiny.iso"


@dataclass
class ImageServer:
    """An HTTP server on loopback serving `directory`; `hits` counts GETs per path."""

    base_url: str
    directory: Path
    md5: str
    hits: dict[str, int] = field(default_factory=dict)

    @property
    def template_url(self) -> str:
        return f"{self.base_url}/{TEMPLATE_FILE}"

    @property
    def iso_url(self) -> str:
        return f"{self.base_url}/{ISO_FILE}"


@pytest.fixture(scope="session")
def image_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImageServer]:
    require_binaries()  # qemu-img makes the template
    directory = tmp_path_factory.mktemp("images")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(directory / TEMPLATE_FILE),
                    str(TEMPLATE_VIRTUAL_SIZE)], check=True, timeout=30)
    md5 = hashlib.md5((directory / TEMPLATE_FILE).read_bytes()).hexdigest()
    (directory / ISO_FILE).write_bytes(b"CD001".rjust(2048 * 17, b"\0"))  # 17 sectors; QEMU reads it raw
    hits: dict[str, int] = {}

    class Handler(SimpleHTTPRequestHandler):
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            hits[self.path] = hits.get(self.path, 0) + 1
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ImageServer(f"http://127.0.0.1:{server.server_address[1]}", directory, md5, hits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
