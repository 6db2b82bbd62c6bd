"""Audited writes of the brain registry (one transaction, one audit entry each)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from industrybrain.modules.audit.actions import ActionScope, Outcome, do_action
from industrybrain.modules.brain import service
from industrybrain.modules.brain.models import Brain, BrainEnterprise, BrainPartition
from industrybrain.modules.identity.actions import actor_of
from industrybrain.modules.identity.service import Principal


def do_create_brain(session: Session, principal: Principal | None, **fields: Any) -> Brain:
    def work(scope: ActionScope) -> Outcome[Brain]:
        brain = service.create_brain(scope.session, principal, **fields)
        change = {
            "code": brain.code,
            "industry_class": brain.industry_class,
            "region_code": brain.region_code,
            "operator_organization_id": brain.operator_organization_id,
            "status": brain.status,
        }
        return Outcome(
            brain,
            object_id=brain.id,
            change=change,
            brain_id=brain.id,
            organization_id=brain.operator_organization_id,
        )

    return do_action("brain.create", "brain", work, actor=actor_of(principal), session=session)


def do_update_brain(
    session: Session, principal: Principal | None, brain: Brain, **fields: Any
) -> Brain:
    def work(scope: ActionScope) -> Outcome[Brain]:
        keys = [k for k, v in fields.items() if v is not None]
        before = {k: getattr(brain, k) for k in keys}
        service.update_brain(scope.session, principal, brain, **fields)
        change = {k: [before[k], getattr(brain, k)] for k in keys if before[k] != getattr(brain, k)}
        return Outcome(
            brain,
            object_id=brain.id,
            change=change,
            brain_id=brain.id,
            organization_id=brain.operator_organization_id,
        )

    return do_action("brain.update", "brain", work, actor=actor_of(principal), session=session)


def do_change_status(
    session: Session, principal: Principal | None, brain: Brain, status: str, reason: str = ""
) -> Brain:
    def work(scope: ActionScope) -> Outcome[Brain]:
        before = brain.status
        service.change_status(scope.session, principal, brain, status, reason)
        return Outcome(
            brain,
            object_id=brain.id,
            change={"status": [before, status], "reason": reason},
            brain_id=brain.id,
            organization_id=brain.operator_organization_id,
        )

    return do_action("brain.status", "brain", work, actor=actor_of(principal), session=session)


def do_create_partition(
    session: Session, principal: Principal | None, brain: Brain, *, region_code: str, name: str
) -> BrainPartition:
    def work(scope: ActionScope) -> Outcome[BrainPartition]:
        partition = service.create_partition(
            scope.session, principal, brain, region_code=region_code, name=name
        )
        return Outcome(
            partition,
            object_id=partition.id,
            change={"region_code": region_code, "name": partition.name},
            brain_id=brain.id,
            organization_id=brain.operator_organization_id,
        )

    return do_action(
        "brain.partition.create",
        "brain_partition",
        work,
        actor=actor_of(principal),
        session=session,
    )


def do_merge_partitions(
    session: Session,
    principal: Principal | None,
    brain: Brain,
    *,
    source_id: int,
    target_id: int,
    name: str | None = None,
) -> BrainPartition:
    def work(scope: ActionScope) -> Outcome[BrainPartition]:
        target = service.merge_partitions(
            scope.session, principal, brain, source_id=source_id, target_id=target_id, name=name
        )
        return Outcome(
            target,
            object_id=target.id,
            change={"merged": source_id, "into": target_id, "region_code": target.region_code},
            brain_id=brain.id,
            organization_id=brain.operator_organization_id,
        )

    return do_action(
        "brain.partition.merge", "brain_partition", work, actor=actor_of(principal), session=session
    )


def do_add_enterprise(
    session: Session, principal: Principal | None, brain: Brain, **fields: Any
) -> BrainEnterprise:
    def work(scope: ActionScope) -> Outcome[BrainEnterprise]:
        row = service.add_enterprise(scope.session, principal, brain, **fields)
        return Outcome(
            row,
            object_id=row.id,
            change={"enterprise_key": row.enterprise_key, "partition_id": row.partition_id},
            brain_id=brain.id,
            organization_id=brain.operator_organization_id,
        )

    return do_action(
        "brain.enterprise.add", "brain_enterprise", work, actor=actor_of(principal), session=session
    )
