"""Writing a new plugin distribution from the templates in `templates/`.

NAME `acme-hv` gives the distribution `cirrostack-acme-hv`, the import package
`cirrostack_acme_hv`, the entry point `acme-hv` and, for a hypervisor, the class
`AcmeHvHypervisor` claiming the type `AcmeHv`.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import cirrostack
from cirrostack.scaffold.contract_source import contract_methods, import_statements, render_method
from cirrostack.scaffold.kinds import ScaffoldKind

NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
MAX_NAME_LENGTH = 32
PENDING = "scaffold: contract methods not implemented yet"


class ScaffoldError(ValueError):
    """A request the scaffold refuses; the message names the value and what would be accepted."""


@dataclass(frozen=True)
class PluginNames:
    entry_point: str  # acme-hv
    distribution: str  # cirrostack-acme-hv
    package: str  # cirrostack_acme_hv
    claim: str  # AcmeHv

    @classmethod
    def from_name(cls, name: str) -> PluginNames:
        """Names derived from NAME; raises ScaffoldError for a NAME that cannot be used."""
        if not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
            raise ScaffoldError(
                f"NAME {name!r} cannot be used: use lower-case letters, digits and single dashes, starting "
                f"with a letter, at most {MAX_NAME_LENGTH} characters (e.g. acme-hv)")
        if name == "cirrostack" or name.startswith("cirrostack-"):
            raise ScaffoldError(f"NAME {name!r}: leave out the cirrostack- prefix; the distribution name adds it")
        claim = "".join(part[:1].upper() + part[1:] for part in name.split("-"))
        return cls(name, f"cirrostack-{name}", f"cirrostack_{name.replace('-', '_')}", claim)


def _template(relative: str) -> string.Template:
    return string.Template(resources.files("cirrostack.scaffold").joinpath("templates", relative).read_text())


def driver_source(kind: ScaffoldKind, names: PluginNames) -> str:
    """driver.py: the contract subclass with every method, imports computed from the contract."""
    contract = kind.contract_class()
    capabilities_class = type(contract.capabilities)
    methods = contract_methods(contract)
    imports = import_statements(contract, methods, {contract.__name__: contract,
                                                    capabilities_class.__name__: capabilities_class})
    class_name = names.claim + kind.class_suffix
    return _template("driver.py.tmpl").substitute(
        imports="\n".join(imports), class_name=class_name, contract_class=contract.__name__,
        claim=names.claim, noun=kind.noun, claim_attribute=kind.claim_attribute,
        capabilities_class=capabilities_class.__name__,
        methods="\n".join(render_method(method, names.claim) for method in methods).rstrip("\n"),
    ) + "\n"


def write_plugin(kind: ScaffoldKind, names: PluginNames, target: Path) -> list[Path]:
    """Write the distribution into `target` (missing or empty). Returns the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"--dir {target}: the directory exists and is not empty; choose a new or empty directory")
    _check_conformance_suite(kind)
    contract = kind.contract_class()
    values = {
        "distribution": names.distribution, "package": names.package, "entry_point": names.entry_point,
        "claim": names.claim, "kind": kind.kind, "noun": kind.noun, "register_hook": kind.register_hook,
        "contract_module": contract.__module__, "contract_class": contract.__name__,
        "class_name": names.claim + kind.class_suffix, "conformance": kind.conformance, "pending": PENDING,
        "core_version": _release(cirrostack.__version__),
    }
    files = {
        "pyproject.toml": _template("pyproject.toml.tmpl").substitute(values),
        "README.md": _template("README.md.tmpl").substitute(values),
        f"{names.package}/__init__.py": _template("package_init.py.tmpl").substitute(values),
        f"{names.package}/plugin.py": _template("plugin.py.tmpl").substitute(values),
        f"{names.package}/driver.py": driver_source(kind, names),
        "tests/test_conformance.py": _template(kind.test_template).substitute(values),
    }
    written = []
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


def _check_conformance_suite(kind: ScaffoldKind) -> None:
    """The generated tests reuse the kind's suite; refuse rather than write tests that cannot run."""
    import cirrostack.testing

    template = resources.files("cirrostack.scaffold").joinpath("templates", kind.test_template)
    if not hasattr(cirrostack.testing, kind.conformance) or not template.is_file():
        raise ScaffoldError(f"--kind {kind.kind}: this core has no conformance suite for a {kind.noun} yet "
                            f"(cirrostack.testing.{kind.conformance}), so its tests cannot be generated")


def _release(version: str) -> str:
    """The release part of the core's version (0.1.0.dev3 -> 0.1.0): the lowest core the plugin accepts."""
    match = re.match(r"\d+(?:\.\d+)*", version)
    return match.group(0) if match else "0"
