"""Every query of the audit module (nothing else touches its tables)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from industrybrain.kit.tenancy import unscoped
from industrybrain.modules.audit.models import AuditCheckpoint, AuditEntry, AuditKey

# pg_advisory_xact_lock key of the append section (any constant unique to this purpose).
APPEND_LOCK_KEY = 0x1B_A0D1_7106


def lock_for_append(session: Session) -> None:
    """Serialise appenders until the end of the transaction, so that leaf order = ``seq``."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement takes SQLite's write lock now, before we read max(seq); it matches
        # no row, so the append-only trigger does not fire.
        session.execute(text("UPDATE audit_checkpoint SET size = size WHERE 0 = 1"))


def begin_write(session: Session) -> None:
    """On SQLite, take the write lock at the start of the transaction (like BEGIN IMMEDIATE).

    A deferred SQLite transaction that reads and later writes fails at once with "database is
    locked" when another writer committed in between (its read snapshot is stale); taking the
    lock before the first read makes it wait for the busy timeout instead. PostgreSQL needs
    nothing here: the append itself is serialised by :func:`lock_for_append`.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE audit_checkpoint SET size = size WHERE 0 = 1"))


# The log is one global Merkle tree: its sequence and leaves are read across organisations.
GLOBAL_LOG = "audit log: one global sequence and Merkle tree"


def last_seq(session: Session) -> int:
    with unscoped(GLOBAL_LOG):
        return int(session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0))) or 0)


def add_entry(session: Session, entry: AuditEntry) -> AuditEntry:
    session.add(entry)
    with unscoped(GLOBAL_LOG):
        session.flush()
    return entry


def all_entries(session: Session) -> Sequence[AuditEntry]:
    with unscoped(GLOBAL_LOG):
        return session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()


def leaf_hashes(session: Session) -> list[str]:
    with unscoped(GLOBAL_LOG):
        return list(session.scalars(select(AuditEntry.leaf_hash).order_by(AuditEntry.seq)))


def list_entries(
    session: Session, filters: Mapping[str, Any], offset: int, limit: int
) -> tuple[Sequence[AuditEntry], int]:
    query = select(AuditEntry)
    if filters.get("seq") not in (None, ""):
        query = query.where(AuditEntry.seq == int(filters["seq"]))
    if filters.get("action"):
        query = query.where(AuditEntry.action == filters["action"])
    if filters.get("object_type"):
        query = query.where(AuditEntry.object_type == filters["object_type"])
    if filters.get("object_id"):
        query = query.where(AuditEntry.object_id == str(filters["object_id"]))
    if filters.get("organization_id") not in (None, ""):
        query = query.where(AuditEntry.organization_id == int(filters["organization_id"]))
    actor = filters.get("actor")
    if actor not in (None, ""):
        actor_text = str(actor)
        if actor_text.isdigit():
            query = query.where(
                or_(AuditEntry.actor_id == int(actor_text), AuditEntry.actor_label == actor_text)
            )
        else:
            query = query.where(AuditEntry.actor_label == actor_text)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(query.order_by(AuditEntry.seq.desc()).offset(offset).limit(limit)).all()
    return rows, total


def distinct_values(session: Session, column: str) -> list[str]:
    attribute = getattr(AuditEntry, column)
    return [str(v) for v in session.scalars(select(attribute).distinct().order_by(attribute))]


def add_checkpoint(session: Session, checkpoint: AuditCheckpoint) -> AuditCheckpoint:
    session.add(checkpoint)
    session.flush()
    return checkpoint


def checkpoints(session: Session) -> Sequence[AuditCheckpoint]:
    return session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    ).first()


def get_key(session: Session, key_id: str) -> AuditKey | None:
    return session.get(AuditKey, key_id)


def add_key(session: Session, key: AuditKey) -> AuditKey:
    session.add(key)
    session.flush()
    return key


def keys(session: Session) -> Sequence[AuditKey]:
    return session.scalars(select(AuditKey).order_by(AuditKey.created_at)).all()
