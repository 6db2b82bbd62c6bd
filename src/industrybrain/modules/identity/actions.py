"""Audited writes of the identity module: one transaction, one audit entry (``do_action``).

Each ``do_*`` joins the caller's session (the request's unit of work) inside a savepoint, so a
refused or failing action leaves neither a change nor an audit entry. Secrets and password
hashes never enter the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from industrybrain.modules.audit.actions import ActionScope, Outcome, do_action
from industrybrain.modules.audit.schemas import Actor
from industrybrain.modules.identity import service
from industrybrain.modules.identity.models import ApiKey, Membership, Organization, User
from industrybrain.modules.identity.service import IssuedApiKey, Principal


def actor_of(principal: Principal | None) -> Actor:
    """The audit actor of a principal (``None`` = the system, e.g. the CLI or the demo)."""
    if principal is None:
        return Actor.system()
    if principal.user_id is not None:
        return Actor(
            label=principal.username or f"user:{principal.user_id}",
            id=principal.user_id,
            organization_id=principal.organization_id,
        )
    return Actor(label=f"api_key:{principal.api_key_id}", organization_id=principal.organization_id)


def do_create_organization(
    session: Session,
    principal: Principal | None,
    *,
    org_type: str,
    name_zh: str,
    name_en: str = "",
    uscc: str | None = None,
    region_code: str | None = None,
) -> Organization:
    def work(scope: ActionScope) -> Outcome[Organization]:
        org = service.create_organization(
            scope.session,
            org_type=org_type,
            name_zh=name_zh,
            name_en=name_en,
            uscc=uscc,
            region_code=region_code,
        )
        change = {"type": org.type, "name_zh": org.name_zh, "region_code": org.region_code}
        return Outcome(org, object_id=org.id, change=change, organization_id=org.id)

    return do_action("org.create", "organization", work, actor=actor_of(principal), session=session)


def do_update_organization(
    session: Session, principal: Principal | None, org: Organization, **fields: str | None
) -> Organization:
    def work(scope: ActionScope) -> Outcome[Organization]:
        before = {k: getattr(org, k) for k, v in fields.items() if v is not None}
        service.update_organization(scope.session, org, **fields)
        change = {k: [v, getattr(org, k)] for k, v in before.items() if v != getattr(org, k)}
        return Outcome(org, object_id=org.id, change=change, organization_id=org.id)

    return do_action("org.update", "organization", work, actor=actor_of(principal), session=session)


def do_create_user(
    session: Session,
    principal: Principal | None,
    *,
    username: str,
    password: str,
    organization_id: int,
    role: str,
    display_name: str = "",
    email: str | None = None,
) -> User:
    """A user and its first membership, as one action."""

    def work(scope: ActionScope) -> Outcome[User]:
        user = service.create_user(
            scope.session,
            username=username,
            password=password,
            display_name=display_name,
            email=email,
        )
        service.add_membership(scope.session, user.id, organization_id, role)
        change = {"username": user.username, "organization_id": organization_id, "role": role}
        return Outcome(user, object_id=user.id, change=change, organization_id=organization_id)

    return do_action("user.create", "user", work, actor=actor_of(principal), session=session)


def do_update_user(
    session: Session,
    principal: Principal | None,
    user: User,
    *,
    display_name: str | None = None,
    email: str | None = None,
    disabled: bool | None = None,
) -> User:
    """Edit a user; disabling ends every session of the account."""

    def work(scope: ActionScope) -> Outcome[User]:
        before = {"display_name": user.display_name, "email": user.email, "disabled": user.disabled}
        service.update_user(scope.session, user, display_name=display_name, email=email)
        if disabled is not None:
            service.set_user_disabled(scope.session, user, disabled)
        after = {"display_name": user.display_name, "email": user.email, "disabled": user.disabled}
        change = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        return Outcome(user, object_id=user.id, change=change)

    action = "user.disable" if disabled else "user.update"
    return do_action(action, "user", work, actor=actor_of(principal), session=session)


def do_add_membership(
    session: Session, principal: Principal | None, user_id: int, organization_id: int, role: str
) -> Membership:
    def work(scope: ActionScope) -> Outcome[Membership]:
        membership = service.add_membership(scope.session, user_id, organization_id, role)
        change = {"user_id": user_id, "organization_id": organization_id, "role": role}
        return Outcome(
            membership, object_id=membership.id, change=change, organization_id=organization_id
        )

    return do_action(
        "membership.add", "membership", work, actor=actor_of(principal), session=session
    )


def do_set_role(
    session: Session, principal: Principal | None, membership: Membership, role: str
) -> Membership:
    def work(scope: ActionScope) -> Outcome[Membership]:
        before = membership.role
        service.set_role(scope.session, membership, role)
        change = {"user_id": membership.user_id, "role": [before, role]}
        return Outcome(
            membership,
            object_id=membership.id,
            change=change,
            organization_id=membership.organization_id,
        )

    return do_action(
        "membership.set_role", "membership", work, actor=actor_of(principal), session=session
    )


def do_remove_membership(
    session: Session, principal: Principal | None, membership: Membership
) -> None:
    def work(scope: ActionScope) -> Outcome[None]:
        change = {"user_id": membership.user_id, "role": membership.role}
        object_id, org_id = membership.id, membership.organization_id
        service.remove_membership(scope.session, membership)
        return Outcome(None, object_id=object_id, change=change, organization_id=org_id)

    do_action("membership.remove", "membership", work, actor=actor_of(principal), session=session)


def do_create_api_key(
    session: Session,
    principal: Principal,
    *,
    name: str,
    permissions: Iterable[str],
    expires_at: datetime | None = None,
) -> IssuedApiKey:
    def work(scope: ActionScope) -> Outcome[IssuedApiKey]:
        issued = service.create_api_key(
            scope.session,
            principal,
            organization_id=principal.organization_id,
            name=name,
            permissions=permissions,
            expires_at=expires_at,
        )
        key = issued.api_key
        change = {
            "name": key.name,
            "prefix": key.prefix,
            "permissions": key.permissions,
            "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        }
        return Outcome(issued, object_id=key.id, change=change)

    return do_action("api_key.create", "api_key", work, actor=actor_of(principal), session=session)


def do_revoke_api_key(session: Session, principal: Principal | None, key: ApiKey) -> ApiKey:
    def work(scope: ActionScope) -> Outcome[ApiKey]:
        service.revoke_api_key(scope.session, key)
        return Outcome(
            key,
            object_id=key.id,
            change={"prefix": key.prefix},
            organization_id=key.organization_id,
        )

    return do_action("api_key.revoke", "api_key", work, actor=actor_of(principal), session=session)
