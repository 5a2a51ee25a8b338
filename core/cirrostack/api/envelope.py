"""The one place that writes CloudStack's json and xml envelopes, successes and errors alike.

    json: {"listdomainsresponse": {"count": 1, "domain": [{...}]}}
    xml:  <?xml version="1.0" encoding="UTF-8"?><listdomainsresponse cloud-stack-version="4.3.0">...

Errors carry `uuidList`, `errorcode` (the HTTP status again), `cserrorcode` and `errortext`;
401 replies have no `cserrorcode`, as in CloudStack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

#: The CloudStack release whose wire protocol the XML root attribute announces.
WIRE_VERSION = "4.3.0"
JSON_CONTENT_TYPE = "text/javascript; charset=UTF-8"
XML_CONTENT_TYPE = "text/xml; charset=UTF-8"
INTERNAL_ERROR_TEXT = "Internal error executing command, please contact your system administrator"


@dataclass(frozen=True)
class Reply:
    """A rendered reply: HTTP status, body bytes and content type."""

    status: int
    body: bytes
    content_type: str
    description: str = ""  # the X-Description header of error replies


def render(response_format: str, response_name: str, body: dict[str, Any], status: int = 200) -> Reply:
    """`body` under the top-level key `response_name`, as json or xml."""
    if response_format == "xml":
        text = (f'<?xml version="1.0" encoding="UTF-8"?><{response_name} cloud-stack-version='
                f'{quoteattr(WIRE_VERSION)}>{_xml_fields(body)}</{response_name}>')
        return Reply(status, text.encode("utf-8"), XML_CONTENT_TYPE)
    text = json.dumps({response_name: body}, ensure_ascii=False, separators=(",", ":"), default=str)
    return Reply(status, text.encode("utf-8"), JSON_CONTENT_TYPE)


def error_body(status: int, text: str, cs_error_code: int | None,
               uuids: list[dict[str, str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"uuidList": list(uuids or []), "errorcode": status}
    if cs_error_code is not None and status != 401:
        body["cserrorcode"] = cs_error_code
    body["errortext"] = text
    return body


def render_error(response_format: str, response_name: str, status: int, text: str,
                 cs_error_code: int | None = None, uuids: list[dict[str, str]] | None = None) -> Reply:
    """CloudStack's error envelope; 401 replies get no cserrorcode and no X-Description."""
    body = error_body(status, text, cs_error_code, uuids)
    if response_format == "xml" and not body["uuidList"]:
        del body["uuidList"]
    reply = render(response_format, response_name, body, status)
    if status == 401:
        return reply
    return Reply(reply.status, reply.body, reply.content_type, description=text)


def _xml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value), {'"': "&quot;", "'": "&apos;"})


def _xml_fields(body: dict[str, Any]) -> str:
    parts: list[str] = []
    for name, value in body.items():
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            inner = _xml_fields(item) if isinstance(item, dict) else _xml_value(item)
            parts.append(f"<{name}>{inner}</{name}>")
    return "".join(parts)
