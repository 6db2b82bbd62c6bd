"""The web shell: base layout, navigation from plugins, generic pages, i18n, error pages.

:func:`mount_web` wires everything into the app. Modules never import this package: they
declare pages, nav entries, template and locale folders through hooks, and their own HTML
routes render with :func:`industrybrain.kit.webctx.render`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from industrybrain.kit.pages import ListPage, NavEntry
from industrybrain.plugins import collect
from industrybrain.web.errors import RequestContextMiddleware, install_error_handlers
from industrybrain.web.home import build_home_router
from industrybrain.web.i18n import Translations
from industrybrain.web.pages import build_page_router
from industrybrain.web.templating import (
    LOCALE_DIR,
    STATIC_DIR,
    WebRenderer,
    build_environment,
)
from industrybrain.web.tenancy import TenantScopeMiddleware

__all__ = ["mount_web"]


def mount_web(app: FastAPI) -> None:
    settings = app.state.settings
    template_dirs = [Path(p) for p in collect("register_template_dirs")]
    locale_dirs = [LOCALE_DIR, *(Path(p) for p in collect("register_locale_dirs"))]
    nav: list[NavEntry] = list(collect("register_nav"))
    pages: list[ListPage] = list(collect("register_pages"))

    renderer = WebRenderer(
        env=build_environment(template_dirs),
        translations=Translations(locale_dirs),
        nav=nav,
        default_locale=settings.default_locale,
    )
    app.state.templates = renderer

    app.add_middleware(
        TenantScopeMiddleware,
        plugin_manager=app.state.plugin_manager,
        embedded=app.state.db.is_sqlite,
    )
    app.add_middleware(RequestContextMiddleware, default_locale=settings.default_locale)
    install_error_handlers(app, renderer)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.include_router(build_home_router(pages))
    for router in collect("register_web_routers"):
        app.include_router(router)
    app.include_router(build_page_router(pages))
