"""The web shell: base layout, navigation from plugins, generic pages, i18n, error pages."""

from __future__ import annotations

from fastapi import FastAPI

from industrybrain.plugins import collect


def mount_web(app: FastAPI) -> None:
    for router in collect("register_web_routers"):
        app.include_router(router)
