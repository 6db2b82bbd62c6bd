"""Tables of the audit log: entries (append-only), signed checkpoints, signing keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from industrybrain.kit.db import Base, UTCDateTime
from industrybrain.kit.tenancy import TenantOwned


class AuditEntry(TenantOwned, Base):
    """One write action. ``seq`` is gap-free from 1 and leaf ``seq - 1`` of the Merkle tree."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id"),
        Index("ix_audit_entry_action", "action", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Identity and tenancy come later; they will own these ids (no foreign keys yet).
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor_label: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    brain_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str] = mapped_column(String(100))
    change: Mapped[Any] = mapped_column(JSON)
    change_hash: Mapped[str] = mapped_column(String(64))
    leaf_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed tree head the platform made of its own log."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    root_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(Text)


class AuditKey(Base):
    """A public key that signed checkpoints, and the record of the rotation that introduced it."""

    __tablename__ = "audit_key"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The key that endorsed this one at rotation (null for the first key) and its signature.
    endorsed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    endorsement: Mapped[str | None] = mapped_column(Text, nullable=True)
