"""Tables of the warehouse module: sources, their ingested files, runs and per-source run
figures. The warehouse data itself lives in the DuckDB warehouse file, not here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from industrybrain.kit.db import Base, UTCDateTime, utcnow
from industrybrain.kit.tenancy import TenantOwned

CLASSIFICATIONS = ("公共数据", "企业数据", "个人信息")
GRADES = (1, 2, 3, 4)
RUN_STATUSES = ("running", "succeeded", "failed", "abandoned")
_CLASSES_SQL = ", ".join(f"'{c}'" for c in CLASSIFICATIONS)
_RUN_SQL = ", ".join(f"'{c}'" for c in RUN_STATUSES)


class WarehouseSource(TenantOwned, Base):
    """A data source (数据源): who owns it, how it is classified and graded, which standard
    entity its columns map onto, when it refreshes and how its files are read."""

    __tablename__ = "warehouse_source"
    __table_args__ = (
        CheckConstraint(f"classification IN ({_CLASSES_SQL})", name="classification"),
        CheckConstraint("grade BETWEEN 1 AND 4", name="grade"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200), default="")
    """The unit that hands the data over (e.g. 国家税务总局温岭市税务局)."""
    classification: Mapped[str] = mapped_column(String(16))
    grade: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(32))
    mapping: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    schedule: Mapped[str] = mapped_column(String(64), default="")
    connector_options: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class WarehouseFile(TenantOwned, Base):
    """A file ingested for a source, landed once in the raw zone (content-addressed)."""

    __tablename__ = "warehouse_file"
    __table_args__ = (UniqueConstraint("source_id", "sha256", "options_digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="RESTRICT"), index=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("warehouse_source.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    options_digest: Mapped[str] = mapped_column(String(16))
    relative_dir: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(500))
    rows_in: Mapped[int] = mapped_column(Integer)
    rows_landed: Mapped[int] = mapped_column(Integer)
    rows_quarantined: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str] = mapped_column(String(32), default="")
    format: Mapped[str] = mapped_column(String(16), default="")
    columns: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WarehouseRun(TenantOwned, Base):
    """One pipeline run; ``hashes`` are the content hashes of the published tables."""

    __tablename__ = "warehouse_run"
    __table_args__ = (CheckConstraint(f"status IN ({_RUN_SQL})", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="RESTRICT"), index=True
    )
    engine: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="running")
    step: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(String(2000), default="")
    hashes: Mapped[dict[str, str]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WarehouseRunSource(TenantOwned, Base):
    """Counts and data-quality figures of one source in one run."""

    __tablename__ = "warehouse_run_source"
    __table_args__ = (UniqueConstraint("run_id", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("identity_organization.id", ondelete="RESTRICT"), index=True
    )
    run_id: Mapped[int] = mapped_column(
        ForeignKey("warehouse_run.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("warehouse_source.id", ondelete="CASCADE"))
    source_code: Mapped[str] = mapped_column(String(48))
    rows_in: Mapped[int] = mapped_column(Integer)
    rows_loaded: Mapped[int] = mapped_column(Integer)
    rows_quarantined: Mapped[int] = mapped_column(Integer)
    reused: Mapped[bool] = mapped_column(Boolean, default=False)
    quality: Mapped[dict[str, Any]] = mapped_column(JSON)
