"""Every CLI command, hook and setting is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import typer

from industrybrain import hookspecs
from industrybrain.cli import build_cli
from industrybrain.devtools import docgen

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_generated_reference_docs_are_current() -> None:
    for filename, render in docgen.GENERATED.items():
        committed = (DOCS / filename).read_text(encoding="utf-8")
        assert committed == render(), (
            f"docs/{filename} is stale: run python -m industrybrain.devtools.docgen"
        )


def test_every_command_has_help() -> None:
    root = typer.main.get_command(build_cli())
    missing = [
        " ".join(path)
        for path, command in docgen._walk(root, ["industrybrain"])
        if not command.help
    ]
    assert missing == []


def test_every_hook_documented() -> None:
    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    hooks = [
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "industrybrain_spec")
    ]
    assert hooks, "no hook specifications found"
    missing = [name for name in hooks if f"`{name}(" not in text]
    assert missing == []


def test_every_setting_documented() -> None:
    from industrybrain.config import Settings

    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    assert [n for n in Settings.model_fields if f"`IB_{n.upper()}`" not in text] == []
