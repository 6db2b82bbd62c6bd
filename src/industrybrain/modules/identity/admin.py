"""Admin pages of identity (``/admin/...``): organisations, users (disable), memberships and
roles, API keys (the secret is shown once; revoke). Every form carries the CSRF token of the
session; every write goes through the same checked handlers as the JSON API, so a foreign
object answers 404 and a refused write changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from industrybrain.kit.webctx import render
from industrybrain.modules.identity import api, service
from industrybrain.modules.identity.auth import (
    csrf_token_for,
    database,
    domain_errors,
    require_permission,
)
from industrybrain.modules.identity.permissions import OrgType, max_permissions, roles_for
from industrybrain.modules.identity.schemas import (
    ApiKeyCreate,
    MembershipUpdate,
    OrganizationCreate,
    UserCreate,
    UserUpdate,
)
from industrybrain.modules.identity.service import Principal

router = APIRouter(prefix="/admin", tags=["admin"], include_in_schema=False)
ORG_READ = Depends(require_permission("org.read"))
USER_MANAGE = Depends(require_permission("user.manage"))
ORG_MANAGE = Depends(require_permission("org.manage"))
KEYS = Depends(require_permission("apikey.manage"))


def _csrf(principal: Principal) -> str:
    return csrf_token_for(principal) if principal.csrf_binding else ""


def _page(request: Request, template: str, principal: Principal, **context: Any) -> Response:
    return render(
        request,
        f"identity/admin/{template}",
        principal=principal,
        csrf_token=_csrf(principal),
        org_types=[t.value for t in OrgType],
        **context,
    )


def _back(target: str) -> Response:
    return RedirectResponse(target, status_code=303)


# -- organisations ----------------------------------------------------------------------------


@router.get("/orgs")
def orgs_page(
    request: Request, type: str | None = None, principal: Principal = ORG_READ
) -> Response:
    with database(request).session_scope() as session:
        orgs = api.list_orgs(type or None, principal, session)
        rows = [
            {
                "id": o.id,
                "type": o.type,
                "name_zh": o.name_zh,
                "name_en": o.name_en,
                "region_code": o.region_code or "",
                "status": o.status,
            }
            for o in orgs
        ]
    return _page(request, "orgs.html", principal, orgs=rows, type_filter=type or "")


@router.post("/orgs")
def orgs_create(
    request: Request,
    type: str = Form(...),
    name_zh: str = Form(...),
    name_en: str = Form(""),
    region_code: str = Form(""),
    principal: Principal = ORG_MANAGE,
) -> Response:
    body = OrganizationCreate(
        type=type, name_zh=name_zh, name_en=name_en, region_code=region_code or None
    )
    with database(request).session_scope() as session:
        org = api.create_org(body, principal, session)
        org_id = org.id
    return _back(f"/admin/orgs/{org_id}")


@router.get("/orgs/{organization_id}")
def org_page(request: Request, organization_id: int, principal: Principal = ORG_READ) -> Response:
    with database(request).session_scope() as session, domain_errors():
        org = service.visible_organization(session, principal, organization_id)
        members = []
        for membership in service.memberships_of_organization(session, organization_id):
            user = service.get_user(session, membership.user_id)
            if user is not None:
                members.append(
                    {
                        "user_id": user.id,
                        "username": user.username,
                        "display_name": user.display_name,
                        "role": membership.role,
                        "disabled": user.disabled,
                    }
                )
        context = {
            "org": {
                "id": org.id,
                "type": org.type,
                "name_zh": org.name_zh,
                "name_en": org.name_en,
                "region_code": org.region_code or "",
                "status": org.status,
            },
            "members": members,
            "roles": [r.value for r in roles_for(org.type)],
            "can_manage": service.can_manage_organization_users(principal, organization_id),
        }
    return _page(request, "org.html", principal, **context)


@router.post("/orgs/{organization_id}/users")
def org_add_user(
    request: Request,
    organization_id: int,
    username: str = Form(...),
    password: str = Form(...),
    display_name: str = Form(""),
    role: str = Form("member"),
    principal: Principal = USER_MANAGE,
) -> Response:
    body = UserCreate(
        username=username,
        password=password,
        display_name=display_name,
        organization_id=organization_id,
        role=role,
    )
    with database(request).session_scope() as session:
        api.create_user(body, principal, session)
    return _back(f"/admin/orgs/{organization_id}")


@router.post("/orgs/{organization_id}/members/{user_id}/role")
def member_role(
    request: Request,
    organization_id: int,
    user_id: int,
    role: str = Form(...),
    principal: Principal = USER_MANAGE,
) -> Response:
    with database(request).session_scope() as session:
        api.change_role(organization_id, user_id, MembershipUpdate(role=role), principal, session)
    return _back(f"/admin/orgs/{organization_id}")


@router.post("/orgs/{organization_id}/members/{user_id}/remove")
def member_remove(
    request: Request, organization_id: int, user_id: int, principal: Principal = USER_MANAGE
) -> Response:
    with database(request).session_scope() as session:
        api.remove_member(organization_id, user_id, principal, session)
    return _back(f"/admin/orgs/{organization_id}")


# -- users ------------------------------------------------------------------------------------


@router.get("/users")
def users_page(request: Request, principal: Principal = ORG_READ) -> Response:
    with database(request).session_scope() as session:
        users = api.list_users(None, principal, session)
        rows = [
            {
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "email": u.email or "",
                "disabled": u.disabled,
            }
            for u in users
        ]
    return _page(
        request, "users.html", principal, users=rows, can_manage=principal.has("user.manage")
    )


@router.post("/users/{user_id}/disabled")
def user_disable(
    request: Request,
    user_id: int,
    disabled: str = Form("true"),
    principal: Principal = USER_MANAGE,
) -> Response:
    """Disable (or enable again) an account; its sessions end on the next request."""
    with database(request).session_scope() as session:
        api.update_user(user_id, UserUpdate(disabled=disabled == "true"), principal, session)
    return _back("/admin/users")


# -- API keys ---------------------------------------------------------------------------------


def _keys_page(
    request: Request, principal: Principal, *, secret: str = "", status_code: int = 200
) -> Response:
    with database(request).session_scope() as session:
        keys = [
            {
                "id": k.id,
                "name": k.name,
                "prefix": k.prefix,
                "permissions": ", ".join(k.permissions),
                "expires_at": k.expires_at.isoformat() if k.expires_at else "",
                "revoked": k.revoked_at is not None,
            }
            for k in api.list_api_keys(principal, session)
        ]
    grantable = sorted(principal.permissions & max_permissions(principal.organization_type))
    response = _page(
        request, "api_keys.html", principal, keys=keys, secret=secret, grantable=grantable
    )
    response.status_code = status_code
    if secret:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/api-keys")
def keys_page(request: Request, principal: Principal = KEYS) -> Response:
    return _keys_page(request, principal)


@router.post("/api-keys")
async def keys_create(request: Request, principal: Principal = KEYS) -> Response:
    form = await request.form()
    name = str(form.get("name") or "").strip()
    permissions = [str(p) for p in form.getlist("permissions")]
    if not name or not permissions:
        raise HTTPException(422, "name and at least one permission are required")

    def create() -> str:
        with database(request).session_scope() as session:
            created = api.create_api_key(
                ApiKeyCreate(name=name, permissions=permissions), principal, session
            )
            return created.secret

    from starlette.concurrency import run_in_threadpool

    secret = await run_in_threadpool(create)
    # The secret is shown on this answer only; it is stored hashed.
    return await run_in_threadpool(_keys_page, request, principal, secret=secret)


@router.post("/api-keys/{api_key_id}/revoke")
def keys_revoke(request: Request, api_key_id: int, principal: Principal = KEYS) -> Response:
    with database(request).session_scope() as session:
        api.revoke_api_key(api_key_id, principal, session)
    return _back("/admin/api-keys")
