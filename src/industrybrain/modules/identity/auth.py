"""FastAPI glue of authentication: credentials → :class:`Principal`, CSRF, dependencies.

``authenticate(request)`` resolves, in this order, ``X-API-Key``, ``Authorization: Bearer`` and
the session cookie; a presented but invalid credential gives ``None`` (no fallback). Requests
authenticated by the cookie must carry a CSRF token (``X-CSRF-Token`` header or ``csrf_token``
form field) on every unsafe method; bearer tokens and API keys are not sent by browsers on their
own and need none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from fastapi import HTTPException, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from industrybrain.config import get_settings
from industrybrain.kit.db import Database
from industrybrain.kit.security import CsrfSigner, SlidingWindowThrottle, new_token
from industrybrain.modules.identity import service
from industrybrain.modules.identity.service import Principal

SESSION_COOKIE = "ib_session"
ANON_COOKIE = "ib_anon"  # pre-session identifier that login-form CSRF tokens are bound to
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

LOGIN_FAILURE_LIMIT = 5
LOGIN_WINDOW_SECONDS = 15 * 60


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def db_session(request: Request) -> Iterator[Session]:
    """A unit of work per request; use with ``Depends(db_session, scope="function")`` so that
    the commit happens before the response is sent."""
    with database(request).session_scope() as session:
        yield session


def csrf_signer() -> CsrfSigner:
    return CsrfSigner(get_settings().secret_key)


def login_throttle(request: Request) -> SlidingWindowThrottle:
    """One throttle per app instance (per process)."""
    throttle: SlidingWindowThrottle | None = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        throttle = SlidingWindowThrottle(LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_SECONDS)
        request.app.state.login_throttle = throttle
    return throttle


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return ""  # presented but malformed: never falls back to the cookie
    return value.strip()


def authenticate(request: Request) -> Principal | None:
    """The principal of this request (cached on ``request.state``), or ``None``."""
    if "principal" in request.state._state:
        cached: Principal | None = request.state.principal
        return cached
    api_key = request.headers.get("x-api-key")
    if api_key is not None:
        with database(request).engine.begin() as conn:
            principal = service.principal_from_api_key(conn, api_key)
        request.state.principal = principal
        return principal
    with database(request).session_scope() as session:
        principal = service.resolve_credentials(
            session,
            cookie=request.cookies.get(SESSION_COOKIE),
            bearer=_bearer(request),
            api_key=request.headers.get("x-api-key"),
        )
    request.state.principal = principal
    return principal


async def _csrf_token_of(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def require_principal(request: Request) -> Principal:
    """Dependency: 401 without a valid credential; 403 on a cookie request without CSRF token."""
    principal = await run_in_threadpool(authenticate, request)
    if principal is None:
        raise HTTPException(
            status_code=401,
            detail="authentication required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if principal.method == "cookie" and request.method not in SAFE_METHODS:
        token = await _csrf_token_of(request)
        if not csrf_signer().verify(token, principal.csrf_binding):
            raise HTTPException(status_code=403, detail="missing or invalid CSRF token")
    return principal


def require_permission(permission: str) -> Callable[[Request], Awaitable[Principal]]:
    """Dependency factory: the principal must hold ``permission`` (403 otherwise)."""
    from industrybrain.modules.identity.permissions import PERMISSION_NAMES

    if permission not in PERMISSION_NAMES:
        raise ValueError(f"unknown permission {permission!r}; add it to permissions.py")

    async def dependency(request: Request) -> Principal:
        principal = await require_principal(request)
        if not principal.has(permission):
            raise HTTPException(status_code=403, detail=f"permission {permission} required")
        return principal

    dependency.__name__ = f"require_{permission.replace('.', '_')}"
    return dependency


def csrf_token_for(principal: Principal) -> str:
    assert principal.csrf_binding is not None
    return csrf_signer().make(principal.csrf_binding)


def anonymous_csrf(request: Request) -> tuple[str, str | None]:
    """A CSRF token for a form shown before login, bound to the ``ib_anon`` cookie.

    Returns ``(token, new_cookie_value)``; set the cookie with :func:`set_anonymous_cookie`
    when the second item is not ``None``."""
    anon = request.cookies.get(ANON_COOKIE)
    fresh = None
    if not anon:
        anon = fresh = new_token(24)
    return csrf_signer().make("anon:" + anon), fresh


def set_anonymous_cookie(response: Response, value: str) -> None:
    set_cookie(response, ANON_COOKIE, value, max_age=3600)


def verify_anonymous_csrf(request: Request, token: str | None) -> bool:
    anon = request.cookies.get(ANON_COOKIE)
    return bool(anon) and csrf_signer().verify(token, "anon:" + str(anon))


def set_cookie(response: Response, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=get_settings().mode == "production",
        samesite="lax",
        path="/",
    )


def set_session_cookie(response: Response, token: str) -> None:
    set_cookie(
        response,
        SESSION_COOKIE,
        token,
        max_age=int(service.SESSION_LIFETIME.total_seconds()),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


THROTTLED_DETAIL = "too many login attempts; try again later"
INVALID_LOGIN_DETAIL = "invalid username or password"


def attempt_login(
    request: Request,
    session: Session,
    *,
    username: str,
    password: str,
    kind: str,
    organization_id: int | None = None,
) -> service.IssuedSession:
    """Throttled login. Raises 429 (same body for every username) or 401 (same body for an
    unknown user, a wrong password, a disabled account or a missing membership)."""
    throttle = login_throttle(request)
    ip = client_ip(request)
    keys = ["user:" + service.normalise_username(username), "ip:" + ip]
    if throttle.is_blocked(keys):
        raise HTTPException(status_code=429, detail=THROTTLED_DETAIL)
    issued = service.login(
        session,
        username=username,
        password=password,
        kind="bearer" if kind == "bearer" else "cookie",
        organization_id=organization_id,
        ip=ip,
    )
    if issued is None:
        throttle.record_failure(keys)
        raise HTTPException(status_code=401, detail=INVALID_LOGIN_DETAIL)
    throttle.reset(keys[0])
    return issued


@contextmanager
def domain_errors() -> Iterator[None]:
    """Map :class:`service.IdentityError` subclasses (also used by other modules) onto HTTP
    answers: 404, 403, 409, 422."""
    try:
        yield
    except service.NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except service.PermissionDeniedError as exc:
        raise HTTPException(403, str(exc)) from None
    except service.ConflictError as exc:
        raise HTTPException(409, str(exc)) from None
    except service.InvalidInputError as exc:
        raise HTTPException(422, str(exc)) from None
