"""JSON routes of the brain registry. The registry itself (brains, partitions) is a public
directory; the enterprises of a cluster and the event history need ``brain.read``; every write
needs ``brain.manage`` (operators: only their own brains)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from industrybrain.modules.brain import actions, service
from industrybrain.modules.brain.models import Brain
from industrybrain.modules.brain.schemas import (
    BrainCreate,
    BrainEnterpriseCreate,
    BrainEnterpriseRead,
    BrainEventRead,
    BrainRead,
    BrainUpdate,
    PartitionCreate,
    PartitionMerge,
    PartitionRead,
    StatusChange,
)
from industrybrain.modules.identity.auth import db_session, domain_errors, require_permission
from industrybrain.modules.identity.service import Principal

router = APIRouter(prefix="/brains", tags=["brain"])
DB = Depends(db_session, scope="function")
MANAGE = Depends(require_permission("brain.manage"))
READ = Depends(require_permission("brain.read"))


def _read(brain: Brain) -> BrainRead:
    return BrainRead.model_validate(brain).model_copy(
        update={
            "industry_name": service.industry_name(brain.industry_class),
            "region_name": service.region_name(brain.region_code),
        }
    )


@router.get("", response_model=list[BrainRead])
def list_brains(
    region: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    session: Session = DB,
) -> list[BrainRead]:
    """The brain registry (产业大脑名录). ``region`` matches a province, city or county and
    everything below it; ``industry`` a GB/T 4754 section, division, group or class."""
    with domain_errors():
        brains = service.list_brains(session, region=region, industry=industry, status=status)
    return [_read(b) for b in brains]


@router.post("", response_model=BrainRead, status_code=201)
def create_brain(
    body: BrainCreate, principal: Principal = MANAGE, session: Session = DB
) -> BrainRead:
    with domain_errors():
        brain = actions.do_create_brain(session, principal, **body.model_dump())
    return _read(brain)


@router.get("/{brain_id}", response_model=BrainRead)
def get_brain(brain_id: int, session: Session = DB) -> BrainRead:
    with domain_errors():
        return _read(service.get_brain(session, brain_id))


@router.patch("/{brain_id}", response_model=BrainRead)
def update_brain(
    brain_id: int, body: BrainUpdate, principal: Principal = MANAGE, session: Session = DB
) -> BrainRead:
    with domain_errors():
        brain = service.get_brain(session, brain_id)
        actions.do_update_brain(session, principal, brain, **body.model_dump(exclude_unset=True))
    return _read(brain)


@router.post("/{brain_id}/status", response_model=BrainRead)
def change_status(
    brain_id: int, body: StatusChange, principal: Principal = MANAGE, session: Session = DB
) -> BrainRead:
    """Move along planned → building → operating ⇄ suspended → exited."""
    with domain_errors():
        brain = service.get_brain(session, brain_id)
        actions.do_change_status(session, principal, brain, body.status, body.reason)
    return _read(brain)


@router.get("/{brain_id}/events", response_model=list[BrainEventRead])
def list_events(brain_id: int, principal: Principal = READ, session: Session = DB) -> list[Any]:
    with domain_errors():
        return list(service.list_events(session, service.get_brain(session, brain_id)))


@router.get("/{brain_id}/partitions", response_model=list[PartitionRead])
def list_partitions(brain_id: int, session: Session = DB) -> list[Any]:
    with domain_errors():
        return list(service.list_partitions(session, service.get_brain(session, brain_id)))


@router.post("/{brain_id}/partitions", response_model=PartitionRead, status_code=201)
def create_partition(
    brain_id: int, body: PartitionCreate, principal: Principal = MANAGE, session: Session = DB
) -> Any:
    with domain_errors():
        brain = service.get_brain(session, brain_id)
        return actions.do_create_partition(
            session, principal, brain, region_code=body.region_code, name=body.name
        )


@router.post("/{brain_id}/partitions/merge", response_model=PartitionRead)
def merge_partitions(
    brain_id: int, body: PartitionMerge, principal: Principal = MANAGE, session: Session = DB
) -> Any:
    """Merge ``source_id`` into ``target_id``; recorded as a ``partition_merge`` event."""
    with domain_errors():
        brain = service.get_brain(session, brain_id)
        return actions.do_merge_partitions(
            session,
            principal,
            brain,
            source_id=body.source_id,
            target_id=body.target_id,
            name=body.name,
        )


@router.get("/{brain_id}/enterprises", response_model=list[BrainEnterpriseRead])
def list_enterprises(
    brain_id: int,
    partition_id: int | None = None,
    principal: Principal = READ,
    session: Session = DB,
) -> list[Any]:
    with domain_errors():
        brain = service.get_brain(session, brain_id)
        return list(service.list_enterprises(session, brain, partition_id))


@router.post("/{brain_id}/enterprises", response_model=BrainEnterpriseRead, status_code=201)
def add_enterprise(
    brain_id: int,
    body: BrainEnterpriseCreate,
    principal: Principal = MANAGE,
    session: Session = DB,
) -> Any:
    with domain_errors():
        brain = service.get_brain(session, brain_id)
        return actions.do_add_enterprise(session, principal, brain, **body.model_dump())
