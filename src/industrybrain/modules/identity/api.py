"""JSON routes of authentication and of organisation, user, membership and API-key management.

Objects of another organisation answer 404 (nothing disclosed); a visible object the principal
may not change answers 403.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session

from industrybrain.modules.identity import actions, service
from industrybrain.modules.identity.auth import (
    attempt_login,
    authenticate,
    clear_session_cookie,
    csrf_token_for,
    db_session,
    domain_errors,
    require_permission,
    require_principal,
    set_session_cookie,
    verify_anonymous_csrf,
)
from industrybrain.modules.identity.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    LoginRequest,
    Me,
    MembershipCreate,
    MembershipRead,
    MembershipUpdate,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from industrybrain.modules.identity.service import Principal

router = APIRouter(tags=["identity"])
DB = Depends(db_session, scope="function")


# -- authentication ---------------------------------------------------------------------------


async def _login_request(request: Request) -> LoginRequest:
    """JSON, or a form that carries a CSRF token bound to the ``ib_anon`` cookie."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        return LoginRequest.model_validate(await request.json())
    form = await request.form()
    token = form.get("csrf_token")
    if not verify_anonymous_csrf(request, token if isinstance(token, str) else None):
        raise HTTPException(403, "missing or invalid CSRF token")
    org = form.get("organization_id")
    return LoginRequest(
        username=str(form.get("username") or ""),
        password=str(form.get("password") or ""),
        organization_id=int(org) if isinstance(org, str) and org.isdigit() else None,
    )


@router.post("/auth/login", response_model=Me)
def login(
    request: Request,
    response: Response,
    body: LoginRequest = Depends(_login_request),
    session: Session = DB,
) -> Me:
    """Password login; sets the HttpOnly session cookie and returns a CSRF token for it."""
    issued = attempt_login(
        request,
        session,
        username=body.username,
        password=body.password,
        kind="cookie",
        organization_id=body.organization_id,
    )
    set_session_cookie(response, issued.token)
    principal = service.resolve_credentials(session, cookie=issued.token)
    assert principal is not None
    return _me(session, principal, with_csrf=True)


@router.post("/auth/token", response_model=TokenResponse)
def token(request: Request, body: LoginRequest, session: Session = DB) -> TokenResponse:
    """A bearer token for API clients (send ``Authorization: Bearer <token>``)."""
    issued = attempt_login(
        request,
        session,
        username=body.username,
        password=body.password,
        kind="bearer",
        organization_id=body.organization_id,
    )
    return TokenResponse(access_token=issued.token, expires_at=issued.auth_session.expires_at)


@router.post("/auth/logout", status_code=204)
def logout(
    response: Response,
    principal: Principal = Depends(require_principal),
    session: Session = DB,
) -> Response:
    """End the current session (cookie) or bearer token; API keys are revoked, not logged out."""
    if principal.session_id is not None:
        service.revoke_session(session, principal.session_id)
    out = Response(status_code=204)
    clear_session_cookie(out)
    return out


def _me(session: Session, principal: Principal, *, with_csrf: bool) -> Me:
    org = service.get_organization(session, principal.organization_id)
    assert org is not None
    user = service.get_user(session, principal.user_id) if principal.user_id else None
    return Me(
        method=principal.method,
        user=UserRead.model_validate(user) if user else None,
        organization=OrganizationRead.model_validate(org),
        role=principal.role,
        permissions=sorted(principal.permissions),
        csrf_token=csrf_token_for(principal)
        if with_csrf and principal.method == "cookie"
        else None,
    )


@router.get("/auth/me", response_model=Me)
def me(principal: Principal = Depends(require_principal), session: Session = DB) -> Me:
    """Who is calling, in which organisation, with which permissions (and a CSRF token)."""
    return _me(session, principal, with_csrf=True)


# -- organisations ----------------------------------------------------------------------------


