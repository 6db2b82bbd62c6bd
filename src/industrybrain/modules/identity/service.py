"""Identity logic: organisations, users, memberships, login, sessions, API keys, principals.

Services flush, never commit (the request or job scope commits). Every check that makes a
credential valid (user enabled, membership present, organisation active, session or key neither
revoked nor expired) runs on every request in :func:`resolve_credentials`, so logout, disable,
membership removal and key revocation take effect on the very next request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from industrybrain.config import get_settings
from industrybrain.kit.db import utcnow
from industrybrain.kit.security import (
    Passwords,
    constant_time_equals,
    hash_token,
    new_token,
)
from industrybrain.kit.tenancy import TenantScope, for_organizations, unscoped
from industrybrain.modules.identity import repository
from industrybrain.modules.identity.models import (
    ApiKey,
    AuthSession,
    Membership,
    Organization,
    User,
)
from industrybrain.modules.identity.permissions import (
    PERMISSION_NAMES,
    OrgType,
    max_permissions,
    permissions_for,
    roles_for,
)

SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE_TIMEOUT = timedelta(hours=2)
BEARER_LIFETIME = timedelta(hours=1)
LAST_SEEN_RESOLUTION = timedelta(seconds=60)  # don't write on every request
MIN_PASSWORD_LENGTH = 8
API_KEY_MARK = "ibk"


class IdentityError(Exception):
    """Base of the errors of this module; the message is safe to show."""


class NotFoundError(IdentityError):
    """The object does not exist or is not visible to the principal (answers 404)."""


class PermissionDeniedError(IdentityError):
    """The principal sees the object but may not do this (answers 403)."""


class ConflictError(IdentityError):
    """The change collides with existing data (answers 409)."""


class InvalidInputError(IdentityError):
    """The input breaks a rule (answers 422)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user acting in one organisation, or an organisation's API key."""

    organization_id: int
    organization_type: str
    permissions: frozenset[str]
    method: Literal["cookie", "bearer", "api_key"]
    user_id: int | None = None
    username: str | None = None
    role: str | None = None
    session_id: int | None = None
    api_key_id: int | None = None
    csrf_binding: str | None = field(default=None, repr=False)

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def tenant_scope(self) -> TenantScope:
        """The rows this principal's requests may touch: its own organisation's; with the
        platform permission ``org.manage`` also every organisation's memberships (to manage
        users everywhere). Jobs, API keys and audit entries stay the own organisation's."""
        widened = [Membership.__tablename__] if self.has("org.manage") else []
        return for_organizations([self.organization_id], all_organizations_on=widened)


AUTHENTICATION = "authentication: credentials and memberships are checked across organisations"


@lru_cache(maxsize=2)
def _passwords(cheap: bool) -> Passwords:
    return Passwords(cheap=cheap)


def passwords() -> Passwords:
    """The password hasher; test mode uses cheap Argon2 parameters to keep the suite fast."""
    return _passwords(get_settings().mode == "test")


def normalise_username(username: str) -> str:
    return username.strip().lower()


# -- organisations ----------------------------------------------------------------------------


def _check_region(region_code: str | None) -> None:
    if region_code is None:
        return
    from industrybrain.reference import regions

    if region_code not in regions():
        raise InvalidInputError(f"unknown region code {region_code!r} (GB/T 2260)")


def create_organization(
    session: Session,
    *,
    org_type: str,
    name_zh: str,
    name_en: str = "",
    uscc: str | None = None,
    region_code: str | None = None,
) -> Organization:
    try:
        OrgType(org_type)
    except ValueError:
        raise InvalidInputError(f"unknown organisation type {org_type!r}") from None
    if not name_zh.strip():
        raise InvalidInputError("name_zh is required")
    _check_region(region_code)
    if uscc and repository.find_organization_by_uscc(session, uscc):
        raise ConflictError("an organisation with this USCC exists")
    org = Organization(
        type=org_type,
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        uscc=uscc or None,
        region_code=region_code,
        status="active",
    )
    repository.add(session, org)
    return org


def update_organization(
    session: Session,
    org: Organization,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    region_code: str | None = None,
    status: str | None = None,
) -> Organization:
    if name_zh is not None:
        if not name_zh.strip():
            raise InvalidInputError("name_zh is required")
        org.name_zh = name_zh.strip()
    if name_en is not None:
        org.name_en = name_en.strip()
    if region_code is not None:
        _check_region(region_code)
        org.region_code = region_code
    if status is not None:
        if status not in ("active", "suspended"):
            raise InvalidInputError("status is active or suspended")
        org.status = status
    session.flush()
    return org


