"""The Jinja2 environment and the renderer that ``app.state.templates`` holds.

Translations are per request: the environment's gettext callables read the catalog from the
template context (``ib_translations``), so one shared environment serves every language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from industrybrain.kit.pages import NavEntry
from industrybrain.web.i18n import (
    HTML_LANG,
    LANG_PARAM,
    LOCALE_NAMES,
    LOCALES,
    Translations,
)

WEB_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
LOCALE_DIR = WEB_DIR / "locale"

# Known nav sections, in display order; unknown sections follow alphabetically.
SECTION_ORDER = (
    "main",
    "data",
    "model",
    "knowledge",
    "application",
    "operations",
    "admin",
    "system",
)


@pass_context
def _ctx_gettext(context: Context, message: str) -> str:
    return str(context["ib_translations"].gettext(message))


@pass_context
def _ctx_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return str(context["ib_translations"].ngettext(singular, plural, n))


@pass_context
def _ctx_pgettext(context: Context, ctx: str, message: str) -> str:
    return str(context["ib_translations"].pgettext(ctx, message))


@pass_context
def _ctx_npgettext(context: Context, ctx: str, singular: str, plural: str, n: int) -> str:
    return str(context["ib_translations"].npgettext(ctx, singular, plural, n))


@dataclass(frozen=True)
class NavSection:
    name: str
    entries: Sequence[NavEntry]


def build_environment(template_dirs: Iterable[Path]) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(TEMPLATE_DIR), *(str(d) for d in template_dirs)]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_ctx_gettext,
        ngettext=_ctx_ngettext,
        newstyle=True,
        pgettext=_ctx_pgettext,
        npgettext=_ctx_npgettext,
    )
    return env


def sort_nav(entries: Iterable[NavEntry]) -> list[NavEntry]:
    return sorted(entries, key=lambda e: (_section_rank(e.section), e.order, e.label, e.path))


def _section_rank(section: str) -> tuple[int, str]:
    if section in SECTION_ORDER:
        return (SECTION_ORDER.index(section), section)
    return (len(SECTION_ORDER), section)


def group_nav(entries: Sequence[NavEntry]) -> list[NavSection]:
    return [
        NavSection(name=section, entries=list(items))
        for section, items in groupby(entries, key=lambda e: e.section)
    ]


class WebRenderer:
    """Renders templates with the shell context; stored on ``app.state.templates``."""

    def __init__(
        self,
        env: Environment,
        translations: Translations,
        nav: Sequence[NavEntry],
        default_locale: str,
        extra_globals: Mapping[str, Any] | None = None,
    ) -> None:
        self.env = env
        self.translations = translations
        self.nav = sort_nav(nav)
        self.nav_sections = group_nav(self.nav)
        self.default_locale = default_locale
        self.env.globals.update(extra_globals or {})

    # -- request context -------------------------------------------------------------------
    def locale(self, request: Request) -> str:
        locale = getattr(request.state, "locale", None)
        return locale if locale in LOCALES else self.default_locale

    def gettext(self, request: Request, message: str) -> str:
        return str(self.translations.get(self.locale(request)).gettext(message))

    def ngettext(self, request: Request, singular: str, plural: str, n: int) -> str:
        return str(self.translations.get(self.locale(request)).ngettext(singular, plural, n))

    def shell_context(self, request: Request) -> dict[str, Any]:
        locale = self.locale(request)
        path = request.url.path

        def lang_url(target: str) -> str:
            params = [(k, v) for k, v in request.query_params.multi_items() if k != LANG_PARAM]
            params.append((LANG_PARAM, target))
            return f"{path}?{urlencode(params)}"

        def nav_active(entry: NavEntry) -> bool:
            if entry.path == "/":
                return path == "/"
            return path == entry.path or path.startswith(entry.path.rstrip("/") + "/")

        return {
            "request": request,
            "locale": locale,
            "html_lang": HTML_LANG.get(locale, locale),
            "locales": [(code, LOCALE_NAMES[code]) for code in LOCALES],
            "lang_url": lang_url,
            "nav": self.nav,
            "nav_sections": self.nav_sections,
            "nav_active": nav_active,
            "request_id": getattr(request.state, "request_id", ""),
            "ib_translations": self.translations.get(locale),
        }

    # -- rendering -------------------------------------------------------------------------
    def render_to_string(self, request: Request, name: str, context: Mapping[str, Any]) -> str:
        full = self.shell_context(request)
        full.update(context)
        return self.env.get_template(name).render(full)

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any],
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        body = self.render_to_string(request, name, context)
        return HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))
