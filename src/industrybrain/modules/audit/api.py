"""``/api/audit``: read the log, its tree head, and verify it against a checkpoint."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query

from industrybrain.kit.audit import Checkpoint, CheckpointError
from industrybrain.modules.audit import service
from industrybrain.modules.audit.schemas import AuditEntryOut, AuditPage, TreeHeadOut, VerifyReport
from industrybrain.modules.identity.auth import require_permission
from industrybrain.runtime import get_database

# The audit log spans every organisation: only oversight roles hold ``audit.read``.
router = APIRouter(
    prefix="/audit", tags=["audit"], dependencies=[Depends(require_permission("audit.read"))]
)


@router.get("", response_model=AuditPage)
def list_audit_entries(
    action: str | None = Query(None, description="Only this action, e.g. `order.close`."),
    object_type: str | None = Query(None, description="Only this object type."),
    object_id: str | None = Query(None, description="Only this object (with object_type)."),
    actor: str | None = Query(None, description="Actor id or label."),
    organization_id: int | None = Query(None, description="Only this organisation."),
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
) -> AuditPage:
    """Audit entries, newest first."""
    filters: dict[str, Any] = {
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "actor": actor,
        "organization_id": organization_id,
    }
    with get_database().session_scope() as session:
        rows, total = service.list_entries(session, filters, offset, limit)
        items = [AuditEntryOut.model_validate(row) for row in rows]
    return AuditPage(items=items, total=total)


@router.get("/head", response_model=TreeHeadOut)
def audit_tree_head() -> TreeHeadOut:
    """Size and Merkle root of the log as stored (unsigned)."""
    with get_database().session_scope() as session:
        size, root = service.tree_head(session)
    return TreeHeadOut(size=size, root_hash=root.hex())


@router.post("/verify", response_model=VerifyReport)
def verify_audit_log(
    checkpoint: dict[str, Any] = Body(..., description="A checkpoint exported earlier."),
) -> VerifyReport:
    """Verify the log against an exported checkpoint (``ok`` false when tampered with)."""
    import json

    try:
        exported = Checkpoint.from_json(json.dumps(checkpoint))
    except CheckpointError as exc:
        raise HTTPException(422, f"not a valid checkpoint: {exc}") from exc
    with get_database().session_scope() as session:
        return service.verify(session, exported)
