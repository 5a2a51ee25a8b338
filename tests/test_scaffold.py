"""`cirro plugin new`: the generated distribution installs, is discovered and runs the conformance kit."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

import cirrostack.testing
from cirrostack.cli import cli
from cirrostack.scaffold import PENDING, SCAFFOLD_KINDS, PluginNames, ScaffoldError, write_plugin
from cirrostack.scaffold.contract_source import MethodStyle, contract_methods
from tests.fixtures.throwaway_venv import ThrowawayVenv

KINDS = sorted(SCAFFOLD_KINDS)


def _new(name: str, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["plugin", "new", *options, "--", name])
    return result.exit_code, result.output


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Acme", "acme_hv", "acme--hv", "-acme", "9acme", "acme-", "a" * 33])
def test_a_bad_name_is_refused_naming_it_and_the_accepted_form(name: str, tmp_path: Path) -> None:
    code, output = _new(name, "--kind", "hypervisor", "--dir", str(tmp_path / "out"))
    assert code == 2
    assert f"NAME {name!r} cannot be used: use lower-case letters, digits and single dashes" in output
    assert not (tmp_path / "out").exists()


def test_the_cirrostack_prefix_is_refused(tmp_path: Path) -> None:
    code, output = _new("cirrostack-acme", "--kind", "hypervisor", "--dir", str(tmp_path / "out"))
    assert code == 2
    assert "leave out the cirrostack- prefix" in output


def test_an_existing_non_empty_directory_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    code, output = _new("acme-hv", "--kind", "hypervisor", "--dir", str(tmp_path))
    assert code == 2
    assert f"--dir {tmp_path}: the directory exists and is not empty" in output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_an_unknown_kind_is_refused_listing_the_kinds(tmp_path: Path) -> None:
    code, output = _new("acme", "--kind", "router", "--dir", str(tmp_path / "out"))
    assert code == 2
    for kind in SCAFFOLD_KINDS:
        assert kind in output


def test_a_kind_whose_suite_the_core_lacks_is_refused_naming_the_suite(tmp_path: Path) -> None:
    kind = replace(SCAFFOLD_KINDS["hypervisor"], conformance="NoSuchConformance")
    with pytest.raises(ScaffoldError, match=r"no conformance suite .*cirrostack\.testing\.NoSuchConformance"):
        write_plugin(kind, PluginNames.from_name("acme"), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_every_kind_has_its_suite_in_cirrostack_testing() -> None:
    assert {kind: hasattr(cirrostack.testing, SCAFFOLD_KINDS[kind].conformance) for kind in KINDS} == dict.fromkeys(
        KINDS, True)


# -- what is written -----------------------------------------------------------------------------


def test_names_follow_the_repository_convention() -> None:
    names = PluginNames.from_name("acme-hv")
    assert (names.entry_point, names.distribution, names.package, names.claim) == (
        "acme-hv", "cirrostack-acme-hv", "cirrostack_acme_hv", "AcmeHv")


@pytest.mark.parametrize("kind", KINDS)
def test_the_driver_has_every_contract_method_with_the_contracts_docstring(kind: str, tmp_path: Path) -> None:
    target = tmp_path / "acme"
    code, output = _new("acme-x", "--kind", kind, "--dir", str(target))
    assert code == 0, output
    contract = SCAFFOLD_KINDS[kind].contract_class()
    driver_module = _load(target / "cirrostack_acme_x" / "driver.py", f"scaffold_driver_{kind.replace('-', '_')}")
    (driver_class,) = [c for c in vars(driver_module).values()
                       if inspect.isclass(c) and issubclass(c, contract) and c is not contract]
    assert getattr(driver_class, SCAFFOLD_KINDS[kind].claim_attribute) == "AcmeX"
    assert not inspect.isabstract(driver_class)

    methods = contract_methods(contract)
    public = [name for name, member in vars(contract).items()
              if inspect.isfunction(member) and not name.startswith("_")]
    assert [m.name for m in methods] == public
    for method in methods:
        written = vars(driver_class)[method.name]
        assert inspect.getdoc(written) == inspect.getdoc(getattr(contract, method.name)), method.name
        assert inspect.signature(written) == inspect.signature(getattr(contract, method.name)), method.name
        body = ast.parse(inspect.getsource(written).strip()).body[0]
        assert isinstance(body, ast.FunctionDef)
        statements = ast.unparse(body.body[-1])
        if method.style is MethodStyle.DEFAULT:
            assert statements.startswith(f"return super().{method.name}("), method.name
        else:
            assert statements == f"raise NotImplementedError('{method.name}: not implemented yet')"


@pytest.mark.parametrize("kind", KINDS)
def test_the_generated_files_pass_ruff(kind: str, tmp_path: Path) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    assert ruff.exists(), f"ruff is not installed next to {sys.executable}: pip install '.[test]'"
    target = tmp_path / "acme"
    assert _new("acme-" + "x" * 27, "--kind", kind, "--dir", str(target))[0] == 0  # the longest NAME allowed
    result = subprocess.run([str(ruff), "check", "--no-cache", "."], cwd=target, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# -- installed for real ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scaffold_venv(throwaway_venv_factory) -> ThrowawayVenv:
    return throwaway_venv_factory("scaffold")


@pytest.mark.parametrize("kind", KINDS)
def test_a_scaffolded_plugin_installs_is_listed_pending_and_its_tests_fail_naming_each_method(
        kind: str, scaffold_venv: ThrowawayVenv, tmp_path: Path) -> None:
    name = f"acme-{kind}"
    names = PluginNames.from_name(name)
    target = tmp_path / name
    # The throwaway venv's own cirro: the templates must have shipped with the installed core.
    scaffold_venv.run(scaffold_venv.root / "bin" / "cirro", "plugin", "new", name, "--kind", kind, "--dir", target)
    scaffold_venv.install(target)

    listed = scaffold_venv.plugins_list()[name]
    assert (listed["distribution"], listed["status"], listed["reason"]) == (names.distribution, "pending", PENDING)
    assert [claimed for claims in listed["provides"].values() for claimed in claims] == [names.claim]

    run = scaffold_venv.run(scaffold_venv.python, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider",
                            target / "tests", check=False, cwd=target)
    assert run.returncode == 1, run.stdout + run.stderr
    contract = SCAFFOLD_KINDS[kind].contract_class()
    abstract = [m.name for m in contract_methods(contract) if m.style is MethodStyle.ABSTRACT]
    assert abstract
    for method in abstract:
        assert f"{method}: not implemented yet" in run.stdout, f"{method} is not named:\n{run.stdout}"
    assert f"Test{names.claim}{SCAFFOLD_KINDS[kind].class_suffix}" in run.stdout
