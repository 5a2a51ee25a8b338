"""Detail fields: the extra values an operator fills in when adding a store or a device.

A storage provider declares the details of addImageStore (`accesskey`, `secretkey`, `bucket`
for S3); a network service provider the details of its device (url, username, password of an
addPaloAltoFirewall). The core validates what the operator sent against the declaration with
`validate_details` before the plugin sees it, and encrypts every field marked `secret` at rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from cirrostack.errors import InvalidParameter

_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off"})


@dataclass(frozen=True)
class DetailField:
    """One value an operator fills in.

    `type` is str, int or bool; text values are converted to it. A `secret` value (a key, a
    password) is encrypted at rest by the core and never shown back in clear. `default` is used
    when an optional field is left out (None: the field is simply absent).
    """

    name: str
    label: str
    description: str
    type: type = str
    required: bool = False
    secret: bool = False
    default: Any = None


class DeclaresDetails(Protocol):
    """Anything declaring detail fields: a StorageProvider or NetworkServiceProvider class."""

    detail_fields: ClassVar[tuple[DetailField, ...]]


def _convert(field: DetailField, raw: Any, param: str, subject: str) -> Any:
    if field.type is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise InvalidParameter(param, f"{field.name} of {subject} must be true or false, not {raw!r}")
    if field.type is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        try:
            return int(str(raw).strip())
        except ValueError:
            raise InvalidParameter(param, f"{field.name} of {subject} must be an integer, not {raw!r}") from None
    text = str(raw)
    if field.required and not text.strip():
        raise InvalidParameter(param, f"{field.name} ({field.label}) of {subject} must not be empty")
    return text


def validate_details(declarer: type[DeclaresDetails], details: Mapping[str, Any], *,
                     subject: str, param: str = "details") -> dict[str, Any]:
    """Check `details` against `declarer.detail_fields` and return them converted.

    Names match case-insensitively and come back spelled as declared. Raises InvalidParameter
    naming `param`, the field and the reason when a required field is missing or empty, a value
    does not convert to the field's type, or a name is not declared (the accepted ones are
    listed). `subject` names the declarer in messages ("storage provider S3"). Optional fields
    left out get their default, when they have one.
    """
    fields = {field.name.lower(): field for field in declarer.detail_fields}
    out: dict[str, Any] = {}
    for name, raw in details.items():
        field = fields.get(str(name).lower())
        if field is None:
            accepted = ", ".join(f.name for f in declarer.detail_fields) or "none"
            raise InvalidParameter(param, f"{name} is not a detail of {subject} (accepted: {accepted})")
        out[field.name] = _convert(field, raw, param, subject)
    for field in declarer.detail_fields:
        if field.name in out:
            continue
        if field.required:
            raise InvalidParameter(param, f"{field.name} ({field.label}) is required by {subject} and missing")
        if field.default is not None:
            out[field.name] = field.default
    return out


def secret_detail_names(declarer: type[DeclaresDetails]) -> frozenset[str]:
    """The names of the fields the core must encrypt at rest and never show in clear."""
    return frozenset(field.name for field in declarer.detail_fields if field.secret)

