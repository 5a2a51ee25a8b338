"""Run `cirro plugins list --json` in this process, then say which of the named modules it imported.

Usage: python probe_imports.py MODULE... -- the CLI's JSON comes first, then one last line
`{"imported": [...]}` naming those of MODULE that are in sys.modules afterwards.
"""

import json
import sys

from cirrostack.cli import cli


def main(names: list[str]) -> None:
    cli.main(["plugins", "list", "--json"], prog_name="cirro", standalone_mode=False)
    print(json.dumps({"imported": sorted(name for name in names if name in sys.modules)}))


if __name__ == "__main__":
    main(sys.argv[1:])