def get_organization(session: Session, organization_id: int) -> Organization | None:
    return repository.get_organization(session, organization_id)


def find_organization(session: Session, org_type: str, name_zh: str) -> Organization | None:
    return repository.find_organization_by_name(session, org_type, name_zh)


def can_see_organization(principal: Principal, organization_id: int) -> bool:
    return principal.has("org.manage") or principal.organization_id == organization_id


def visible_organization(
    session: Session, principal: Principal, organization_id: int
) -> Organization:
    org = repository.get_organization(session, organization_id)
    if org is None or not can_see_organization(principal, organization_id):
        raise NotFoundError("organisation not found")
    return org


def list_visible_organizations(
    session: Session, principal: Principal, org_type: str | None = None
) -> list[Organization]:
    only = None if principal.has("org.manage") else [principal.organization_id]
    return repository.list_organizations(session, org_type=org_type, only_ids=only)


# -- users and memberships --------------------------------------------------------------------


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str = "",
    email: str | None = None,
) -> User:
    name = normalise_username(username)
    if not name or len(name) > 100 or any(ch.isspace() for ch in name):
        raise InvalidInputError("username must be 1-100 characters without spaces")
    _check_password(password)
    if repository.find_user_by_username(session, name):
        raise ConflictError("username is taken")
    if email:
        email = email.strip().lower()
        if repository.find_user_by_email(session, email):
            raise ConflictError("email is taken")
    user = User(
        username=name,
        email=email or None,
        display_name=display_name.strip() or name,
        password_hash=passwords().hash(password),
        disabled=False,
    )
    repository.add(session, user)
    return user


def get_user(session: Session, user_id: int) -> User | None:
    return repository.get_user(session, user_id)


def find_user(session: Session, username: str) -> User | None:
    return repository.find_user_by_username(session, normalise_username(username))


def set_password(session: Session, user: User, password: str) -> None:
    _check_password(password)
    user.password_hash = passwords().hash(password)
    revoke_user_sessions(session, user.id)
    session.flush()


def set_user_disabled(session: Session, user: User, disabled: bool) -> User:
    user.disabled = disabled
    if disabled:
        revoke_user_sessions(session, user.id)
    session.flush()
    return user


def update_user(
    session: Session, user: User, *, display_name: str | None = None, email: str | None = None
) -> User:
    if display_name is not None:
        user.display_name = display_name.strip() or user.username
    if email is not None:
        email = email.strip().lower() or None
        if (
            email
            and (other := repository.find_user_by_email(session, email))
            and other.id != user.id
        ):
            raise ConflictError("email is taken")
        user.email = email
    session.flush()
    return user


def add_membership(session: Session, user_id: int, organization_id: int, role: str) -> Membership:
    org = repository.get_organization(session, organization_id)
    if org is None:
        raise NotFoundError("organisation not found")
    if repository.get_user(session, user_id) is None:
        raise NotFoundError("user not found")
    if role not in [r.value for r in roles_for(org.type)]:
        raise InvalidInputError(f"role {role!r} does not exist in a {org.type} organisation")
    if repository.get_membership(session, user_id, organization_id):
        raise ConflictError("the user is already a member of this organisation")
    membership = Membership(user_id=user_id, organization_id=organization_id, role=role)
    repository.add(session, membership)
    return membership


def get_membership(session: Session, user_id: int, organization_id: int) -> Membership | None:
    return repository.get_membership(session, user_id, organization_id)


def set_role(session: Session, membership: Membership, role: str) -> Membership:
    org = repository.get_organization(session, membership.organization_id)
    assert org is not None
    if role not in [r.value for r in roles_for(org.type)]:
        raise InvalidInputError(f"role {role!r} does not exist in a {org.type} organisation")
    membership.role = role
    session.flush()
    return membership


def remove_membership(session: Session, membership: Membership) -> None:
    for auth_session in repository.live_sessions_of_user(
        session, membership.user_id, membership.organization_id
    ):
        auth_session.revoked_at = utcnow()
    repository.delete(session, membership)


def memberships_of_user(session: Session, user_id: int) -> list[Membership]:
    return repository.memberships_of_user(session, user_id)


