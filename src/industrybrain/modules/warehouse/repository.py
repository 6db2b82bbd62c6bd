"""Every query of the warehouse module's tables."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from industrybrain.modules.warehouse.models import (
    WarehouseFile,
    WarehouseRun,
    WarehouseRunSource,
    WarehouseSource,
)


def sources(session: Session) -> Sequence[WarehouseSource]:
    return session.scalars(select(WarehouseSource).order_by(WarehouseSource.code)).all()


def source_by_code(session: Session, code: str) -> WarehouseSource | None:
    return session.scalars(select(WarehouseSource).where(WarehouseSource.code == code)).first()


def source_by_id(session: Session, source_id: int) -> WarehouseSource | None:
    return session.scalars(select(WarehouseSource).where(WarehouseSource.id == source_id)).first()


def files_of(session: Session, source_id: int, active_only: bool = True) -> Sequence[WarehouseFile]:
    query = select(WarehouseFile).where(WarehouseFile.source_id == source_id)
    if active_only:
        query = query.where(WarehouseFile.active.is_(True))
    return session.scalars(query.order_by(WarehouseFile.id)).all()


def file_by_sha(
    session: Session, source_id: int, sha256: str, options_digest: str
) -> WarehouseFile | None:
    return session.scalars(
        select(WarehouseFile).where(
            WarehouseFile.source_id == source_id,
            WarehouseFile.sha256 == sha256,
            WarehouseFile.options_digest == options_digest,
        )
    ).first()


def files_by_sha(session: Session, sha256: str) -> Sequence[WarehouseFile]:
    return session.scalars(select(WarehouseFile).where(WarehouseFile.sha256 == sha256)).all()


def runs(session: Session, offset: int = 0, limit: int = 50) -> tuple[Sequence[WarehouseRun], int]:
    total = session.scalar(select(func.count()).select_from(WarehouseRun)) or 0
    rows = session.scalars(
        select(WarehouseRun).order_by(WarehouseRun.id.desc()).offset(offset).limit(limit)
    ).all()
    return rows, int(total)


def run_by_id(session: Session, run_id: int) -> WarehouseRun | None:
    return session.scalars(select(WarehouseRun).where(WarehouseRun.id == run_id)).first()


def run_sources(session: Session, run_id: int) -> Sequence[WarehouseRunSource]:
    return session.scalars(
        select(WarehouseRunSource)
        .where(WarehouseRunSource.run_id == run_id)
        .order_by(WarehouseRunSource.source_code)
    ).all()


def abandon_running(session: Session) -> int:
    result = session.execute(
        update(WarehouseRun)
        .where(WarehouseRun.status == "running")
        .values(status="abandoned", message="the process ended before the run finished")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
