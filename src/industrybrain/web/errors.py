"""Request context (request id, locale) and error pages: HTML for browsers, JSON for the API.

A 500 answer never carries the exception or a stack trace, only the request id that the log
line carries too, so an operator can find the cause.
"""

from __future__ import annotations

import logging
import re
import uuid
from http import HTTPStatus
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from fastapi import FastAPI
from fastapi.exception_handlers import http_exception_handler
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from industrybrain.kit.webctx import N_
from industrybrain.web.i18n import LANG_COOKIE, LANG_PARAM, choose_locale, normalize_locale
from industrybrain.web.templating import WebRenderer

logger = logging.getLogger("industrybrain.web")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def _new_request_id() -> str:
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Give every HTTP request an id (kept from ``X-Request-ID`` when well-formed) and a locale.

    A pure ASGI middleware, so that streaming responses and background tasks are untouched.
    """

    def __init__(self, app: ASGIApp, default_locale: str) -> None:
        self.app = app
        self.default_locale = default_locale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else _new_request_id()

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        query_lang = normalize_locale((query.get(LANG_PARAM) or [None])[-1])
        cookie_lang: str | None = None
        cookie_header = headers.get("cookie")
        if cookie_header:
            cookies: SimpleCookie = SimpleCookie()
            try:
                cookies.load(cookie_header)
            except Exception:  # a malformed cookie header is the client's problem
                cookies = SimpleCookie()
            if LANG_COOKIE in cookies:
                cookie_lang = cookies[LANG_COOKIE].value
        locale = choose_locale(query_lang, cookie_lang, self.default_locale)

        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["locale"] = locale

        async def send_with_context(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out[REQUEST_ID_HEADER] = request_id
                if query_lang and query_lang != cookie_lang:
                    out.append(
                        "set-cookie",
                        f"{LANG_COOKIE}={query_lang}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE}; "
                        "SameSite=Lax; HttpOnly",
                    )
            await send(message)

        await self.app(scope, receive, send_with_context)


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


_MESSAGES = {
    404: (
        N_("Page not found"),
        N_("The page you asked for does not exist or is not visible to you."),
    ),
    405: (N_("Method not allowed"), N_("This address does not accept that kind of request.")),
    500: (N_("Something went wrong"), N_("The server could not complete the request.")),
}


def install_error_handlers(app: FastAPI, renderer: WebRenderer) -> None:
    def html_error(request: Request, status_code: int, headers: dict[str, str] | None) -> Response:
        title, message = _MESSAGES.get(
            status_code, (HTTPStatus(status_code).phrase, N_("The request could not be completed."))
        )
        return renderer.render(
            request,
            "error.html",
            {"status_code": status_code, "title": title, "message": message},
            status_code=status_code,
            headers=headers,
        )

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if wants_json(request) or exc.status_code < 400:
            return await http_exception_handler(request, exc)
        return html_error(request, exc.status_code, dict(exc.headers or {}))

    async def on_server_error(request: Request, exc: Exception) -> Response:
        request_id = getattr(request.state, "request_id", "") or _new_request_id()
        logger.error(
            "unhandled error on %s %s [request_id=%s]",
            request.method,
            request.url.path,
            request_id,
            exc_info=exc,
        )
        headers = {REQUEST_ID_HEADER: request_id}
        if wants_json(request):
            return JSONResponse(
                {"detail": "Internal Server Error", "request_id": request_id},
                status_code=500,
                headers=headers,
            )
        try:
            return html_error(request, 500, headers)
        except Exception:  # the error page itself failed: answer plainly, still without details
            logger.exception("the error page failed [request_id=%s]", request_id)
            return Response(
                f"Internal Server Error (request id {request_id})",
                status_code=500,
                media_type="text/plain",
                headers=headers,
            )

    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(Exception, on_server_error)
