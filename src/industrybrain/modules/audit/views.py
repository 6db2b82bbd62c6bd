"""``/audit/verify``: the verification status of the log, and a form to check a checkpoint.

The list of entries is the declarative page in ``pages.py``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from industrybrain.kit.audit import Checkpoint, CheckpointError
from industrybrain.kit.webctx import render
from industrybrain.modules.audit import service
from industrybrain.modules.audit.schemas import VerifyReport
from industrybrain.modules.identity.auth import csrf_token_for, require_permission
from industrybrain.modules.identity.service import Principal
from industrybrain.runtime import get_database

router = APIRouter(tags=["audit"], include_in_schema=False)
READER = Depends(require_permission("audit.read"))


def _page(
    request: Request,
    principal: Principal,
    report: VerifyReport,
    *,
    against_export: bool,
    checkpoint_text: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "audit/verify.html",
        report=report,
        against_export=against_export,
        checkpoint_text=checkpoint_text,
        error=error,
        csrf_token=csrf_token_for(principal) if principal.csrf_binding else "",
        status_code=status_code,
    )


@router.get("/audit/verify")
def verify_page(request: Request, principal: Principal = READER) -> Response:
    with get_database().session_scope() as session:
        report = service.verify_stored(session)
    return _page(request, principal, report, against_export=False)


@router.post("/audit/verify")
def verify_submit(
    request: Request, checkpoint: str = Form(""), principal: Principal = READER
) -> Response:
    with get_database().session_scope() as session:
        try:
            exported = Checkpoint.from_json(checkpoint)
        except CheckpointError as exc:
            report = service.verify_stored(session)
            return _page(
                request,
                principal,
                report,
                against_export=False,
                checkpoint_text=checkpoint,
                error=str(exc),
                status_code=422,
            )
        report = service.verify(session, exported)
    return _page(request, principal, report, against_export=True, checkpoint_text=checkpoint)
