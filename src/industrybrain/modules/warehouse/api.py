"""JSON API of the warehouse: sources, runs with counts and quality, lineage."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool

from industrybrain.kit.tenancy import use_scope
from industrybrain.modules.identity.auth import require_permission
from industrybrain.modules.identity.service import Principal
from industrybrain.modules.warehouse import service
from industrybrain.runtime import get_database

router = APIRouter(prefix="/warehouse", tags=["warehouse"])
manage = require_permission("warehouse.manage")


@router.get("/runs/{run_id}")
async def get_run(run_id: int, principal: Principal = Depends(manage)) -> dict[str, Any]:
    def load() -> dict[str, Any] | None:
        with use_scope(principal.tenant_scope()), get_database().session_scope() as session:
            return service.run_detail(session, run_id)

    detail = await run_in_threadpool(load)
    if detail is None:
        raise HTTPException(404, "run not found")
    return detail


@router.get("/lineage")
async def get_lineage(
    table: str, key: str, principal: Principal = Depends(manage)
) -> list[dict[str, Any]]:
    def load() -> list[dict[str, Any]]:
        with use_scope(principal.tenant_scope()), get_database().session_scope() as session:
            return service.lineage(session, table, key)

    try:
        return await run_in_threadpool(load)
    except service.WarehouseError as exc:
        raise HTTPException(422, str(exc)) from None
