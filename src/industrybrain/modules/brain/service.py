"""The brain registry (产业大脑名录): brains per sub-industry and region, their operator, status
life cycle, regional partitions (分区) and their merge, and the enterprises of each cluster.

Services flush, never commit. Errors are identity's ``NotFoundError`` (404),
``PermissionDeniedError`` (403), ``ConflictError`` (409) and ``InvalidInputError`` (422).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from industrybrain.modules.brain import repository
from industrybrain.modules.brain.models import (
    BRAIN_STATUSES,
    Brain,
    BrainEnterprise,
    BrainEvent,
    BrainPartition,
)
from industrybrain.modules.identity import service as identity
from industrybrain.modules.identity.permissions import OrgType
from industrybrain.modules.identity.service import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Principal,
)
from industrybrain.reference import industry_classes, regions

# Allowed status changes. ``exited`` is final; a suspended brain resumes or rebuilds.
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"building", "exited"}),
    "building": frozenset({"operating", "suspended", "exited"}),
    "operating": frozenset({"suspended", "exited"}),
    "suspended": frozenset({"operating", "building", "exited"}),
    "exited": frozenset(),
}
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")


# -- reference data ---------------------------------------------------------------------------


def region_ancestry(region_code: str) -> list[str]:
    """``region_code`` and its parents up to the province (GB/T 2260)."""
    table = regions()
    chain: list[str] = []
    code: str | None = region_code
    while code is not None and code in table:
        chain.append(code)
        code = table[code].parent
    return chain


def region_descendants(region_code: str) -> set[str]:
    """``region_code`` and every city and county below it."""
    return {code for code in regions() if region_code in region_ancestry(code)}


def industry_descendants(code: str) -> set[str]:
    """Class codes (4 digits) at or below a section, division, group or class code."""
    table = industry_classes()
    result = set()
    for class_code, item in table.items():
        if item.level != 4:
            continue
        node: str | None = class_code
        while node is not None:
            if node == code:
                result.add(class_code)
                break
            node = table[node].parent if node in table else None
    return result


def _check_industry_class(code: str) -> None:
    item = industry_classes().get(code)
    if item is None or item.level != 4:
        raise InvalidInputError(f"{code!r} is not a GB/T 4754-2017 class (4 digits) code")


def _check_brain_region(code: str) -> None:
    if code not in regions() or len(code) not in (4, 6):
        raise InvalidInputError(f"{code!r} is not a GB/T 2260 city or county code")


def region_name(code: str) -> str:
    region = regions().get(code)
    return region.name if region else ""


def industry_name(code: str) -> str:
    item = industry_classes().get(code)
    return item.name if item else ""


# -- authorisation ----------------------------------------------------------------------------


def can_manage(principal: Principal, brain: Brain) -> bool:
    """``brain.manage`` of a province authority covers every brain; of an operator, its own."""
    if not principal.has("brain.manage"):
        return False
    if principal.organization_type == OrgType.operator:
        return brain.operator_organization_id == principal.organization_id
    return True


def _require_manage(principal: Principal, brain: Brain) -> None:
    if not can_manage(principal, brain):
        raise PermissionDeniedError("only the brain's operator or the province authority")


def _event(
    session: Session, brain: Brain, kind: str, detail: dict[str, Any], principal: Principal | None
) -> BrainEvent:
    event = BrainEvent(
        brain_id=brain.id,
        organization_id=brain.operator_organization_id,
        kind=kind,
        detail=detail,
        actor_user_id=principal.user_id if principal else None,
        actor_organization_id=principal.organization_id if principal else None,
    )
    repository.add(session, event)
    return event


# -- brains -----------------------------------------------------------------------------------


def get_brain(session: Session, brain_id: int) -> Brain:
    brain = repository.get_brain(session, brain_id)
    if brain is None:
        raise NotFoundError("brain not found")
    return brain


def find_brain(session: Session, code: str) -> Brain | None:
    return repository.find_brain_by_code(session, code)


def list_brains(
    session: Session,
    *,
    region: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    operator_organization_id: int | None = None,
) -> list[Brain]:
    """Brains in ``region`` (any level, its cities and counties included), of ``industry``
    (section, division, group or class), with ``status``."""
    if status is not None and status not in BRAIN_STATUSES:
        raise InvalidInputError(f"status is one of {', '.join(BRAIN_STATUSES)}")
    return repository.list_brains(
        session,
        region_codes=sorted(region_descendants(region)) if region else None,
        industry_classes=sorted(industry_descendants(industry)) if industry else None,
        status=status,
        operator_organization_id=operator_organization_id,
    )


def _check_operator(session: Session, organization_id: int) -> None:
    org = identity.get_organization(session, organization_id)
    if org is None or org.type != OrgType.operator:
        raise InvalidInputError("operator_organization_id must be a brain operator organisation")


def create_brain(
    session: Session,
    principal: Principal | None,
    *,
    code: str,
    name_zh: str,
    industry_class: str,
    region_code: str,
    operator_organization_id: int,
    name_en: str = "",
    template: str = "",
    status: str = "planned",
) -> Brain:
    """Register a brain. ``principal=None`` is the system (CLI, demo)."""
    if not CODE_PATTERN.match(code):
        raise InvalidInputError("code: 3-64 lower-case letters, digits and hyphens")
    if not name_zh.strip():
        raise InvalidInputError("name_zh is required")
    if status not in BRAIN_STATUSES:
        raise InvalidInputError(f"status is one of {', '.join(BRAIN_STATUSES)}")
    _check_industry_class(industry_class)
    _check_brain_region(region_code)
    _check_operator(session, operator_organization_id)
    if (
        principal is not None
        and principal.organization_type == OrgType.operator
        and principal.organization_id != operator_organization_id
    ):
        raise PermissionDeniedError("an operator registers only brains it operates")
    if repository.find_brain_by_code(session, code):
        raise ConflictError("a brain with this code exists")
    brain = Brain(
        code=code,
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        industry_class=industry_class,
        region_code=region_code,
        operator_organization_id=operator_organization_id,
        status=status,
        template=template,
    )
    repository.add(session, brain)
    _event(session, brain, "created", {"status": status}, principal)
    return brain


def update_brain(
    session: Session,
    principal: Principal | None,
    brain: Brain,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    template: str | None = None,
    operator_organization_id: int | None = None,
) -> Brain:
    if principal is not None:
        _require_manage(principal, brain)
    if operator_organization_id is not None and operator_organization_id != (
        brain.operator_organization_id
    ):
        if principal is not None and principal.organization_type == OrgType.operator:
            raise PermissionDeniedError("only the province authority changes the operator")
        _check_operator(session, operator_organization_id)
        _event(
            session,
            brain,
            "operator_changed",
            {"from": brain.operator_organization_id, "to": operator_organization_id},
            principal,
        )
        brain.operator_organization_id = operator_organization_id
    if name_zh is not None:
        if not name_zh.strip():
            raise InvalidInputError("name_zh is required")
        brain.name_zh = name_zh.strip()
    if name_en is not None:
        brain.name_en = name_en.strip()
    if template is not None:
        brain.template = template
    session.flush()
    return brain


def change_status(
    session: Session, principal: Principal | None, brain: Brain, status: str, reason: str = ""
) -> Brain:
    if principal is not None:
        _require_manage(principal, brain)
    if status not in BRAIN_STATUSES:
        raise InvalidInputError(f"status is one of {', '.join(BRAIN_STATUSES)}")
    if status not in TRANSITIONS[brain.status]:
        raise ConflictError(f"a brain cannot go from {brain.status} to {status}")
    _event(
        session, brain, "status", {"from": brain.status, "to": status, "reason": reason}, principal
    )
    brain.status = status
    session.flush()
    return brain


def list_events(session: Session, brain: Brain) -> list[BrainEvent]:
    return repository.list_events(session, brain.id)


# -- partitions -------------------------------------------------------------------------------


def list_partitions(session: Session, brain: Brain) -> list[BrainPartition]:
    return repository.list_partitions(session, brain.id)


def get_partition(session: Session, brain: Brain, partition_id: int) -> BrainPartition:
    partition = repository.get_partition(session, partition_id)
    if partition is None or partition.brain_id != brain.id:
        raise NotFoundError("partition not found")
    return partition


def create_partition(
    session: Session, principal: Principal | None, brain: Brain, *, region_code: str, name: str
) -> BrainPartition:
    """A partition covers the brain's region or a region inside it."""
    if principal is not None:
        _require_manage(principal, brain)
    if region_code not in regions():
        raise InvalidInputError(f"unknown region code {region_code!r}")
    if brain.region_code not in region_ancestry(region_code):
        raise InvalidInputError("the partition's region must lie within the brain's region")
    if not name.strip():
        raise InvalidInputError("name is required")
    if repository.find_partition(session, brain.id, region_code, name.strip()):
        raise ConflictError("an active partition with this region and name exists")
    partition = BrainPartition(
        brain_id=brain.id,
        organization_id=brain.operator_organization_id,
        region_code=region_code,
        name=name.strip(),
        status="active",
    )
    repository.add(session, partition)
    return partition


