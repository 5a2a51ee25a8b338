"""`cirro plugin new`: a new plugin distribution with the contract filled in as stubs to replace.

`SCAFFOLD_KINDS` says which contract each --kind fills in; `write_plugin` writes the files.
"""

from cirrostack.scaffold.kinds import SCAFFOLD_KINDS, ScaffoldKind
from cirrostack.scaffold.writer import PENDING, PluginNames, ScaffoldError, write_plugin

__all__ = ["PENDING", "SCAFFOLD_KINDS", "PluginNames", "ScaffoldError", "ScaffoldKind", "write_plugin"]
