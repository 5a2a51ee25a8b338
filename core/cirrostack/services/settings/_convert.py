"""Turning the text an operator gives (or the database holds) into a setting's declared type."""

from __future__ import annotations

import math
from typing import Any

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.settings import Setting

_TYPE_WORDS = {bool: "a boolean (true or false)", int: "an integer", float: "a number", str: "a string"}


def expected(setting: Setting) -> str:
    """How an error names the accepted values of `setting`, e.g. "an integer >= 1"."""
    words = _TYPE_WORDS.get(setting.type, setting.type.__name__)
    if setting.minimum is not None and setting.maximum is not None:
        return f"{words} from {_number(setting.minimum)} to {_number(setting.maximum)}"
    if setting.minimum is not None:
        return f"{words} >= {_number(setting.minimum)}"
    if setting.maximum is not None:
        return f"{words} <= {_number(setting.maximum)}"
    return words


def parse(setting: Setting, text: str, param: str = "value") -> Any:
    """`text` converted to the setting's type; a value of the wrong type or out of range is a 431
    naming `param`, the key, the value and what the key expects."""
    stripped = text.strip()
    converted: Any
    try:
        converted = _convert(setting.type, stripped)
    except ValueError:
        raise InvalidParameter(param, f"{setting.key} expects {expected(setting)}, not {text!r}") from None
    if setting.type in (int, float):
        too_small = setting.minimum is not None and converted < setting.minimum
        too_big = setting.maximum is not None and converted > setting.maximum
        if too_small or too_big:
            raise InvalidParameter(param, f"{setting.key} expects {expected(setting)}, not {text!r}")
    return converted


def to_text(setting: Setting, value: Any) -> str | None:
    """A typed value as the configuration table stores it (booleans as true/false)."""
    if value is None:
        return None
    if setting.type is bool:
        return "true" if value else "false"
    return str(value)


def _convert(kind: type, text: str) -> Any:
    if kind is bool:
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ValueError(text)
        return lowered == "true"
    if kind is int:
        return int(text, 10)
    if kind is float:
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(text)
        return number
    return text


def _number(limit: float) -> str:
    return str(int(limit)) if float(limit).is_integer() else str(limit)
