"""Every hook, contract method, capability field and core setting is documented where it is declared."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
from abc import ABC

import pytest

from cirrostack import hookspecs
from cirrostack.hookspecs import PROJECT_NAME
from cirrostack.plugins import PluginRegistry

SPEC_MARK = f"{PROJECT_NAME}_spec"


def hookspec_functions() -> list[tuple[str, object]]:
    return [(f"{module.__name__}.{name}", function)
            for module in hookspecs.SPEC_MODULES
            for name, function in vars(module).items()
            if inspect.isfunction(function) and hasattr(function, SPEC_MARK)]


def contract_classes() -> list[type]:
    return [cls for module in hookspecs.SPEC_MODULES for cls in vars(module).values()
            if inspect.isclass(cls) and issubclass(cls, ABC) and cls is not ABC and cls.__module__ == module.__name__]


def capability_classes() -> list[type]:
    return [cls for module in hookspecs.SPEC_MODULES for cls in vars(module).values()
            if inspect.isclass(cls) and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
            and cls.__name__.endswith("Capabilities")]


def field_docstrings(cls: type) -> dict[str, str]:
    """The string literal written right under each annotated field of `cls`."""
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for statement, following in zip(body, body[1:], strict=False):
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant) \
                and isinstance(following.value.value, str):
            docs[statement.target.id] = following.value.value.strip()
    return docs


def test_the_walk_finds_every_capability() -> None:
    names = {cls.__name__ for cls in contract_classes()}
    assert {"HypervisorDriver", "GuestIsolationMethod", "NetworkServiceProvider", "StorageProvider",
            "VMSnapshotStrategy"} <= names
    hooks = {name.rsplit(".", 1)[1] for name, _ in hookspec_functions()}
    assert {"register_hypervisors", "register_isolation_methods", "register_network_providers",
            "register_storage_providers", "register_vm_snapshot_strategies", "register_settings"} <= hooks


@pytest.mark.parametrize(("name", "function"), hookspec_functions(), ids=lambda value: str(value))
def test_every_hookspec_has_a_docstring(name: str, function: object) -> None:
    assert (inspect.getdoc(function) or "").strip(), f"hook {name} has no docstring"


@pytest.mark.parametrize("contract", contract_classes(), ids=lambda cls: cls.__name__)
def test_every_contract_method_has_a_docstring(contract: type) -> None:
    assert (contract.__doc__ or "").strip(), f"{contract.__name__} has no docstring"
    undocumented = [name for name, member in vars(contract).items()
                    if inspect.isfunction(member) and not name.startswith("_") and not (member.__doc__ or "").strip()]
    assert not undocumented, f"{contract.__name__} methods without docstring: {', '.join(undocumented)}"


@pytest.mark.parametrize("capabilities", capability_classes(), ids=lambda cls: cls.__name__)
def test_every_capability_field_has_a_description(capabilities: type) -> None:
    documented = field_docstrings(capabilities)
    missing = [field.name for field in dataclasses.fields(capabilities) if not documented.get(field.name)]
    assert not missing, f"{capabilities.__name__} fields without a description: {', '.join(missing)}"


def test_every_setting_the_core_registers_has_a_description() -> None:
    registry = PluginRegistry.load()
    core_plugins = {record.name for record in registry.records if record.distribution == "cirrostack"}
    settings = [(plugin, setting) for plugin, setting in registry.provided("setting").values()
                if plugin in core_plugins]
    assert settings, "the core's own plugins register no setting; the walk is broken"
    undocumented = [setting.key for _plugin, setting in settings if not setting.description.strip()]
    assert not undocumented, f"settings without a description: {', '.join(undocumented)}"
