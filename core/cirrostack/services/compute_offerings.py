"""What a VM gets from its compute offering: CPUs, speed and memory, and its root disk size.

A fixed offering gives its own values; a custom offering (cpunumber, cpuspeed and memory all
left out when it was created) takes them from the request's `details[0].cpuNumber`,
`details[0].cpuSpeed` and `details[0].memory`, each checked against zone-scoped settings:

    vm.serviceoffering.cpu.cores.min / .max     CPU cores           (max 0: no limit)
    vm.serviceoffering.cpu.speed.min / .max     CPU speed in MHz    (max 0: no limit)
    vm.serviceoffering.ram.size.min / .max      memory in MB        (max 0: no limit)

`deployVirtualMachine`, `changeServiceForVirtualMachine` and `scaleVirtualMachine` call
`resolve_compute`; deploy also calls `resolve_root_disk_size`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.models import Host, ServiceOffering, Template, VirtualMachine
from cirrostack.errors import InvalidParameter
from cirrostack.services import settings

GiB = 1024**3
_INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class ComputeSize:
    """The effective size of a VM: what it runs with and what capacity it takes."""

    cpus: int
    cpu_speed_mhz: int
    memory_mb: int

    def as_details(self) -> dict[str, str]:
        """The values as CloudStack stores them in VM and usage event details."""
        return {"cpuNumber": str(self.cpus), "cpuSpeed": str(self.cpu_speed_mhz), "memory": str(self.memory_mb)}


@dataclass(frozen=True)
class _CustomValue:
    key: str  # as clients send it in details[0].<key>
    what: str  # as CloudStack's messages name it
    setting: str  # prefix of the .min/.max settings
    absolute_minimum: int


_CUSTOM_VALUES = (
    _CustomValue("cpuNumber", "cpu cores", "vm.serviceoffering.cpu.cores", 1),
    _CustomValue("cpuSpeed", "cpu speed", "vm.serviceoffering.cpu.speed", 1),
    _CustomValue("memory", "memory", "vm.serviceoffering.ram.size", 32),
)


def resolve_compute(session: Session, offering: ServiceOffering, details: Sequence[Mapping[str, Any]] | None, *,
                    zone_id: int | None = None) -> ComputeSize:
    """The CPUs, speed and memory a VM gets from `offering` and the request's `details` map.

    Fixed offering: its values; a detail key that the offering fixes is a 431 naming it.
    Custom offering: `details[0].cpuNumber`, `.cpuSpeed` and `.memory` are all required, must be
    integers and lie within the zone's min/max settings; else a 431 naming the detail, the value
    and the accepted range. `details` is the decoded map (a list of dicts, as the dispatcher gives it).
    """
    entry = _first_entry(details)
    if not offering.is_customized:
        for value in _CUSTOM_VALUES:
            if _lookup(entry, value.key) is not None:
                raise InvalidParameter(f"details[0].{value.key}",
                                       f"The {value.what} of this offering id:{offering.uuid} is not customizable. "
                                       f"This is predefined in the template.")
        assert offering.cpu_number is not None and offering.cpu_speed_mhz is not None
        assert offering.memory_mb is not None
        return ComputeSize(offering.cpu_number, offering.cpu_speed_mhz, offering.memory_mb)
    if not entry:
        raise InvalidParameter("details", "Need to specify custom parameter values cpu, cpu speed and memory when "
                                          f"using custom offering {offering.name} ({offering.uuid})")
    cpus, speed, memory = (_custom_value(session, entry, value, zone_id) for value in _CUSTOM_VALUES)
    return ComputeSize(cpus, speed, memory)


def resolve_root_disk_size(params: Mapping[str, Any], template: Template | None, *,
                           zone_id: int | None = None) -> int | None:
    """The ROOT disk size in BYTES the request asks for, or None to use the template's size.

    Reads `rootdisksize` and `details[0].rootdisksize` (both in GiB, as later CloudStack
    clients send either). Giving both with different values, a value that is not a positive
    integer, or one smaller than the template's image in `zone_id` (or in any zone when no zone
    is given) is a 431 naming the parameter.
    """
    candidates: list[tuple[str, Any]] = []
    if params.get("rootdisksize") not in (None, ""):
        candidates.append(("rootdisksize", params["rootdisksize"]))
    detail = _lookup(_first_entry(params.get("details")), "rootdisksize")
    if detail is not None:
        candidates.append(("details[0].rootdisksize", detail))
    if not candidates:
        return None
    sizes = {name: _positive_int(name, raw, _INT_MAX) for name, raw in candidates}
    if len(set(sizes.values())) > 1:
        raise InvalidParameter("rootdisksize", f"rootdisksize={sizes['rootdisksize']} and details[0].rootdisksize="
                                               f"{sizes['details[0].rootdisksize']} disagree; give one of them")
    name, size_gib = next(iter(sizes.items()))
    template_bytes = _template_size(template, zone_id)
    if template_bytes and size_gib * GiB < template_bytes:
        raise InvalidParameter(name, f"{size_gib} GiB is smaller than template {template.name}'s "  # type: ignore[union-attr]
                                     f"{_gib_text(template_bytes)} GiB; the root disk cannot shrink the image")
    return size_gib * GiB


def live_scaling_ceiling(session: Session, vm: VirtualMachine) -> tuple[int, int]:
    """The most CPUs and MB a VM being started may later be scaled to while it runs (VMSpec.max_cpus
    and max_memory_mb): its host's cores and memory where the zone's enable.dynamic.scale.vm is true,
    else (0, 0), which tells the driver that the VM keeps its start size."""
    host = session.get(Host, vm.host_id) if vm.host_id is not None else None
    if host is None or not settings.value(session, "enable.dynamic.scale.vm", zone_id=vm.zone_id):
        return 0, 0
    return max(host.cpu_cores, vm.cpus), max(host.memory_bytes // (1024 * 1024), vm.memory_mb)


def custom_bounds(session: Session, key: str, zone_id: int | None = None) -> tuple[int, int]:
    """The accepted range of one custom value (`cpuNumber`, `cpuSpeed` or `memory`) in a zone."""
    value = next(v for v in _CUSTOM_VALUES if v.key == key)
    return _bounds(session, value, zone_id)


def _custom_value(session: Session, entry: Mapping[str, Any], value: _CustomValue, zone_id: int | None) -> int:
    name = f"details[0].{value.key}"
    raw = _lookup(entry, value.key)
    if raw is None or str(raw).strip() == "":
        raise InvalidParameter(name, f"is required for a custom offering: give the {value.what} as {name}=<n>")
    low, high = _bounds(session, value, zone_id)
    number = _positive_int(name, raw, _INT_MAX)
    if not low <= number <= high:
        raise InvalidParameter(name, f"{number} is out of range: the {value.what} must be between {low} and {high} "
                                     f"(settings {value.setting}.min and {value.setting}.max)")
    return number


def _bounds(session: Session, value: _CustomValue, zone_id: int | None) -> tuple[int, int]:
    low = max(value.absolute_minimum, int(settings.value(session, f"{value.setting}.min", zone_id=zone_id)))
    high = int(settings.value(session, f"{value.setting}.max", zone_id=zone_id))
    return low, (high if high > 0 else _INT_MAX)


def _positive_int(name: str, raw: Any, maximum: int) -> int:
    try:
        number = int(str(raw).strip(), 10)
    except ValueError:
        raise InvalidParameter(name, f"expected a whole number, got {raw!r}") from None
    if not 1 <= number <= maximum:
        raise InvalidParameter(name, f"{number} is out of range 1..{maximum}")
    return number


def _first_entry(details: Any) -> Mapping[str, Any]:
    if not details:
        return {}
    if isinstance(details, Mapping):
        return details
    return details[0]


def _lookup(entry: Mapping[str, Any], key: str) -> Any:
    """The value of `key` in a details entry; clients differ in case (cpuNumber, cpunumber)."""
    if key in entry:
        return entry[key]
    return next((v for k, v in entry.items() if k.lower() == key.lower()), None)


def _template_size(template: Template | None, zone_id: int | None) -> int | None:
    if template is None:
        return None
    sizes = [ref.size_bytes for ref in template.zone_refs
             if ref.size_bytes and (zone_id is None or ref.zone_id == zone_id)]
    return max(sizes) if sizes else None


def _gib_text(size_bytes: int) -> str:
    return f"{size_bytes / GiB:.2f}".rstrip("0").rstrip(".")


__all__ = ["GiB", "ComputeSize", "custom_bounds", "live_scaling_ceiling", "resolve_compute", "resolve_root_disk_size"]
