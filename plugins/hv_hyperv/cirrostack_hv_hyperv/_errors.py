"""PowerShell failures and WinRM transport failures -> cirrostack errors, in one place.

A failing script writes one JSON line to stderr (see `_script`): the cmdlet, Hyper-V's message, the
error category and the fully qualified error id. `powershell_error` picks the cirrostack error from
the table below; whatever it picks keeps Hyper-V's own message, prefixed with the host and cmdlet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from cirrostack.errors import (
    CirroError,
    InsufficientCapacity,
    InvalidParameter,
    InvalidState,
    ResourceUnavailable,
    VMNotFound,
)


@dataclass(frozen=True)
class PowerShellFailure:
    """What the script's catch block reported."""

    cmdlet: str
    message: str
    category: str = ""
    error_id: str = ""


#: (category, pattern in Hyper-V's message, error class); the first match wins.
_TABLE: tuple[tuple[str, re.Pattern[str], type[CirroError]], ...] = (
    ("ObjectNotFound", re.compile(r"unable to find a virtual machine", re.I), VMNotFound),
    ("", re.compile(r"not enough memory", re.I), InsufficientCapacity),
    ("", re.compile(r"while the virtual machine is in its current state", re.I), InvalidState),
    ("", re.compile(r"access is denied|logon failure|network name cannot be found", re.I), ResourceUnavailable),
)


def parse_failure(stderr: str, fallback_cmdlet: str = "") -> PowerShellFailure:
    """Read the failure line a script wrote to stderr; text that is not that JSON (PowerShell
    failing before the prelude ran) is kept whole as the message."""
    for line in reversed([line for line in stderr.splitlines() if line.strip()]):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "message" in data:
            return PowerShellFailure(str(data.get("cmdlet") or fallback_cmdlet), str(data["message"]).strip(),
                                     str(data.get("category") or ""), str(data.get("id") or ""))
    return PowerShellFailure(fallback_cmdlet, stderr.strip() or "PowerShell exited with an error and no message")


def powershell_error(host_name: str, failure: PowerShellFailure) -> CirroError:
    """The cirrostack error for `failure` on `host_name`, keeping Hyper-V's message."""
    text = f"Hyper-V host {host_name}: {failure.cmdlet or 'PowerShell'} failed: {failure.message}"
    for category, pattern, error_class in _TABLE:
        if (not category or category == failure.category) and pattern.search(failure.message):
            return error_class(text)
    if failure.category == "InvalidArgument":
        return InvalidParameter("", text)
    return CirroError(text)
