"""A third-party plugin used by the tests: it adds a page, a nav entry, a CLI command, a job and
a component through the entry-point group ``industrybrain.plugins``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import typer

from industrybrain.hookspecs import hookimpl
from industrybrain.kit.components import ComponentSpec
from industrybrain.kit.jobs import JobContext, JobSpec
from industrybrain.kit.pages import Column, Filter, ListPage, NavEntry

WIDGETS = [
    {"id": "w1", "name": "Impeller 叶轮", "colour": "red"},
    {"id": "w2", "name": "Valve seat 阀座", "colour": "blue"},
    {"id": "w3", "name": "Seal ring 密封圈", "colour": "red"},
]


def _query(
    _session: Any, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[list[dict[str, str]], int]:
    rows = [w for w in WIDGETS if not filters.get("colour") or w["colour"] == filters["colour"]]
    return rows[offset : offset + limit], len(rows)


def _detail(_session: Any, key: str) -> dict[str, str] | None:
    return next((w for w in WIDGETS if w["id"] == key), None)


@hookimpl
def register_pages() -> list[ListPage]:
    return [
        ListPage(
            path="/sample/widgets",
            title="Sample widgets",
            columns=[
                Column("id", "ID", link=True),
                Column("name", "Name"),
                Column("colour", "Colour"),
            ],
            query=_query,
            detail=_detail,
            filters=[
                Filter(
                    "colour", "Colour", kind="select", options=[("red", "red"), ("blue", "blue")]
                )
            ],
        )
    ]


@hookimpl
def register_nav() -> list[NavEntry]:
    return [NavEntry(path="/sample/widgets", label="Sample widgets", order=900)]


def _hello(name: str = typer.Option("world", help="Whom to greet.")) -> None:
    """Say hello from the sample plugin."""
    typer.echo(f"hello {name} from the sample plugin")


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    cli.command("sample-hello")(_hello)


def _square(ctx: JobContext, payload: dict[str, Any]) -> dict[str, int]:
    ctx.progress(0.5, "squaring")
    n = int(payload["n"])
    return {"square": n * n}


@hookimpl
def register_jobs() -> list[JobSpec]:
    return [JobSpec(name="sample.square", run=_square, title="Square a number")]


@hookimpl
def register_components() -> list[ComponentSpec]:
    return [
        ComponentSpec(
            kind="tool",
            id="sample.squarer",
            version="1.2.3",
            title_zh="平方计算器",
            title_en="Squarer",
            provider="Sample plugin",
            input_schema={"type": "object", "properties": {"n": {"type": "integer"}}},
            output_schema={"type": "object", "properties": {"square": {"type": "integer"}}},
        )
    ]
