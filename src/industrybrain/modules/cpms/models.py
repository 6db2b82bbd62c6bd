"""Tables of the product master data standard (CPMS): standards, their versions (each a
snapshot document), enterprises' product records and the mapping memory of each enterprise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from industrybrain.kit.db import Base, UTCDateTime, utcnow
from industrybrain.kit.tenancy import TenantOwned

VERSION_STATUSES = ("draft", "under_review", "published", "superseded")
LIFECYCLES = ("active", "discontinued")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Standard(Base):
    """A product master data standard of one industry (e.g. ``pumps-valves``)."""

    __tablename__ = "cpms_standard"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(2))  # category code prefix, e.g. PV
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    industry_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    template: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StandardVersion(Base):
    """One version: draft → under_review → published → superseded. ``content`` is the
    :class:`~industrybrain.modules.cpms.document.StandardDocument`; frozen once published."""

    __tablename__ = "cpms_standard_version"
    __table_args__ = (
        UniqueConstraint("standard_id", "version"),
        CheckConstraint(f"status IN ({_in(VERSION_STATUSES)})", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("cpms_standard.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(String(2000), default="")
    release_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Product(TenantOwned, Base):
    """A product record of an enterprise (tenant: ``organization_id``)."""

    __tablename__ = "cpms_product"
    __table_args__ = (
        UniqueConstraint("organization_id", "sku"),
        CheckConstraint(f"lifecycle IN ({_in(LIFECYCLES)})", name="lifecycle"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="RESTRICT"), index=True
    )
    standard_version_id: Mapped[int] = mapped_column(
        ForeignKey("cpms_standard_version.id", ondelete="RESTRICT"), index=True
    )
    product_code: Mapped[str] = mapped_column(String(40), unique=True)
    category_code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    sku: Mapped[str] = mapped_column(String(100))
    gtin: Mapped[str | None] = mapped_column(String(14), nullable=True)
    handle: Mapped[str | None] = mapped_column(String(200), nullable=True)
    hs_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    completeness: Mapped[float] = mapped_column(Float, default=0.0)
    lifecycle: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ProductSequence(Base):
    """Next sequence number of product master codes per category."""

    __tablename__ = "cpms_product_sequence"

    category_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer, default=1)


class MappingMemory(TenantOwned, Base):
    """A column label an enterprise confirmed as meaning ``target`` under a standard."""

    __tablename__ = "cpms_mapping_memory"
    __table_args__ = (UniqueConstraint("organization_id", "standard_id", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="CASCADE"), index=True
    )
    standard_id: Mapped[int] = mapped_column(ForeignKey("cpms_standard.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
