"""Simulated host URLs: which host a URL names and what size that host is.

CloudStack's simulator takes hosts as `http://sim/<cluster>/<host>`; `sim://<cluster>/<host>` names
the same host. A query overrides the size settings for that host:

    http://sim/c0/h0?sockets=4&cores=12&threads=2&mhz=3000&memory=131072   (memory in MiB)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cirrostack.errors import InvalidParameter
from cirrostack.simulator._settings import HOST_CORES, HOST_MEMORY, HOST_MHZ, HOST_SOCKETS, HOST_THREADS, setting_value

#: URL query parameter -> the setting it overrides.
QUERY_SETTINGS = {
    "sockets": HOST_SOCKETS,
    "cores": HOST_CORES,
    "threads": HOST_THREADS,
    "mhz": HOST_MHZ,
    "memory": HOST_MEMORY,
}

ACCEPTED_FORMS = ("http://sim/<cluster>/<host> or sim://<cluster>/<host>, "
                  "optionally ?sockets=&cores=&threads=&mhz=&memory=")


@dataclass(frozen=True)
class HostShape:
    """The size of one simulated host."""

    sockets: int
    cores_per_socket: int
    threads_per_core: int
    cpu_mhz: int
    memory_mb: int

    @property
    def logical_cpus(self) -> int:
        return self.sockets * self.cores_per_socket * self.threads_per_core


def default_shape(settings: Mapping[str, Any]) -> HostShape:
    """The host size the settings give when a URL does not override it."""
    return HostShape(
        sockets=setting_value(settings, HOST_SOCKETS),
        cores_per_socket=setting_value(settings, HOST_CORES),
        threads_per_core=setting_value(settings, HOST_THREADS),
        cpu_mhz=setting_value(settings, HOST_MHZ),
        memory_mb=setting_value(settings, HOST_MEMORY),
    )


def parse_host_url(url: str, defaults: HostShape, param: str = "url") -> tuple[str, HostShape]:
    """The host key (`<cluster>/<host>`) and size a simulator URL names.

    Raises InvalidParameter(`param`, ...) naming the URL and what the simulator accepts.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "http" and (parts.hostname or "").lower() == "sim":
        path = parts.path
    elif scheme == "sim":
        path = f"{parts.netloc}{parts.path}"
    else:
        raise InvalidParameter(param, f"{url!r} is not a simulator host URL; expected {ACCEPTED_FORMS}")
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        raise InvalidParameter(param, f"{url!r} names no host after the scheme; expected {ACCEPTED_FORMS}")
    return "/".join(segments), _shape_from_query(url, parts.query, defaults, param)


def _shape_from_query(url: str, query: str, defaults: HostShape, param: str) -> HostShape:
    values = {
        "sockets": defaults.sockets,
        "cores": defaults.cores_per_socket,
        "threads": defaults.threads_per_core,
        "mhz": defaults.cpu_mhz,
        "memory": defaults.memory_mb,
    }
    for name, raw in parse_qsl(query, keep_blank_values=True):
        if name not in QUERY_SETTINGS:
            raise InvalidParameter(
                param, f"{url!r} has the unknown query parameter {name!r}; accepted: {', '.join(QUERY_SETTINGS)}")
        if not raw.isdigit() or int(raw) < 1:
            raise InvalidParameter(param, f"{url!r}: {name}={raw!r} is not a positive integer")
        values[name] = int(raw)
    return HostShape(values["sockets"], values["cores"], values["threads"], values["mhz"], values["memory"])
