"""Declarative pages: a module describes a table, its filters, a detail view and a form, and
the generic views of ``industrybrain.web`` render them (full page, or an HTMX partial).

Labels are English message ids; the web layer translates them (zh-CN first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

Row = Mapping[str, Any]
FieldKind = Literal["text", "textarea", "number", "select", "checkbox", "date", "password"]


@dataclass(frozen=True)
class NavEntry:
    path: str
    label: str
    section: str = "main"
    order: int = 100
    icon: str = ""


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    link: bool = False
    """Render the cell as a link to the row's detail page."""
    format: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    kind: Literal["text", "select"] = "text"
    options: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    options: Sequence[tuple[str, str]] = ()
    help: str = ""


class FormError(ValueError):
    """A submitted form is invalid; ``errors`` maps field names to messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Form:
    fields: Sequence[FormField]
    submit: Callable[[Session, dict[str, Any]], Any]
    """Validate and save; return the new object's key; raise :class:`FormError` when invalid."""
    title: str = "New"


@dataclass(frozen=True)
class ListPage:
    path: str
    title: str
    columns: Sequence[Column]
    query: Callable[[Session, Mapping[str, str], int, int], tuple[list[Row], int]]
    """(session, filters, offset, limit) -> (rows, total)."""
    key: str = "id"
    filters: Sequence[Filter] = ()
    detail: Callable[[Session, str], Row | None] | None = None
    form: Form | None = None
    page_size: int = 50
    description: str = ""
    permission: str | None = None
    """Permission a viewer must hold; anonymous viewers are sent to the login page."""
    extra: dict[str, Any] = field(default_factory=dict)
