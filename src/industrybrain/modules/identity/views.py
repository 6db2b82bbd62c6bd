"""``/login`` (form with CSRF token) and ``/logout``: the browser side of password login.

The session cookie is HttpOnly (Secure in production, SameSite=Lax); the form's CSRF token is
bound to a pre-session ``ib_anon`` cookie. Errors answer with the same page and message for an
unknown user and a wrong password.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from industrybrain.kit.webctx import render
from industrybrain.modules.identity import service
from industrybrain.modules.identity.auth import (
    anonymous_csrf,
    attempt_login,
    authenticate,
    clear_session_cookie,
    csrf_signer,
    csrf_token_for,
    database,
    set_anonymous_cookie,
    set_session_cookie,
    verify_anonymous_csrf,
)

router = APIRouter(tags=["identity"], include_in_schema=False)

ERRORS = {
    401: "Invalid username or password.",
    403: "The form expired; please try again.",
    429: "Too many login attempts; try again later.",
}


def _safe_next(target: str | None) -> str:
    """Only local paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(
    request: Request, *, next_path: str, error: str = "", username: str = "", status: int = 200
) -> Response:
    principal = authenticate(request)
    token, fresh = anonymous_csrf(request)
    user = None
    if principal is not None and principal.user_id is not None:
        with database(request).session_scope() as session:
            found = service.get_user(session, principal.user_id)
            user = found.display_name if found else principal.username
    response = render(
        request,
        "identity/login.html",
        csrf_token=token,
        logout_csrf=csrf_token_for(principal) if principal and principal.csrf_binding else "",
        signed_in_as=user,
        next_path=next_path,
        error=error,
        username=username,
        status_code=status,
    )
    if fresh:
        set_anonymous_cookie(response, fresh)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_path=_safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    next_path = _safe_next(next)
    if not verify_anonymous_csrf(request, csrf_token):
        return _login_page(
            request, next_path=next_path, error=ERRORS[403], username=username, status=403
        )
    try:
        with database(request).session_scope() as session:
            issued = attempt_login(
                request, session, username=username, password=password, kind="cookie"
            )
    except HTTPException as exc:
        status = exc.status_code if exc.status_code in ERRORS else 401
        return _login_page(
            request, next_path=next_path, error=ERRORS[status], username=username, status=status
        )
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, issued.token)
    return response


@router.post("/logout")
async def logout_submit(request: Request) -> Response:
    principal = await run_in_threadpool(authenticate, request)
    if principal is not None and principal.method == "cookie":
        form = await request.form()
        token = form.get("csrf_token")
        if not csrf_signer().verify(
            token if isinstance(token, str) else None, principal.csrf_binding
        ):
            raise HTTPException(403, "missing or invalid CSRF token")
        session_id = principal.session_id
        assert session_id is not None

        def revoke() -> None:
            with database(request).session_scope() as session:
                service.revoke_session(session, session_id)

        await run_in_threadpool(revoke)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response
