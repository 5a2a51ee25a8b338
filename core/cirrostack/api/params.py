"""Parameter types of API commands: how a wire value is parsed and how `listApis` names it.

Each type turns the raw text (or, for maps, the decoded `name[i].field` entries) into a Python
value, or raises InvalidParameter naming the parameter and what would be accepted.
"""

from __future__ import annotations

import re
import uuid as uuid_module
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cirrostack.errors import InvalidParameter

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ParamType:
    """Base of parameter types. `wire_name` is the `type` listApis reports."""

    wire_name = "string"

    def parse(self, name: str, raw: Any) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class String(ParamType):
    length: int = 255
    wire_name = "string"

    def parse(self, name: str, raw: Any) -> str:
        text = str(raw)
        if len(text) > self.length:
            raise InvalidParameter(name, f"value is {len(text)} characters long; at most {self.length} are accepted")
        if _CONTROL_CHARACTERS.search(text):
            raise InvalidParameter(name, "value contains control characters")
        return text


@dataclass(frozen=True)
class Boolean(ParamType):
    wire_name = "boolean"

    def parse(self, name: str, raw: Any) -> bool:
        text = str(raw).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise InvalidParameter(name, f"expected true or false, got {raw!r}")


@dataclass(frozen=True)
class Integer(ParamType):
    wire_name = "integer"
    minimum: int = -(2**31)
    maximum: int = 2**31 - 1

    def parse(self, name: str, raw: Any) -> int:
        try:
            value = int(str(raw).strip(), 10)
        except ValueError:
            raise InvalidParameter(name, f"expected an {self.wire_name}, got {raw!r}") from None
        if not self.minimum <= value <= self.maximum:
            raise InvalidParameter(name, f"{value} is out of range {self.minimum}..{self.maximum}")
        return value


@dataclass(frozen=True)
class Long(Integer):
    wire_name = "long"
    minimum: int = -(2**63)
    maximum: int = 2**63 - 1


@dataclass(frozen=True)
class Short(Integer):
    wire_name = "short"
    minimum: int = -(2**15)
    maximum: int = 2**15 - 1


@dataclass(frozen=True)
class Float(ParamType):
    wire_name = "float"

    def parse(self, name: str, raw: Any) -> float:
        try:
            return float(str(raw).strip())
        except ValueError:
            raise InvalidParameter(name, f"expected a number, got {raw!r}") from None


@dataclass(frozen=True)
class Uuid(ParamType):
    """A UUID naming an object. `entity` ("Domain", "Account", ...) is loaded by the dispatcher
    within the caller's scope when `load` is true; the handler then receives the object."""

    entity: str = ""
    load: bool = True
    wire_name = "uuid"

    def parse(self, name: str, raw: Any) -> str:
        text = str(raw).strip()
        if not UUID_PATTERN.match(text):
            raise InvalidParameter(name, f"{text!r} is not a UUID (expected the form 8-4-4-4-12 hex digits)")
        return str(uuid_module.UUID(text))


@dataclass(frozen=True)
class ListOf(ParamType):
    """A comma-separated list of `item` values."""

    item: ParamType = String()
    wire_name = "list"

    def parse(self, name: str, raw: Any) -> list[Any]:
        parts = [part.strip() for part in str(raw).split(",") if part.strip()]
        return [self.item.parse(name, part) for part in parts]


@dataclass(frozen=True)
class Map(ParamType):
    """`name[i].field=value` entries, decoded by the dispatcher into a list of dicts, one per
    index in index order. `key_value` maps use the `details[i].key` / `details[i].value` form;
    they arrive as one dict {key: value}."""

    key_value: bool = False
    wire_name = "map"

    def parse(self, name: str, raw: Any) -> Any:
        if not isinstance(raw, list):
            raise InvalidParameter(name, f"expected {name}[0].<field>=<value> entries")
        if not self.key_value:
            return raw
        out: dict[str, str] = {}
        for index, entry in enumerate(raw):
            if "key" not in entry or "value" not in entry:
                raise InvalidParameter(f"{name}[{index}]", "each entry needs both .key and .value")
            out[entry["key"]] = entry["value"]
        return out


@dataclass(frozen=True)
class Date(ParamType):
    """`yyyy-MM-dd`, or `yyyy-MM-dd HH:mm:ss` where `with_time` is true."""

    with_time: bool = False
    wire_name = "date"

    def parse(self, name: str, raw: Any) -> date | datetime:
        text = str(raw).strip()
        formats = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d"] if self.with_time else ["%Y-%m-%d"]
        for fmt in formats:
            try:
                parsed = datetime.strptime(text[: len(datetime(2000, 1, 1).strftime(fmt))], fmt)
                return parsed if "%H" in fmt else parsed.date()
            except ValueError:
                continue
        raise InvalidParameter(name, f"expected a date as yyyy-MM-dd, got {raw!r}")


@dataclass(frozen=True)
class TzDate(ParamType):
    """`yyyy-MM-dd'T'HH:mm:ss'Z'Z` as CloudStack sends it (e.g. 2014-03-17T10:30:00Z+0000);
    also plain ISO 8601 with an offset."""

    wire_name = "tzdate"

    def parse(self, name: str, raw: Any) -> datetime:
        text = str(raw).strip()
        if re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z[+-]\d{4}$", text):
            text = text.replace("Z", "", 1)
        elif text.endswith("Z"):
            text = text[:-1] + "+0000"
        for fmt in ("%Y-%m-%dT%H:%M:%S%z",):
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise InvalidParameter(name, f"expected a date as yyyy-MM-ddTHH:mm:ssZ+hhmm, got {raw!r}")