def memberships_of_organization(session: Session, organization_id: int) -> list[Membership]:
    return repository.memberships_of_organization(session, organization_id)


def visible_user(session: Session, principal: Principal, user_id: int) -> User:
    """A user the principal may see: a member of its organisation, or anyone with org.manage."""
    user = repository.get_user(session, user_id)
    if user is None:
        raise NotFoundError("user not found")
    if principal.has("org.manage"):
        return user
    if repository.get_membership(session, user_id, principal.organization_id) is None:
        raise NotFoundError("user not found")
    return user


def list_visible_users(
    session: Session, principal: Principal, organization_id: int | None = None
) -> list[User]:
    if organization_id is not None:
        visible_organization(session, principal, organization_id)
        return repository.list_users(session, organization_id=organization_id)
    if principal.has("org.manage"):
        return repository.list_users(session)
    return repository.list_users(session, organization_id=principal.organization_id)


def can_manage_organization_users(principal: Principal, organization_id: int) -> bool:
    """``user.manage`` applies to the own organisation; ``org.manage`` adds every other one."""
    if principal.has("org.manage"):
        return principal.has("user.manage")
    return principal.has("user.manage") and principal.organization_id == organization_id


# -- login and sessions -----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedSession:
    token: str
    auth_session: AuthSession


def login(session: Session, **kwargs: Any) -> IssuedSession | None:
    """See :func:`_login`; runs before any tenant scope exists."""
    with unscoped(AUTHENTICATION):
        return _login(session, **kwargs)


