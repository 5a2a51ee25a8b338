"""What discovery found about each plugin, as `cirro plugins list` shows it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class PluginStatus(enum.Enum):
    OK = "ok"
    PENDING = "pending"  # loads, but says plainly that part of its capability is not there yet
    DISABLED = "disabled"
    BROKEN = "broken"


@dataclass
class PluginRecord:
    """One entry point of the `cirrostack.plugins` group and what became of it."""

    name: str
    distribution: str
    version: str
    entry_point: str
    status: PluginStatus = PluginStatus.OK
    reason: str = ""
    summary: str = ""
    provides: dict[str, list[str]] = field(default_factory=dict)

    @property
    def loaded(self) -> bool:
        return self.status in (PluginStatus.OK, PluginStatus.PENDING)

    def mark_broken(self, reason: str) -> None:
        self.status = PluginStatus.BROKEN
        self.reason = reason
        self.provides = {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "entry_point": self.entry_point,
            "status": self.status.value,
            "reason": self.reason,
            "summary": self.summary,
            "provides": self.provides,
        }

    def log_line(self) -> str:
        return f"plugin {self.name} ({self.distribution} {self.version}, {self.entry_point}) left out: {self.reason}"
