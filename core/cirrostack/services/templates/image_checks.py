"""What a downloaded image must match: its registered checksum and the header of its format.

Checksums are written as CloudStack takes them: "{MD5}hex", "{SHA-1}hex", "{SHA-256}hex",
"{SHA-384}hex", "{SHA-512}hex", or bare hex, which is MD5. `ImageProbe` watches the bytes as they
stream by, keeping only the first few MiB and the last 512 bytes, and then says how large the disk
the image describes is (its virtual size) or why the image is not of the registered format:

    QCOW2  magic "QFI\\xfb"; virtual size in the header (offset 24, big-endian)
    VHD    footer cookie "conectix" in the last 512 bytes; current size at footer offset 48
    VHDX   signature "vhdxfile"; virtual size from the metadata region when it lies within the
           kept head (where qemu-img and Hyper-V put it), else the physical size
    ISO    ISO 9660 volume descriptor "CD001" at byte 32769
    RAW    any bytes; the virtual size is the byte count
Other formats (OVA, VMDK, TAR) are taken as they are, with the physical size.
"""

from __future__ import annotations

import hashlib
import re
import struct
import uuid

from cirrostack.errors import InvalidParameter

#: "{NAME}" prefixes of a checksum -> hashlib's algorithm name.
CHECKSUM_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
_HEX = re.compile(r"^[0-9a-fA-F]+$")

HEAD_BYTES = 4 * 1024 * 1024
TAIL_BYTES = 512

_VHDX_REGION_TABLE = 192 * 1024
_VHDX_METADATA_REGION = uuid.UUID("8b7ca206-4790-4b9a-b8fe-575f050f886e").bytes_le
_VHDX_VIRTUAL_DISK_SIZE = uuid.UUID("2fa54224-cd1b-4876-b211-5dbed83bf4b8").bytes_le
_ISO_DESCRIPTOR = 32769


class ImageMismatch(Exception):
    """The bytes are not an image of the registered format (the message says what was found)."""


def parse_checksum(value: str, param: str = "checksum") -> tuple[str, str]:
    """(hashlib algorithm, lower-case hex digest) of a registered checksum; 431 naming `param` when
    the prefix is unknown or the hex has the wrong length for the algorithm."""
    text = value.strip()
    label = "MD5"
    prefix = re.match(r"^\{([^}]*)\}", text)
    if prefix is not None:
        label, text = prefix.group(1).upper(), text[prefix.end():]
        if label not in CHECKSUM_ALGORITHMS:
            raise InvalidParameter(param, f"{value!r} names the algorithm {prefix.group(1)!r}; use "
                                          f"{', '.join('{' + name + '}' for name in CHECKSUM_ALGORITHMS)} or bare "
                                          f"MD5 hex")
    algorithm = CHECKSUM_ALGORITHMS[label]
    length = hashlib.new(algorithm).digest_size * 2
    if not _HEX.match(text) or len(text) != length:
        raise InvalidParameter(param, f"{value!r} is not a {label} checksum: {label} takes {length} hex digits")
    return algorithm, text.lower()


def format_checksum(algorithm: str, digest: str) -> str:
    """A digest written as the registered checksums are: "{SHA-256}ab12..."."""
    label = next(name for name, known in CHECKSUM_ALGORITHMS.items() if known == algorithm)
    return f"{{{label}}}{digest}"


class ImageProbe:
    """Fed the image's bytes in order; afterwards `virtual_size(fmt)` checks the format."""

    def __init__(self) -> None:
        self._head = bytearray()
        self._tail = b""
        self.physical_size = 0

    def feed(self, chunk: bytes) -> None:
        if len(self._head) < HEAD_BYTES:
            self._head += chunk[:HEAD_BYTES - len(self._head)]
        self._tail = (self._tail + chunk)[-TAIL_BYTES:]
        self.physical_size += len(chunk)

    def detected_format(self) -> str | None:
        """The format the header shows (QCOW2, VHDX, VHD, ISO), or None when it shows none."""
        head = bytes(self._head)
        if head.startswith(b"QFI\xfb"):
            return "QCOW2"
        if head.startswith(b"vhdxfile"):
            return "VHDX"
        if self._tail.startswith(b"conectix") and len(self._tail) == TAIL_BYTES:
            return "VHD"
        if head[_ISO_DESCRIPTOR:_ISO_DESCRIPTOR + 5] == b"CD001":
            return "ISO"
        return None

    def virtual_size(self, image_format: str) -> int:
        """The size of the disk the image describes, for an image registered as `image_format`.
        Raises ImageMismatch when its header is not that format's."""
        wanted = image_format.upper()
        found = self.detected_format()
        if wanted in ("QCOW2", "VHD", "VHDX", "ISO") and found != wanted:
            seen = f"it looks like {found}" if found else "no known image header was found"
            raise ImageMismatch(f"the image is not {wanted}: its header does not match ({seen}, "
                                f"{self.physical_size} bytes)")
        if wanted == "QCOW2":
            return struct.unpack(">Q", bytes(self._head[24:32]))[0]
        if wanted == "VHD":
            return struct.unpack(">Q", self._tail[48:56])[0]
        if wanted == "VHDX":
            return self._vhdx_virtual_size() or self.physical_size
        return self.physical_size

    def _vhdx_virtual_size(self) -> int | None:
        head = bytes(self._head)
        table = head[_VHDX_REGION_TABLE:_VHDX_REGION_TABLE + 64 * 1024]
        if not table.startswith(b"regi"):
            return None
        (entries,) = struct.unpack("<I", table[8:12])
        for index in range(min(entries, 2047)):
            entry = table[16 + 32 * index:48 + 32 * index]
            if entry[:16] != _VHDX_METADATA_REGION:
                continue
            (offset,) = struct.unpack("<Q", entry[16:24])
            return _vhdx_metadata_size(head, offset)
        return None


def _vhdx_metadata_size(head: bytes, region: int) -> int | None:
    """The Virtual Disk Size item of the metadata region at `region`, when the head holds it."""
    table = head[region:region + 64 * 1024]
    if not table.startswith(b"metadata"):
        return None
    (entries,) = struct.unpack("<H", table[10:12])
    for index in range(min(entries, 2047)):
        entry = table[32 + 32 * index:64 + 32 * index]
        if entry[:16] != _VHDX_VIRTUAL_DISK_SIZE:
            continue
        (item_offset,) = struct.unpack("<I", entry[16:20])
        value = head[region + item_offset:region + item_offset + 8]
        return struct.unpack("<Q", value)[0] if len(value) == 8 else None
    return None
