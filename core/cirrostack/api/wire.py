"""Reading a `/client/api` request's parameters the way CloudStack does.

Query-string and form-body parameters are merged (the query wins on duplicates). `command`,
`response` and `sessionkey` are looked up case-sensitively; every other name is lower-cased,
except that in map entries `name[i].field` only the prefix is (the field keeps its case).
Unknown parameters are kept and ignored later; they still count for the signature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cirrostack.errors import InvalidParameter, MalformedParameter

RESERVED = ("command", "response", "sessionkey")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAP_ENTRY = re.compile(r"^([^\[\].]+)\[(\d+)\]\.([^\[\]]+)$")


@dataclass
class WireRequest:
    """One request's parameters: `signed` exactly as sent (for the signature), `params` with
    lower-cased names, and `maps` holding decoded `name[i].field` entries in index order."""

    signed: dict[str, str]
    command: str = ""
    response_format: str = "json"
    sessionkey: str = ""
    params: dict[str, str] = field(default_factory=dict)
    maps: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def auth_value(self, name: str) -> str:
        """An authentication parameter (`apiKey`, `signature`, ...), matched case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.signed.items() if key.lower() == wanted), "")


def merge(query: Mapping[str, str], form: Mapping[str, str]) -> dict[str, str]:
    """Body parameters overridden by query-string ones, names as sent."""
    merged = dict(form)
    merged.update(query)
    return merged


def response_format(params: Mapping[str, str]) -> str:
    """`xml` only when asked for; json otherwise (CloudStack 4.3 defaulted to xml)."""
    return "xml" if params.get("response", "").strip().lower() == "xml" else "json"


def read_request(merged: Mapping[str, str]) -> WireRequest:
    """Split and normalise the merged parameters.

    Raises InvalidParameter (431) for control characters in a value and MalformedParameter
    (430) for a name with `[` that is not `name[<index>].<field>`.
    """
    request = WireRequest(signed=dict(merged), command=merged.get("command", "").strip(),
                          response_format=response_format(merged), sessionkey=merged.get("sessionkey", ""))
    indexed: dict[str, dict[int, dict[str, str]]] = {}
    for name, value in merged.items():
        if _CONTROL_CHARACTERS.search(value):
            raise InvalidParameter(name, "value contains control characters (0x00-0x1F other than tab, "
                                         "newline and carriage return, or 0x7F)")
        if name in RESERVED:
            continue
        if "[" in name or "]" in name:
            match = _MAP_ENTRY.match(name)
            if match is None:
                raise MalformedParameter(f"Unable to decode parameter {name}; map parameters are written "
                                         f"name[<index>].<field>=<value>, e.g. details[0].key=value")
            prefix, index, entry_field = match.group(1).lower(), int(match.group(2)), match.group(3)
            indexed.setdefault(prefix, {}).setdefault(index, {})[entry_field] = value
            continue
        request.params[name.lower()] = value
    request.maps = {prefix: [entries[i] for i in sorted(entries)] for prefix, entries in indexed.items()}
    return request
