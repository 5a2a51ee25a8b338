"""The PowerShell the driver sends: a fixed prelude, then one line per cmdlet invocation.

Every invocation is `Invoke-Step '<cmdlet>' '<JSON of its parameters>'`: the prelude turns the JSON
into a hashtable and splats it onto the cmdlet, so no value is ever pasted into PowerShell syntax
(the only quoting is PowerShell's own '' for a quote inside a single-quoted string). A step whose
result the driver reads ends in `| Out-Json <properties>`, which writes one line of JSON (always an
array) to stdout. The whole script runs under `$ErrorActionPreference = 'Stop'`; the first failing
cmdlet ends it, and the catch block writes one line of JSON describing the failure to stderr
(cmdlet, message, category, error id) and exits 1. Nothing is read from formatted screen output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PRELUDE = (
    "$ErrorActionPreference = 'Stop'",
    "$ProgressPreference = 'SilentlyContinue'",
    "function Invoke-Step { param([string]$Cmdlet, [string]$Json) $p = @{}; "
    "(ConvertFrom-Json $Json).psobject.Properties | ForEach-Object { $p[$_.Name] = $_.Value }; & $Cmdlet @p }",
    "function Out-Json { param([string[]]$Property) $items = @($input | Select-Object -Property $Property); "
    "[Console]::Out.WriteLine((ConvertTo-Json -InputObject $items -Compress -Depth 4)) }",
    "function Write-Failure { param($Failure) [Console]::Error.WriteLine((ConvertTo-Json -Compress -InputObject "
    "@{cmdlet = [string]$Failure.InvocationInfo.MyCommand.Name; message = [string]$Failure.Exception.Message; "
    "category = [string]$Failure.CategoryInfo.Category; id = [string]$Failure.FullyQualifiedErrorId})) }",
)


@dataclass(frozen=True)
class Step:
    """One cmdlet invocation. `read` lists the properties of its result the driver wants back
    (empty: the result is discarded)."""

    cmdlet: str
    params: Mapping[str, Any] = field(default_factory=dict)
    read: tuple[str, ...] = ()

    def render(self) -> str:
        line = f"Invoke-Step {quote(self.cmdlet)} {quote(json.dumps(dict(self.params), separators=(',', ':')))}"
        return f"{line} | Out-Json {','.join(self.read)}" if self.read else f"{line} | Out-Null"


def quote(text: str) -> str:
    """`text` as a PowerShell single-quoted string literal."""
    return "'" + text.replace("'", "''") + "'"


def render(steps: Iterable[Step]) -> str:
    """The whole script for `steps`, run in order until the first failure."""
    body = [step.render() for step in steps]
    return "\r\n".join([*PRELUDE, "try {", *body, "} catch { Write-Failure $_; exit 1 }"])


def reading_steps(steps: Iterable[Step]) -> list[Step]:
    """The steps whose output appears on stdout, in order (one JSON line each)."""
    return [step for step in steps if step.read]
