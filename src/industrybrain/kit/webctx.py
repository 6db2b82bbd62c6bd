"""What a module's own HTML routes need from the web shell, without importing it.

Modules may not import ``industrybrain.web``. The web shell stores its renderer on
``app.state.templates`` when it is mounted; these functions find it through the request::

    from industrybrain.kit.webctx import render

    @router.get("/cpms/categories/tree")
    def tree(request: Request) -> Response:
        return render(request, "cpms/tree.html", nodes=load_nodes())

The template extends ``base.html`` and gets the shell context (navigation, locale, ``_()``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from starlette.requests import Request
from starlette.responses import Response


@runtime_checkable
class PageRenderer(Protocol):
    """The renderer the web shell puts on ``app.state.templates``."""

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any],
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response: ...

    def gettext(self, request: Request, message: str) -> str: ...

    def ngettext(self, request: Request, singular: str, plural: str, n: int) -> str: ...


def get_renderer(request: Request) -> PageRenderer:
    renderer = getattr(request.app.state, "templates", None)
    if not isinstance(renderer, PageRenderer):
        raise RuntimeError("the web shell is not mounted (app.state.templates is missing)")
    return renderer


def render(
    request: Request,
    name: str,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Response:
    """Render ``name`` (e.g. ``"cpms/page.html"``) with the shell context plus ``context``."""
    return get_renderer(request).render(
        request, name, context, status_code=status_code, headers=headers
    )


def gettext(request: Request, message: str) -> str:
    """Translate an English message id into the request's language."""
    return get_renderer(request).gettext(request, message)


def ngettext(request: Request, singular: str, plural: str, n: int) -> str:
    return get_renderer(request).ngettext(request, singular, plural, n)


def is_htmx(request: Request) -> bool:
    """True when HTMX sent the request: answer with a partial, not the whole page.

    A history restore (back button after ``hx-push-url`` with a cold cache) swaps the whole
    body, so it gets the whole page.
    """
    headers = request.headers
    if headers.get("HX-History-Restore-Request", "").lower() == "true":
        return False
    return headers.get("HX-Request", "").lower() == "true"


def N_(message: str) -> str:
    """Mark a message id for extraction (``pybabel extract -k N_``) without translating it now.

    Use it for labels declared at import time (page titles, column labels, nav entries); the
    web shell translates them when it renders a request.
    """
    return message
