"""Admin pages of the brain registry (``/admin/brains``): list and browse by region (province →
city → county) and by industry (GB/T 4754 section → division → group → class), create, edit,
change the status, and merge partitions. The registry is public to signed-in users
(``brain.read``); writes need ``brain.manage`` and go through the same checked handlers as the
JSON API (operators: their own brains only). Every form carries the session's CSRF token.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from industrybrain.kit.webctx import render
from industrybrain.modules.brain import api, service
from industrybrain.modules.brain.models import BRAIN_STATUSES
from industrybrain.modules.brain.schemas import (
    BrainCreate,
    BrainUpdate,
    PartitionMerge,
    StatusChange,
)
from industrybrain.modules.identity.auth import (
    csrf_token_for,
    database,
    domain_errors,
    require_permission,
)
from industrybrain.modules.identity.service import Principal
from industrybrain.reference import industry_classes, regions

router = APIRouter(prefix="/admin/brains", tags=["admin"], include_in_schema=False)
READ = Depends(require_permission("brain.read"))
MANAGE = Depends(require_permission("brain.manage"))


def _children_regions(code: str | None) -> list[tuple[str, str]]:
    table = regions()
    return sorted((c, r.name) for c, r in table.items() if r.parent == code)


def _children_industries(code: str | None) -> list[tuple[str, str]]:
    table = industry_classes()
    return sorted((c, i.name) for c, i in table.items() if i.parent == code)


def _trail(code: str | None, lookup: Any) -> list[tuple[str, str]]:
    trail: list[tuple[str, str]] = []
    while code:
        item = lookup.get(code)
        if item is None:
            break
        trail.insert(0, (code, item.name))
        code = item.parent
    return trail


def _row(brain: Any) -> dict[str, Any]:
    return {
        "id": brain.id,
        "code": brain.code,
        "name_zh": brain.name_zh,
        "name_en": brain.name_en,
        "industry_class": brain.industry_class,
        "industry_name": service.industry_name(brain.industry_class),
        "region_code": brain.region_code,
        "region_name": service.region_name(brain.region_code),
        "operator_organization_id": brain.operator_organization_id,
        "status": brain.status,
        "template": brain.template,
    }


def _csrf(principal: Principal) -> str:
    return csrf_token_for(principal) if principal.csrf_binding else ""


@router.get("")
def brains_page(
    request: Request,
    region: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    principal: Principal = READ,
) -> Response:
    region = region or None
    industry = industry or None
    status = status or None
    with database(request).session_scope() as session, domain_errors():
        brains = [_row(b) for b in api.list_brains(region, industry, status, session)]
    return render(
        request,
        "brain/brains.html",
        principal=principal,
        csrf_token=_csrf(principal),
        brains=brains,
        region=region or "",
        industry=industry or "",
        status=status or "",
        statuses=BRAIN_STATUSES,
        region_trail=_trail(region, regions()),
        region_children=_children_regions(region),
        industry_trail=_trail(industry, industry_classes()),
        industry_children=_children_industries(industry),
    )


@router.post("")
def brains_create(
    request: Request,
    code: str = Form(...),
    name_zh: str = Form(...),
    name_en: str = Form(""),
    industry_class: str = Form(...),
    region_code: str = Form(...),
    operator_organization_id: int = Form(...),
    template: str = Form(""),
    principal: Principal = MANAGE,
) -> Response:
    body = BrainCreate(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        industry_class=industry_class,
        region_code=region_code,
        operator_organization_id=operator_organization_id,
        template=template,
    )
    with database(request).session_scope() as session:
        created = api.create_brain(body, principal, session)
    return RedirectResponse(f"/admin/brains/{created.id}", status_code=303)


@router.get("/{brain_id}")
def brain_page(request: Request, brain_id: int, principal: Principal = READ) -> Response:
    with database(request).session_scope() as session, domain_errors():
        brain = service.get_brain(session, brain_id)
        partitions = [
            {
                "id": p.id,
                "name": p.name,
                "region_code": p.region_code,
                "region_name": service.region_name(p.region_code),
                "status": p.status,
                "merged_into_id": p.merged_into_id,
            }
            for p in service.list_partitions(session, brain)
        ]
        events = [
            {"kind": e.kind, "detail": e.detail, "at": e.at.isoformat(timespec="seconds")}
            for e in service.list_events(session, brain)
        ]
        row = _row(brain)
        can_manage = service.can_manage(principal, brain)
    return render(
        request,
        "brain/brain.html",
        principal=principal,
        csrf_token=_csrf(principal),
        brain=row,
        partitions=partitions,
        events=events,
        can_manage=can_manage,
        next_statuses=sorted(service.TRANSITIONS[row["status"]]),
    )


@router.post("/{brain_id}")
def brain_edit(
    request: Request,
    brain_id: int,
    name_zh: str = Form(...),
    name_en: str = Form(""),
    template: str = Form(""),
    principal: Principal = MANAGE,
) -> Response:
    body = BrainUpdate(name_zh=name_zh, name_en=name_en, template=template)
    with database(request).session_scope() as session:
        api.update_brain(brain_id, body, principal, session)
    return RedirectResponse(f"/admin/brains/{brain_id}", status_code=303)


@router.post("/{brain_id}/status")
def brain_status(
    request: Request,
    brain_id: int,
    status: str = Form(...),
    reason: str = Form(""),
    principal: Principal = MANAGE,
) -> Response:
    with database(request).session_scope() as session:
        api.change_status(brain_id, StatusChange(status=status, reason=reason), principal, session)
    return RedirectResponse(f"/admin/brains/{brain_id}", status_code=303)


@router.post("/{brain_id}/partitions/merge")
def brain_merge(
    request: Request,
    brain_id: int,
    source_id: int = Form(...),
    target_id: int = Form(...),
    principal: Principal = MANAGE,
) -> Response:
    body = PartitionMerge(source_id=source_id, target_id=target_id)
    with database(request).session_scope() as session:
        api.merge_partitions(brain_id, body, principal, session)
    return RedirectResponse(f"/admin/brains/{brain_id}", status_code=303)