@router.get("/orgs", response_model=list[OrganizationRead])
def list_orgs(
    type: str | None = None,
    principal: Principal = Depends(require_permission("org.read")),
    session: Session = DB,
) -> list[Any]:
    """Organisations visible to the caller: its own, or all with ``org.manage``."""
    return list(service.list_visible_organizations(session, principal, type))


@router.post("/orgs", response_model=OrganizationRead, status_code=201)
def create_org(
    body: OrganizationCreate,
    principal: Principal = Depends(require_permission("org.manage")),
    session: Session = DB,
) -> Any:
    with domain_errors():
        return actions.do_create_organization(
            session,
            principal,
            org_type=body.type,
            name_zh=body.name_zh,
            name_en=body.name_en,
            uscc=body.uscc,
            region_code=body.region_code,
        )


@router.get("/orgs/{organization_id}", response_model=OrganizationRead)
def get_org(
    organization_id: int,
    principal: Principal = Depends(require_permission("org.read")),
    session: Session = DB,
) -> Any:
    with domain_errors():
        return service.visible_organization(session, principal, organization_id)


@router.patch("/orgs/{organization_id}", response_model=OrganizationRead)
def update_org(
    organization_id: int,
    body: OrganizationUpdate,
    principal: Principal = Depends(require_permission("org.read")),
    session: Session = DB,
) -> Any:
    """``org.update`` edits the own organisation; status and other organisations need
    ``org.manage``."""
    with domain_errors():
        org = service.visible_organization(session, principal, organization_id)
        platform = principal.has("org.manage")
        if not platform and not principal.has("org.update"):
            raise HTTPException(403, "permission org.update required")
        if body.status is not None and not platform:
            raise HTTPException(403, "permission org.manage required to change the status")
        return actions.do_update_organization(
            session,
            principal,
            org,
            name_zh=body.name_zh,
            name_en=body.name_en,
            region_code=body.region_code,
            status=body.status,
        )


@router.get("/orgs/{organization_id}/members", response_model=list[MembershipRead])
def list_members(
    organization_id: int,
    principal: Principal = Depends(require_permission("org.read")),
    session: Session = DB,
) -> list[Any]:
    with domain_errors():
        service.visible_organization(session, principal, organization_id)
        return list(service.memberships_of_organization(session, organization_id))


def _manageable_org(session: Session, principal: Principal, organization_id: int) -> None:
    service.visible_organization(session, principal, organization_id)
    if not service.can_manage_organization_users(principal, organization_id):
        raise HTTPException(403, "permission user.manage required")


@router.post("/orgs/{organization_id}/members", response_model=MembershipRead, status_code=201)
def add_member(
    organization_id: int,
    body: MembershipCreate,
    principal: Principal = Depends(require_permission("user.manage")),
    session: Session = DB,
) -> Any:
    with domain_errors():
        _manageable_org(session, principal, organization_id)
        # Adding a stranger by id needs org.manage: ids of other organisations' users stay hidden.
        service.visible_user(session, principal, body.user_id)
        return actions.do_add_membership(
            session, principal, body.user_id, organization_id, body.role
        )


def _visible_membership(
    session: Session, principal: Principal, organization_id: int, user_id: int
) -> Any:
    _manageable_org(session, principal, organization_id)
    membership = service.get_membership(session, user_id, organization_id)
    if membership is None:
        raise service.NotFoundError("membership not found")
    return membership


@router.patch("/orgs/{organization_id}/members/{user_id}", response_model=MembershipRead)
def change_role(
    organization_id: int,
    user_id: int,
    body: MembershipUpdate,
    principal: Principal = Depends(require_permission("user.manage")),
    session: Session = DB,
) -> Any:
    with domain_errors():
        membership = _visible_membership(session, principal, organization_id, user_id)
        return actions.do_set_role(session, principal, membership, body.role)


