"""Audit log: every write action of the platform, append-only and tamper-evident.

Entries are leaves of an RFC 6962 Merkle tree; signed tree heads (checkpoints) exported with
``industrybrain audit checkpoint`` let anyone prove later, with ``industrybrain audit verify``,
that no entry was edited, deleted, reordered, inserted or truncated since. Other modules write
through ``industrybrain.modules.audit.actions.do_action``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from industrybrain.kit.components import ComponentSpec
    from industrybrain.kit.pages import ListPage, NavEntry

HERE = Path(__file__).parent


@hookimpl
def register_models() -> None:
    from industrybrain.modules.audit import models  # noqa: F401


@hookimpl
def register_migrations() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def register_components() -> list[ComponentSpec]:
    from industrybrain.kit.components import ComponentSpec

    return [
        ComponentSpec(
            kind="tool",
            id="audit.log",
            version="0.1.0",
            title_zh="防篡改审计日志",
            title_en="Tamper-evident audit log",
            description_zh="记录每一次写操作；Merkle 树（RFC 6962）与签名检查点，"
            "可导出检查点并验证日志未被篡改。",
            description_en="Records every write action; an RFC 6962 Merkle tree with signed "
            "checkpoints that can be exported and verified.",
        )
    ]


@hookimpl
def register_api_routers() -> list[APIRouter]:
    from industrybrain.modules.audit.api import router

    return [router]


@hookimpl
def register_web_routers() -> list[APIRouter]:
    from industrybrain.modules.audit.views import router

    return [router]


@hookimpl
def register_pages() -> list[ListPage]:
    from industrybrain.modules.audit.pages import AUDIT_PAGE

    return [AUDIT_PAGE]


@hookimpl
def register_nav() -> list[NavEntry]:
    from industrybrain.modules.audit.pages import AUDIT_NAV

    return [AUDIT_NAV]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_locale_dirs() -> list[Path]:
    return [HERE / "locale"]


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.audit.cli import audit_cli

    cli.add_typer(audit_cli, name="audit")
