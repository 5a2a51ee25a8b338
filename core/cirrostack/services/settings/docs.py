"""docs/settings.md: every core configuration key with its default, scope and description.

Regenerate with `python -m cirrostack.services.settings.docs > docs/settings.md`; a test keeps
the file in step with the catalogue.
"""

from __future__ import annotations

from itertools import groupby

from cirrostack.services.settings._convert import to_text
from cirrostack.services.settings.catalog import CORE_SETTINGS, STATIC_KEYS

_HEADER = """# Configuration settings

The keys `listConfigurations` shows and `updateConfiguration` sets, with CloudStack 4.3's names
and defaults. Names are case-insensitive. A key with a scope other than global may also be set
per zone, cluster, storage pool or account (`zoneid`, `clusterid`, `storageid`, `accountid`);
the value there wins over the global one. Secret values are stored encrypted and shown masked.
Keys marked "restart" are read when the server starts. Plugins add their own keys (see
`cirro plugins` and each plugin's README).
"""


def settings_markdown() -> str:
    """The Markdown text of docs/settings.md."""
    lines = [_HEADER]
    by_category = sorted(CORE_SETTINGS, key=lambda s: (s.category.lower(), s.key.lower()))
    for category, group in groupby(by_category, key=lambda s: s.category):
        lines += [f"## {category}", "", "| Key | Default | Type | Scope | Description |", "|---|---|---|---|---|"]
        for setting in group:
            default = to_text(setting, setting.default)
            notes = [setting.scope.value] + (["secret"] if setting.secret else []) + (
                ["restart"] if setting.key.lower() in STATIC_KEYS else [])
            lines.append(f"| `{setting.key}` | {f'`{default}`' if default is not None else '(none)'} | "
                         f"{setting.type.__name__} | {', '.join(notes)} | {setting.description.strip()} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(settings_markdown(), end="")