@router.delete("/orgs/{organization_id}/members/{user_id}", status_code=204)
def remove_member(
    organization_id: int,
    user_id: int,
    principal: Principal = Depends(require_permission("user.manage")),
    session: Session = DB,
) -> Response:
    with domain_errors():
        membership = _visible_membership(session, principal, organization_id, user_id)
        actions.do_remove_membership(session, principal, membership)
    return Response(status_code=204)


# -- users ------------------------------------------------------------------------------------


@router.get("/users", response_model=list[UserRead])
def list_users(
    organization_id: int | None = None,
    principal: Principal = Depends(require_permission("org.read")),
    session: Session = DB,
) -> list[Any]:
    with domain_errors():
        return list(service.list_visible_users(session, principal, organization_id))


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(
    body: UserCreate,
    principal: Principal = Depends(require_permission("user.manage")),
    session: Session = DB,
) -> Any:
    """Create a user with a first membership in ``organization_id``."""
    with domain_errors():
        _manageable_org(session, principal, body.organization_id)
        return actions.do_create_user(
            session,
            principal,
            username=body.username,
            password=body.password,
            organization_id=body.organization_id,
            role=body.role,
            display_name=body.display_name,
            email=body.email,
        )


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(
    user_id: int,
    principal: Principal = Depends(require_permission("org.read")),
    session: Session = DB,
) -> Any:
    with domain_errors():
        return service.visible_user(session, principal, user_id)


@router.patch("/users/{user_id}", response_model=UserRead)
def update_user(
    user_id: int,
    body: UserUpdate,
    principal: Principal = Depends(require_permission("user.manage")),
    session: Session = DB,
) -> Any:
    """Edit a user or disable the account (every session ends on the next request)."""
    with domain_errors():
        user = service.visible_user(session, principal, user_id)
        if not principal.has("org.manage"):
            # A user shared with another organisation is managed by whoever has org.manage.
            others = [
                m
                for m in service.memberships_of_user(session, user_id)
                if m.organization_id != principal.organization_id
            ]
            if others:
                raise HTTPException(403, "the user also belongs to another organisation")
        if body.disabled is not None and user.id == principal.user_id:
            raise HTTPException(422, "you cannot disable your own account")
        return actions.do_update_user(
            session,
            principal,
            user,
            display_name=body.display_name,
            email=body.email,
            disabled=body.disabled,
        )


# -- API keys ---------------------------------------------------------------------------------


@router.get("/api-keys", response_model=list[ApiKeyRead])
def list_api_keys(
    principal: Principal = Depends(require_permission("apikey.manage")),
    session: Session = DB,
) -> list[Any]:
    """Keys of the caller's organisation (secrets are never shown again)."""
    return list(service.list_api_keys(session, principal))


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_api_key(
    body: ApiKeyCreate,
    principal: Principal = Depends(require_permission("apikey.manage")),
    session: Session = DB,
) -> ApiKeyCreated:
    """A key for a machine client, holding a subset of the creator's permissions."""
    with domain_errors():
        issued = actions.do_create_api_key(
            session,
            principal,
            name=body.name,
            permissions=body.permissions,
            expires_at=body.expires_at,
        )
    read = ApiKeyRead.model_validate(issued.api_key)
    return ApiKeyCreated(**read.model_dump(), secret=issued.secret)


@router.get("/api-keys/{api_key_id}", response_model=ApiKeyRead)
def get_api_key(
    api_key_id: int,
    principal: Principal = Depends(require_permission("apikey.manage")),
    session: Session = DB,
) -> Any:
    with domain_errors():
        return service.visible_api_key(session, principal, api_key_id)


@router.post("/api-keys/{api_key_id}/revoke", response_model=ApiKeyRead)
def revoke_api_key(
    api_key_id: int,
    principal: Principal = Depends(require_permission("apikey.manage")),
    session: Session = DB,
) -> Any:
    """Revoke a key; it stops working on the next request."""
    with domain_errors():
        key = service.visible_api_key(session, principal, api_key_id)
        return actions.do_revoke_api_key(session, principal, key)


__all__ = ["authenticate", "router"]
