"""Every query of the brain module."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from industrybrain.modules.brain.models import Brain, BrainEnterprise, BrainEvent, BrainPartition


def get_brain(session: Session, brain_id: int) -> Brain | None:
    return session.get(Brain, brain_id)


def find_brain_by_code(session: Session, code: str) -> Brain | None:
    return session.scalars(select(Brain).where(Brain.code == code)).first()


def list_brains(
    session: Session,
    *,
    region_codes: Sequence[str] | None = None,
    industry_classes: Sequence[str] | None = None,
    status: str | None = None,
    operator_organization_id: int | None = None,
) -> list[Brain]:
    query = select(Brain).order_by(Brain.id)
    if region_codes is not None:
        query = query.where(Brain.region_code.in_(list(region_codes)))
    if industry_classes is not None:
        query = query.where(Brain.industry_class.in_(list(industry_classes)))
    if status:
        query = query.where(Brain.status == status)
    if operator_organization_id is not None:
        query = query.where(Brain.operator_organization_id == operator_organization_id)
    return list(session.scalars(query))


def get_partition(session: Session, partition_id: int) -> BrainPartition | None:
    return session.get(BrainPartition, partition_id)


def list_partitions(session: Session, brain_id: int) -> list[BrainPartition]:
    return list(
        session.scalars(
            select(BrainPartition)
            .where(BrainPartition.brain_id == brain_id)
            .order_by(BrainPartition.id)
        )
    )


def find_partition(
    session: Session, brain_id: int, region_code: str, name: str
) -> BrainPartition | None:
    return session.scalars(
        select(BrainPartition).where(
            BrainPartition.brain_id == brain_id,
            BrainPartition.region_code == region_code,
            BrainPartition.name == name,
            BrainPartition.status == "active",
        )
    ).first()


def move_enterprises(session: Session, source_partition_id: int, target_partition_id: int) -> int:
    result = session.execute(
        update(BrainEnterprise)
        .where(BrainEnterprise.partition_id == source_partition_id)
        .values(partition_id=target_partition_id)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def list_enterprises(
    session: Session, brain_id: int, partition_id: int | None = None
) -> list[BrainEnterprise]:
    query = select(BrainEnterprise).where(BrainEnterprise.brain_id == brain_id)
    if partition_id is not None:
        query = query.where(BrainEnterprise.partition_id == partition_id)
    return list(session.scalars(query.order_by(BrainEnterprise.id)))


def find_enterprise(session: Session, brain_id: int, enterprise_key: str) -> BrainEnterprise | None:
    return session.scalars(
        select(BrainEnterprise).where(
            BrainEnterprise.brain_id == brain_id, BrainEnterprise.enterprise_key == enterprise_key
        )
    ).first()


def list_events(session: Session, brain_id: int) -> list[BrainEvent]:
    return list(
        session.scalars(
            select(BrainEvent).where(BrainEvent.brain_id == brain_id).order_by(BrainEvent.id)
        )
    )


def add(session: Session, obj: object) -> None:
    session.add(obj)
    session.flush()
