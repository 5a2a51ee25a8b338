"""The generated API reference in docs/api/ matches the declarations, and every declaration is described."""

from __future__ import annotations

from pathlib import Path

from cirrostack.api.commands import core_commands
from cirrostack.api.declaration import Command, Field, Param, Response
from cirrostack.api.reference import missing_descriptions, stale_pages, write_reference

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api"


def test_every_core_command_parameter_and_field_has_a_description():
    assert missing_descriptions(core_commands()) == []


def test_docs_api_is_up_to_date_with_the_declarations():
    stale = stale_pages(core_commands(), DOCS)
    assert stale == [], f"docs/api is stale ({', '.join(stale)}); run `cirro api-docs` from the repository root"


def test_missing_descriptions_are_named():
    bare = Command("fooBar", "", params=(Param("zoneid"),),
                   response=Response("foo", (Field("id", "string", "the id"), Field("nic", "set", "",
                                                                                   (Field("mac"),)))))
    assert missing_descriptions([bare]) == ["fooBar", "fooBar.zoneid", "fooBar:nic", "fooBar:nic.mac"]


def test_a_changed_declaration_makes_the_reference_stale(tmp_path):
    commands = core_commands()
    write_reference(commands, tmp_path)
    assert stale_pages(commands, tmp_path) == []
    extra = Command("fooBar", "does foo", response=Response("foo", (Field("id", "string", "the id"),)))
    assert stale_pages([*commands, extra], tmp_path) == ["fooBar.md", "index.md"]
    (tmp_path / "gone.md").write_text("old page")
    assert "gone.md" in stale_pages(commands, tmp_path)
