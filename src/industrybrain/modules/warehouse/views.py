"""HTML routes of the warehouse: quarantine (view and CSV download) and lineage lookup.
Sources and runs are declarations in ``pages.py``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from industrybrain.kit.tenancy import use_scope
from industrybrain.kit.webctx import render
from industrybrain.modules.identity.auth import require_permission
from industrybrain.modules.identity.service import Principal
from industrybrain.modules.warehouse import service
from industrybrain.runtime import get_database

router = APIRouter(tags=["warehouse"], include_in_schema=False)
manage = require_permission("warehouse.manage")


def _quarantine(principal: Principal, code: str, limit: int | None) -> tuple[object, list]:  # type: ignore[type-arg]
    with use_scope(principal.tenant_scope()), get_database().session_scope() as session:
        try:
            source = service.get_source(session, code)
        except service.SourceNotFound:
            raise HTTPException(404) from None
        if limit is None:
            return source, [service.quarantine_csv(session, source)]
        _header, rows = service.quarantine_rows(session, source, limit)
        session.expunge(source)
        return source, rows


@router.get("/warehouse/sources/{code}/quarantine")
async def quarantine_page(
    request: Request, code: str, principal: Principal = Depends(manage)
) -> Response:
    source, rows = await run_in_threadpool(_quarantine, principal, code, 500)
    return render(request, "warehouse/quarantine.html", source=source, rows=rows)


@router.get("/warehouse/sources/{code}/quarantine.csv")
async def quarantine_download(code: str, principal: Principal = Depends(manage)) -> Response:
    _source, (text,) = await run_in_threadpool(_quarantine, principal, code, None)
    return Response(
        str(text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{code}-quarantine.csv"'},
    )


@router.get("/warehouse/lineage")
async def lineage_page(
    request: Request, table: str = "", key: str = "", principal: Principal = Depends(manage)
) -> Response:
    rows = None
    error = ""
    if table and key:

        def load() -> list[dict[str, object]]:
            with use_scope(principal.tenant_scope()), get_database().session_scope() as session:
                return service.lineage(session, table, key)

        try:
            rows = await run_in_threadpool(load)
        except service.WarehouseError as exc:
            error = str(exc)
    return render(request, "warehouse/lineage.html", table=table, key=key, rows=rows, error=error)
