"""A directory served read-only over HTTP on loopback, for tests that hand the server an image URL."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *_args: object) -> None:
        pass


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve `directory` on a free loopback port; yields the base URL (no trailing slash)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietFiles, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, name="test-static-files", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
