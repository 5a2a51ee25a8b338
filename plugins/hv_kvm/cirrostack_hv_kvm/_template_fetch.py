"""Fetching a template or ISO from its HTTP(S) URL into a local file, checksum checked.

CloudStack's checksum is an MD5 by default; "{SHA-256}hex" (any hashlib name in braces) names
another algorithm, and a bare hex string of 40, 64 or 128 digits is taken as SHA-1/256/512.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from dataclasses import dataclass
from urllib.error import URLError

from cirrostack.errors import CirroError, InvalidParameter
from cirrostack.hookspecs.hypervisor import TemplateSpec

_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FetchedImage:
    """A downloaded image: where it is, its size and its digest."""

    path: str
    size_bytes: int
    digest: str


def checksum_algorithm(checksum: str) -> tuple[str, str]:
    """(hashlib name, expected hex digest) for a CloudStack template checksum."""
    text = checksum.strip()
    if text.startswith("{") and "}" in text:
        name, _, digest = text[1:].partition("}")
        algorithm = name.lower().replace("-", "")
    else:
        digest = text
        algorithm = _BY_LENGTH.get(len(text), "")
    if algorithm not in hashlib.algorithms_available:
        raise InvalidParameter("checksum", f"{checksum!r} names no checksum algorithm this server knows "
                                           "(give an MD5, or {SHA-256}<hex>)")
    return algorithm, digest.lower()


def fetch(template: TemplateSpec, directory: str, timeout: float) -> FetchedImage:
    """Download `template.url` into a new file under `directory`, checking its checksum.

    The caller owns (and removes) the file. Raises CirroError naming the template and URL when the
    download fails or the checksum does not match (the partial file is removed)."""
    algorithm, expected = checksum_algorithm(template.checksum) if template.checksum else ("sha256", "")
    digest = hashlib.new(algorithm)
    os.makedirs(directory, exist_ok=True)
    handle, path = tempfile.mkstemp(prefix=f"{template.uuid}-", suffix=".part", dir=directory)
    size = 0
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(template.url, timeout=timeout) as reply:
            while chunk := reply.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except (URLError, OSError) as exc:
        os.unlink(path)
        raise CirroError(f"template {template.name} ({template.uuid}): downloading {template.url} failed: "
                         f"{exc}") from exc
    if expected and digest.hexdigest() != expected:
        os.unlink(path)
        raise CirroError(f"template {template.name} ({template.uuid}): {template.url} has {algorithm} "
                         f"{digest.hexdigest()}, but the registered checksum is {expected}; not using it")
    return FetchedImage(path, size, digest.hexdigest())
