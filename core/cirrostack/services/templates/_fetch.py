"""Streaming one image over HTTP(S): checksum, size limit, header check and progress as it goes.

urllib3 does the connection work: its `Retry` retries failed connections, broken requests and
HTTP 5xx replies with growing pauses; its `Timeout` bounds the wait for a connection and for each
read. A transfer that breaks off after the reply started is not resumed: the download fails and
says how far it got. Nothing is written to disk; the bytes are hashed and probed as they pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import urllib3
from urllib3.exceptions import HTTPError, MaxRetryError
from urllib3.util import Retry, Timeout

from cirrostack.services.templates.image_checks import ImageMismatch, ImageProbe, format_checksum, parse_checksum

CHUNK_BYTES = 1024 * 1024
RETRIED_STATUSES = (500, 502, 503, 504)
BACKOFF_FACTOR = 0.5

#: on_progress(bytes so far, total bytes or None) -> False to stop the download.
Progress = Callable[[int, int | None], bool]


class DownloadFailed(Exception):
    """The image could not be fetched or is not what was registered; the message says why."""


@dataclass(frozen=True)
class FetchLimits:
    timeout_seconds: float
    retries: int
    max_bytes: int


@dataclass(frozen=True)
class FetchedImage:
    physical_size: int
    virtual_size: int
    checksum: str  # of the bytes received, "{ALG}hex" in the registered checksum's algorithm


def fetch_image(url: str, image_format: str, checksum: str | None, limits: FetchLimits,
                on_progress: Progress, sink: BinaryIO | None = None) -> FetchedImage:
    """Stream `url`, check it against `checksum` (None: not checked) and the header of `image_format`.
    With `sink`, every byte received is also written to it (e.g. a spool file for an image store).

    Raises DownloadFailed naming the URL and the reason: unreachable after the retries, an HTTP
    status other than 200, a broken transfer, more than `limits.max_bytes`, a checksum mismatch
    (both sums), a header not of `image_format`, or `on_progress` asking to stop."""
    algorithm, expected = parse_checksum(checksum) if checksum else ("md5", None)
    digest = hashlib.new(algorithm)
    probe = ImageProbe()
    retry = Retry(total=limits.retries, backoff_factor=BACKOFF_FACTOR, status_forcelist=RETRIED_STATUSES,
                  allowed_methods=frozenset({"GET"}), raise_on_status=False)
    pool = urllib3.PoolManager(retries=retry, timeout=Timeout(connect=limits.timeout_seconds,
                                                              read=limits.timeout_seconds))
    try:
        try:
            response = pool.request("GET", url, preload_content=False)
        except MaxRetryError as exc:
            raise DownloadFailed(f"{url} could not be reached after {limits.retries + 1} attempt(s): "
                                 f"{exc.reason}") from exc
        except HTTPError as exc:
            raise DownloadFailed(f"{url} could not be reached: {exc}") from exc
        try:
            total = _expected_length(url, response, limits)
            for chunk in response.stream(CHUNK_BYTES):
                digest.update(chunk)
                probe.feed(chunk)
                if sink is not None:
                    sink.write(chunk)
                if probe.physical_size > limits.max_bytes:
                    raise DownloadFailed(f"{url} sends more than the {limits.max_bytes} bytes allowed "
                                         f"(setting max.template.iso.size)")
                if not on_progress(probe.physical_size, total):
                    raise DownloadFailed("the download was stopped")
        except HTTPError as exc:
            raise DownloadFailed(f"the transfer from {url} broke off after {probe.physical_size} bytes: "
                                 f"{exc}") from exc
        finally:
            response.release_conn()
    finally:
        pool.clear()
    received = format_checksum(algorithm, digest.hexdigest())
    if expected is not None and digest.hexdigest() != expected:
        raise DownloadFailed(f"checksum mismatch: registered {checksum.strip()}, but the image from {url} has "
                             f"{received}")
    try:
        virtual_size = probe.virtual_size(image_format)
    except ImageMismatch as exc:
        raise DownloadFailed(f"{url}: {exc}") from exc
    return FetchedImage(physical_size=probe.physical_size, virtual_size=virtual_size, checksum=received)


def _expected_length(url: str, response: urllib3.BaseHTTPResponse, limits: FetchLimits) -> int | None:
    if response.status != 200:
        raise DownloadFailed(f"{url} answered HTTP {response.status} {response.reason or ''}".rstrip())
    length = response.headers.get("Content-Length")
    total = int(length) if length and length.isdigit() else None
    if total is not None and total > limits.max_bytes:
        raise DownloadFailed(f"{url} is {total} bytes, more than the {limits.max_bytes} bytes allowed "
                             f"(setting max.template.iso.size)")
    return total
