"""HTML routes of the jobs module: the live progress fragment, cancel and submit form targets.

The list and detail pages are declarations (``pages.py``) rendered by the web shell; the
detail page uses ``jobs/detail.html``, which embeds the same fragment as this route returns.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from industrybrain.kit.webctx import is_htmx, render
from industrybrain.modules.identity.auth import require_permission, require_principal
from industrybrain.modules.jobs import service
from industrybrain.runtime import get_database

router = APIRouter(tags=["jobs"], include_in_schema=False)
SIGNED_IN = Depends(require_principal)
SUBMIT = Depends(require_permission("job.submit"))


def _fragment(request: Request, job_id: int, status_code: int = 200) -> Response:
    with get_database().session_scope() as session:
        job = service.detail(session, job_id)
    if job is None:
        raise HTTPException(404, "job not found")
    return render(request, "jobs/_progress.html", status_code=status_code, job=job)


@router.get("/jobs/{job_id}/progress")
def job_progress(request: Request, job_id: int, _principal: object = SIGNED_IN) -> Response:
    """Progress bar, status and last log lines; polls itself every second until final."""
    return _fragment(request, job_id)


@router.post("/jobs/{job_id}/cancel")
def cancel_job(request: Request, job_id: int, _principal: object = SUBMIT) -> Response:
    """Cancel from the job page: the fragment for HTMX, else back to the job page."""
    try:
        with get_database().session_scope() as session:
            service.cancel(session, job_id)
    except service.JobNotFound as exc:
        raise HTTPException(404, "job not found") from exc
    except service.JobAlreadyFinished:
        pass  # the fragment shows the final status
    if is_htmx(request):
        return _fragment(request, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _refused(request: Request, message: str, kind: str = "") -> Response:
    return render(request, "jobs/_submit_error.html", status_code=422, message=message, kind=kind)


@router.post("/jobs/submit")
def submit_form(
    request: Request,
    kind: str = Form(...),
    payload: str = Form("{}"),
    _principal: object = SUBMIT,
) -> Response:
    """Queue a job from a form and go to its page (HTMX: ``HX-Redirect``)."""
    try:
        data = orjson.loads(payload or "{}")
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        return _refused(request, "Payload is not a JSON object")
    try:
        with get_database().session_scope() as session:
            job_id = service.submit(session, kind, data).id
    except service.UnknownJobKind:
        return _refused(request, "Unknown job kind", kind)
    target = f"/jobs/{job_id}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
