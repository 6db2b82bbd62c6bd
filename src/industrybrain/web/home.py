"""The home page: what the brain is, its sections, its plugins and components."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response

from industrybrain.kit.pages import ListPage
from industrybrain.kit.webctx import render
from industrybrain.plugins import collect, plugin_names

COMPONENT_KINDS = ("knowledge", "tool", "application")


def build_home_router(pages: Sequence[ListPage]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    # Plugins and components are fixed once the app is built: count them once.
    plugins = plugin_names()
    components = list(collect("register_components"))
    kinds = Counter(component.kind for component in components)
    counts = {kind: kinds.get(kind, 0) for kind in COMPONENT_KINDS}

    @router.get("/", name="home")
    def home(request: Request) -> Response:
        return render(
            request,
            "home.html",
            plugins=plugins,
            component_counts=counts,
            component_total=len(components),
            page_count=len(pages),
        )

    return router
