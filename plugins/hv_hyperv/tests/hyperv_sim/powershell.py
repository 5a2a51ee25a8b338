"""`powershell -encodedcommand <base64 UTF-16LE>` on a simulated host: exactly the driver's vocabulary.

A script is a prelude (preference variables, function definitions, `try {`), then one line per
invocation, `Invoke-Step '<cmdlet>' '<JSON parameters>' | Out-Null` or `| Out-Json <properties>`,
then `} catch { ... }`. Anything else is answered as PowerShell answers an unknown command. Under
`$ErrorActionPreference = 'Stop'` the first error ends the script: its record goes to stderr as one
JSON line (what the prelude's Write-Failure writes) and the exit code is 1. `-ErrorAction
SilentlyContinue` in the parameters swallows a cmdlet's error, as PowerShell does.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

from hyperv_sim.cmdlets import CMDLETS
from hyperv_sim.world import CmdletError, SimHost, World

_STEP = re.compile(r"^Invoke-Step '((?:[^']|'')*)' '((?:[^']|'')*)' \| (Out-Null|Out-Json ([A-Za-z0-9_,]+))$")
_STRUCTURE = ("$ErrorActionPreference", "$ProgressPreference", "function ", "try {", "} catch {")


@dataclass(frozen=True)
class Result:
    stdout: str
    stderr: str
    exit_code: int


def run_command_line(world: World, host: SimHost, command: str, arguments: str = "") -> Result:
    """Run what a WinRM Command carried (`powershell -encodedcommand ...`)."""
    words = (command + " " + arguments).split()
    if len(words) != 3 or words[0].lower() != "powershell" or words[1].lower() != "-encodedcommand":
        return Result("", f"'{words[0] if words else ''}' is not recognized as an internal or external command,\r\n"
                          "operable program or batch file.\r\n", 1)
    try:
        script = base64.b64decode(words[2]).decode("utf-16-le")
    except (ValueError, UnicodeDecodeError):
        return Result("", "Cannot process the command because the value of -EncodedCommand is not valid base64.", 1)
    return run_script(world, host, script)


def run_script(world: World, host: SimHost, script: str) -> Result:
    out: list[str] = []
    for line in (raw.strip() for raw in script.splitlines()):
        if not line or line.startswith(_STRUCTURE):
            continue
        match = _STEP.match(line)
        if match is None:
            return _failure(out, "", f"The term '{line.split()[0]}' is not recognized as the name of a cmdlet, "
                                     "function, script file, or operable program.", "ObjectNotFound")
        name, params_json, _sink, properties = (match.group(1).replace("''", "'"), match.group(2).replace("''", "'"),
                                                match.group(3), match.group(4))
        try:
            params = json.loads(params_json)
        except ValueError as exc:
            return _failure(out, "ConvertFrom-Json", f"Invalid JSON primitive: {exc}", "ParserError")
        implementation = CMDLETS.get(name.lower())
        quiet = str(params.pop("ErrorAction", "")).lower() == "silentlycontinue"
        try:
            with world.lock:
                world.record(host, name, params)
                if implementation is None:
                    raise CmdletError(f"The term '{name}' is not recognized as the name of a cmdlet, function, script "
                                      "file, or operable program.", "ObjectNotFound", "CommandNotFoundException")
                objects = implementation(world, host, params)
        except CmdletError as error:
            if not quiet:
                return _failure(out, name, error.message, error.category, error.error_id)
            objects = []
        except (KeyError, TypeError, ValueError) as exc:
            return _failure(out, name, f"Cannot bind parameter: {exc}", "InvalidArgument")
        if properties:
            wanted = properties.split(",")
            out.append(json.dumps([{key: item.get(key) for key in wanted} for item in objects],
                                  separators=(",", ":")))
    return Result("".join(line + "\r\n" for line in out), "", 0)


def _failure(out: list[str], cmdlet: str, message: str, category: str, error_id: str = "") -> Result:
    record = {"cmdlet": cmdlet, "message": message, "category": category, "id": error_id or category}
    return Result("".join(line + "\r\n" for line in out), json.dumps(record) + "\r\n", 1)
