"""Every query of the identity module (nothing else touches its tables)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from industrybrain.modules.identity.models import (
    ApiKey,
    AuthSession,
    Membership,
    Organization,
    User,
)


def get_organization(session: Session, organization_id: int) -> Organization | None:
    return session.get(Organization, organization_id)


def find_organization_by_name(session: Session, org_type: str, name_zh: str) -> Organization | None:
    return session.scalars(
        select(Organization).where(Organization.type == org_type, Organization.name_zh == name_zh)
    ).first()


def find_organization_by_uscc(session: Session, uscc: str) -> Organization | None:
    return session.scalars(select(Organization).where(Organization.uscc == uscc)).first()


def list_organizations(
    session: Session, *, org_type: str | None = None, only_ids: Sequence[int] | None = None
) -> list[Organization]:
    query = select(Organization).order_by(Organization.id)
    if org_type:
        query = query.where(Organization.type == org_type)
    if only_ids is not None:
        query = query.where(Organization.id.in_(list(only_ids)))
    return list(session.scalars(query))


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email)).first()


def list_users(session: Session, *, organization_id: int | None = None) -> list[User]:
    query = select(User).order_by(User.id)
    if organization_id is not None:
        query = query.join(Membership, Membership.user_id == User.id).where(
            Membership.organization_id == organization_id
        )
    return list(session.scalars(query))


def get_membership(session: Session, user_id: int, organization_id: int) -> Membership | None:
    return session.scalars(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organization_id == organization_id
        )
    ).first()


def memberships_of_user(session: Session, user_id: int) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership).where(Membership.user_id == user_id).order_by(Membership.id)
        )
    )


def memberships_of_organization(session: Session, organization_id: int) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership)
            .where(Membership.organization_id == organization_id)
            .order_by(Membership.id)
        )
    )


def find_session_by_hash(session: Session, token_hash: str) -> AuthSession | None:
    return session.scalars(select(AuthSession).where(AuthSession.token_hash == token_hash)).first()


def get_auth_session(session: Session, auth_session_id: int) -> AuthSession | None:
    return session.get(AuthSession, auth_session_id)


def live_sessions_of_user(
    session: Session, user_id: int, organization_id: int | None = None
) -> list[AuthSession]:
    query = select(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if organization_id is not None:
        query = query.where(AuthSession.organization_id == organization_id)
    return list(session.scalars(query))


# One Core statement for the hot path of API-key authentication (every machine request):
# the key and its organisation in a single round trip, no ORM identity map.
_API_KEY_CREDENTIAL = (
    select(
        ApiKey.id,
        ApiKey.secret_hash,
        ApiKey.permissions,
        ApiKey.expires_at,
        ApiKey.revoked_at,
        ApiKey.last_used_at,
        Organization.id.label("organization_id"),
        Organization.type.label("organization_type"),
        Organization.status.label("organization_status"),
    )
    .join(Organization, Organization.id == ApiKey.organization_id)
    .where(ApiKey.prefix == bindparam("prefix"))
)


def api_key_credential(conn: Connection, prefix: str) -> RowMapping | None:
    """The key with this prefix and its organisation's type and status, or None."""
    return conn.execute(_API_KEY_CREDENTIAL, {"prefix": prefix}).mappings().first()


def touch_api_key(conn: Connection, api_key_id: int, when: datetime) -> None:
    """Stamp the key's last use, best effort: when another process holds the write lock (two
    web workers touching the same key at once), the stamp is skipped, never the request."""
    try:
        with conn.begin_nested():
            conn.execute(update(ApiKey).where(ApiKey.id == api_key_id).values(last_used_at=when))
    except OperationalError:
        return


def find_api_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()


def get_api_key(session: Session, api_key_id: int) -> ApiKey | None:
    return session.get(ApiKey, api_key_id)


def list_api_keys(session: Session, organization_id: int) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.organization_id == organization_id).order_by(ApiKey.id)
        )
    )


def add(session: Session, obj: object) -> None:
    session.add(obj)
    session.flush()


def delete(session: Session, obj: object) -> None:
    session.delete(obj)
    session.flush()