def _common_region(first: str, second: str, floor: str) -> str:
    """The smallest region containing both (never above the brain's own region)."""
    second_chain = region_ancestry(second)
    for code in region_ancestry(first):
        if code in second_chain:
            return code
        if code == floor:
            break
    return floor


def merge_partitions(
    session: Session,
    principal: Principal | None,
    brain: Brain,
    *,
    source_id: int,
    target_id: int,
    name: str | None = None,
) -> BrainPartition:
    """Merge ``source`` into ``target``: the enterprises move, ``source`` is kept as ``merged``
    pointing at ``target``, ``target`` grows to the smallest region covering both; one event."""
    if principal is not None:
        _require_manage(principal, brain)
    source = get_partition(session, brain, source_id)
    target = get_partition(session, brain, target_id)
    if source.id == target.id:
        raise InvalidInputError("a partition cannot merge with itself")
    if source.status != "active" or target.status != "active":
        raise ConflictError("only active partitions merge")
    region_before = target.region_code
    target.region_code = _common_region(source.region_code, target.region_code, brain.region_code)
    if name is not None and name.strip():
        target.name = name.strip()
    moved = repository.move_enterprises(session, source.id, target.id)
    source.status = "merged"
    source.merged_into_id = target.id
    session.flush()
    _event(
        session,
        brain,
        "partition_merge",
        {
            "source_id": source.id,
            "target_id": target.id,
            "source_region": source.region_code,
            "target_region_before": region_before,
            "target_region_after": target.region_code,
            "moved_enterprises": moved,
        },
        principal,
    )
    return target


