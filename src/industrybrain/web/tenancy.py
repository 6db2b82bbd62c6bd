"""The tenant scope of every request: the principal (through the ``authenticate_request`` hook)
decides whose rows the request's code may touch (:mod:`industrybrain.kit.tenancy`).

A pure ASGI middleware sets the context variable before routing, so that every dependency,
endpoint and thread-pool call of the request inherits it. An anonymous request gets an empty
scope: public directories only, never a tenant's rows.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from industrybrain.kit.tenancy import TenantScope, for_organizations, use_scope

ANONYMOUS = for_organizations([])
SKIPPED_PREFIXES = ("/static/",)


def scope_of(principal: Any) -> TenantScope:
    if principal is None:
        return ANONYMOUS
    scope = principal.tenant_scope()
    assert isinstance(scope, TenantScope)
    return scope


def _presents_credentials(request: Request) -> bool:
    """Whether the request carries anything a plugin could authenticate: a cookie, an
    ``Authorization`` header or an ``X-API-Key`` header."""
    headers = request.headers
    return "cookie" in headers or "authorization" in headers or "x-api-key" in headers


class TenantScopeMiddleware:
    def __init__(self, app: ASGIApp, plugin_manager: Any, *, embedded: bool = False) -> None:
        self.app = app
        self.hook = plugin_manager.hook
        self.embedded = embedded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(SKIPPED_PREFIXES):
            with use_scope(ANONYMOUS):
                await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if not _presents_credentials(request):
            # Nothing to check: no store round trip, no thread hand-off.
            with use_scope(ANONYMOUS):
                await self.app(scope, receive, send)
            return
        if self.embedded:
            # SQLite lookups are in-process CPU work: a thread hand-off would only add latency.
            principal = self.hook.authenticate_request(request=request)
        else:
            principal = await run_in_threadpool(self.hook.authenticate_request, request=request)
        with use_scope(scope_of(principal)):
            await self.app(scope, receive, send)