def _login(
    session: Session,
    *,
    username: str,
    password: str,
    kind: Literal["cookie", "bearer"] = "cookie",
    organization_id: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> IssuedSession | None:
    """Check the password and open a session; ``None`` for any failure, whatever the reason.

    Unknown users are verified against a dummy hash so that they take as long as a wrong
    password; a disabled user or one without a usable membership fails the same way.
    """
    now = now or utcnow()
    user = repository.find_user_by_username(session, normalise_username(username))
    if user is None:
        passwords().dummy_verify(password)
        return None
    if not passwords().verify(user.password_hash, password) or user.disabled:
        return None
    if passwords().needs_rehash(user.password_hash):
        user.password_hash = passwords().hash(password)
    membership = _choose_membership(session, user.id, organization_id)
    if membership is None:
        return None
    token = new_token(32)
    lifetime = SESSION_LIFETIME if kind == "cookie" else BEARER_LIFETIME
    auth_session = AuthSession(
        token_hash=hash_token(token),
        kind=kind,
        user_id=user.id,
        organization_id=membership.organization_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        ip=ip,
    )
    repository.add(session, auth_session)
    return IssuedSession(token, auth_session)


def _choose_membership(
    session: Session, user_id: int, organization_id: int | None
) -> Membership | None:
    for membership in repository.memberships_of_user(session, user_id):
        org = repository.get_organization(session, membership.organization_id)
        if org is None or org.status != "active":
            continue
        if organization_id is None or membership.organization_id == organization_id:
            return membership
    return None


def revoke_session(session: Session, auth_session_id: int, now: datetime | None = None) -> None:
    auth_session = repository.get_auth_session(session, auth_session_id)
    if auth_session is not None and auth_session.revoked_at is None:
        auth_session.revoked_at = now or utcnow()
        session.flush()


def revoke_user_sessions(session: Session, user_id: int) -> int:
    live = repository.live_sessions_of_user(session, user_id)
    for auth_session in live:
        auth_session.revoked_at = utcnow()
    session.flush()
    return len(live)


def _principal_from_session(
    session: Session, token: str, kind: Literal["cookie", "bearer"], now: datetime
) -> Principal | None:
    auth_session = repository.find_session_by_hash(session, hash_token(token))
    if auth_session is None or auth_session.kind != kind:
        return None
    if auth_session.revoked_at is not None or auth_session.expires_at <= now:
        return None
    if kind == "cookie" and auth_session.last_seen_at + SESSION_IDLE_TIMEOUT <= now:
        return None
    user = repository.get_user(session, auth_session.user_id)
    if user is None or user.disabled:
        return None
    org = repository.get_organization(session, auth_session.organization_id)
    if org is None or org.status != "active":
        return None
    membership = repository.get_membership(session, user.id, org.id)
    if membership is None:
        return None
    if now - auth_session.last_seen_at >= LAST_SEEN_RESOLUTION:
        auth_session.last_seen_at = now
        session.flush()
    return Principal(
        organization_id=org.id,
        organization_type=org.type,
        permissions=permissions_for(org.type, membership.role),
        method=kind,
        user_id=user.id,
        username=user.username,
        role=membership.role,
        session_id=auth_session.id,
        csrf_binding=auth_session.token_hash,
    )


def principal_from_api_key(
    conn: Connection, raw: str, now: datetime | None = None
) -> Principal | None:
    """The principal of an API key, on a plain connection: machine clients call on every
    request, so this path skips the ORM session (one Core query, a rare best-effort stamp)."""
    now = now or utcnow()
    with unscoped(AUTHENTICATION):
        return _principal_from_api_key(conn, raw, now)


def _principal_from_api_key(conn: Connection, raw: str, now: datetime) -> Principal | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_MARK:
        return None
    key = repository.api_key_credential(conn, parts[1])
    if key is None or not constant_time_equals(key["secret_hash"], hash_token(raw.strip())):
        return None
    if key["revoked_at"] is not None or (
        key["expires_at"] is not None and key["expires_at"] <= now
    ):
        return None
    if key["organization_status"] != "active":
        return None
    if key["last_used_at"] is None or now - key["last_used_at"] >= LAST_SEEN_RESOLUTION:
        repository.touch_api_key(conn, key["id"], now)
    return Principal(
        organization_id=key["organization_id"],
        organization_type=key["organization_type"],
        # The matrix may have shrunk since the key was made: never more than the type allows.
        permissions=frozenset(key["permissions"]) & max_permissions(key["organization_type"]),
        method="api_key",
        api_key_id=key["id"],
    )


def resolve_credentials(
    session: Session,
    *,
    cookie: str | None = None,
    bearer: str | None = None,
    api_key: str | None = None,
    now: datetime | None = None,
) -> Principal | None:
    """The principal of the presented credential; a bad credential never falls back to another."""
    now = now or utcnow()
    with unscoped(AUTHENTICATION):
        principal = None
        if api_key is not None:
            principal = _principal_from_api_key(session.connection(), api_key, now)
        elif bearer is not None:
            principal = _principal_from_session(session, bearer, "bearer", now)
        elif cookie is not None:
            principal = _principal_from_session(session, cookie, "cookie", now)
        session.flush()  # last-seen stamps are written inside the authentication scope
    return principal


# -- API keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedApiKey:
    secret: str  # shown once
    api_key: ApiKey


def create_api_key(
    session: Session,
    principal: Principal,
    *,
    organization_id: int,
    name: str,
    permissions: Iterable[str],
    expires_at: datetime | None = None,
) -> IssuedApiKey:
    """A new key of ``organization_id`` holding a subset of the creator's own permissions."""
    if organization_id != principal.organization_id:
        raise NotFoundError("organisation not found")
    wanted = sorted(set(permissions))
    unknown = [p for p in wanted if p not in PERMISSION_NAMES]
    if unknown:
        raise InvalidInputError(f"unknown permissions: {', '.join(unknown)}")
    beyond = [p for p in wanted if p not in principal.permissions]
    if beyond:
        raise PermissionDeniedError(
            f"a key cannot hold permissions its creator lacks: {', '.join(beyond)}"
        )
    if not name.strip():
        raise InvalidInputError("name is required")
    if expires_at is not None and expires_at <= utcnow():
        raise InvalidInputError("expires_at is in the past")
    prefix = new_token(8).replace("_", "x").replace("-", "y")[:10]
    secret = f"{API_KEY_MARK}_{prefix}_{new_token(32)}"
    key = ApiKey(
        prefix=prefix,
        secret_hash=hash_token(secret),
        name=name.strip(),
        organization_id=organization_id,
        permissions=wanted,
        created_by_user_id=principal.user_id,
        expires_at=expires_at,
    )
    repository.add(session, key)
    return IssuedApiKey(secret, key)


def visible_api_key(session: Session, principal: Principal, api_key_id: int) -> ApiKey:
    key = repository.get_api_key(session, api_key_id)
    if key is None or key.organization_id != principal.organization_id:
        raise NotFoundError("API key not found")
    return key


def list_api_keys(session: Session, principal: Principal) -> list[ApiKey]:
    return repository.list_api_keys(session, principal.organization_id)


def revoke_api_key(session: Session, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key