# -- cluster enterprises ----------------------------------------------------------------------


def list_enterprises(
    session: Session, brain: Brain, partition_id: int | None = None
) -> list[BrainEnterprise]:
    return repository.list_enterprises(session, brain.id, partition_id)


def add_enterprise(
    session: Session,
    principal: Principal | None,
    brain: Brain,
    *,
    enterprise_key: str,
    name: str = "",
    partition_id: int | None = None,
    enterprise_organization_id: int | None = None,
) -> BrainEnterprise:
    if principal is not None:
        _require_manage(principal, brain)
    key = enterprise_key.strip()
    if not key:
        raise InvalidInputError("enterprise_key is required")
    if partition_id is not None:
        partition = get_partition(session, brain, partition_id)
        if partition.status != "active":
            raise ConflictError("the partition was merged; use the partition it merged into")
    if enterprise_organization_id is not None:
        org = identity.get_organization(session, enterprise_organization_id)
        if org is None or org.type != OrgType.enterprise:
            raise InvalidInputError("enterprise_organization_id must be an enterprise")
    if repository.find_enterprise(session, brain.id, key):
        raise ConflictError("the enterprise already belongs to this brain")
    row = BrainEnterprise(
        brain_id=brain.id,
        organization_id=brain.operator_organization_id,
        partition_id=partition_id,
        enterprise_key=key,
        name=name.strip(),
        enterprise_organization_id=enterprise_organization_id,
    )
    repository.add(session, row)
    return row
