"""JSON routes of the CPMS: standards (public read), an enterprise's products (tenant-scoped)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from industrybrain.modules.cpms import repository, service
from industrybrain.modules.identity.auth import require_permission
from industrybrain.modules.identity.service import Principal

router = APIRouter(prefix="/cpms", tags=["cpms"])


def _database(request: Request) -> Any:
    from industrybrain.runtime import get_database

    return get_database()


@router.get("/standards")
def list_standards(request: Request) -> list[dict[str, Any]]:
    with _database(request).session_scope() as session:
        return [
            {
                "code": s.code,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "versions": [
                    {"version": v.version, "status": v.status}
                    for v in repository.versions(session, s.id)
                ],
            }
            for s in repository.standards(session)
        ]


@router.get("/standards/{code}")
def get_standard(request: Request, code: str, version: str | None = None) -> dict[str, Any]:
    with _database(request).session_scope() as session:
        try:
            found = service.get_version(session, code, version)
        except service.CpmsError as exc:
            raise HTTPException(404, str(exc)) from exc
        return {"code": code, "version": found.version, "status": found.status, **found.content}


@router.get("/standards/{code}/diff")
def diff_versions(request: Request, code: str, old: str, new: str) -> list[str]:
    with _database(request).session_scope() as session:
        try:
            a = service.document_of(service.get_version(session, code, old))
            b = service.document_of(service.get_version(session, code, new))
        except service.CpmsError as exc:
            raise HTTPException(404, str(exc)) from exc
        return [str(change) for change in service.diff(a, b)]


def _product_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "product_code": p.product_code,
        "category_code": p.category_code,
        "name": p.name,
        "sku": p.sku,
        "gtin": p.gtin,
        "handle": p.handle,
        "hs_code": p.hs_code,
        "attributes": p.attributes,
        "completeness": p.completeness,
        "lifecycle": p.lifecycle,
        "standard_version_id": p.standard_version_id,
    }


@router.get("/products")
def list_products(
    request: Request,
    principal: Principal = Depends(require_permission("org.read")),
    limit: int = 200,
    offset: int = 0,
) -> dict[str, Any]:
    with _database(request).session_scope() as session:
        items = repository.products_of(
            session, principal.organization_id, limit=min(limit, 1000), offset=offset
        )
        return {
            "total": repository.count_products(session, principal.organization_id),
            "items": [_product_out(p) for p in items],
        }


@router.get("/products/{product_id}")
def get_product(
    request: Request,
    product_id: int,
    principal: Principal = Depends(require_permission("org.read")),
) -> dict[str, Any]:
    with _database(request).session_scope() as session:
        found = repository.product(session, principal.organization_id, product_id)
        if found is None:
            raise HTTPException(404, "no such product")
        return _product_out(found)
