"""Tables of the brain registry (产业大脑名录): brains, their partitions, cluster enterprises and
the events of their life (status changes, partition merges)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from industrybrain.kit.db import Base, UTCDateTime, utcnow
from industrybrain.kit.tenancy import TenantOwned

BRAIN_STATUSES = ("planned", "building", "operating", "suspended", "exited")
_STATUSES_SQL = ", ".join(f"'{s}'" for s in BRAIN_STATUSES)


class Brain(Base):
    """One brain per sub-industry and region; owned by its operator organisation."""

    __tablename__ = "brain"
    __table_args__ = (CheckConstraint(f"status IN ({_STATUSES_SQL})", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    industry_class: Mapped[str] = mapped_column(String(4), index=True)  # GB/T 4754-2017 class
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # GB/T 2260 city or county
    operator_organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="planned")
    template: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class BrainPartition(TenantOwned, Base):
    """A regional partition (分区) of one brain; merged partitions stay, pointing at the survivor."""

    # The registry is public (cluster enterprises and events need brain.read, any type).
    __tenant_public_read__ = True

    __tablename__ = "brain_partition"
    __table_args__ = (CheckConstraint("status IN ('active', 'merged')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brain_id: Mapped[int] = mapped_column(ForeignKey("brain.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="RESTRICT")
    )
    region_code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("brain_partition.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BrainEnterprise(TenantOwned, Base):
    """An enterprise of the brain's cluster, by its enterprise key (e.g. the USCC)."""

    # The registry is public (cluster enterprises and events need brain.read, any type).
    __tenant_public_read__ = True

    __tablename__ = "brain_enterprise"
    __table_args__ = (UniqueConstraint("brain_id", "enterprise_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brain_id: Mapped[int] = mapped_column(ForeignKey("brain.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="RESTRICT")
    )
    partition_id: Mapped[int | None] = mapped_column(
        ForeignKey("brain_partition.id", ondelete="SET NULL"), index=True
    )
    enterprise_key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    enterprise_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="SET NULL")
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BrainEvent(TenantOwned, Base):
    """What happened to a brain: creation, status change, partition merge (append-only)."""

    # The registry is public (cluster enterprises and events need brain.read, any type).
    __tenant_public_read__ = True

    __tablename__ = "brain_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brain_id: Mapped[int] = mapped_column(ForeignKey("brain.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_organization_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
