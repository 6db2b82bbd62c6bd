"""HTML routes of the jobs module: the live progress fragment and the submit form target.

The list and detail pages are declared in ``pages.py`` and rendered by the web shell. The
fragment is rendered here with a plain Jinja environment over this module's templates (it
needs no layout), translated from this module's own catalog.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from industrybrain.config import get_settings
from industrybrain.modules.jobs import service
from industrybrain.modules.jobs.models import FINAL_STATUSES
from industrybrain.runtime import get_database

TEMPLATES = Path(__file__).parent / "templates"
LOCALES = Path(__file__).parent / "locale"
LOG_LINES = 8

router = APIRouter(tags=["jobs"], include_in_schema=False)


@lru_cache(maxsize=4)
def _catalog(locale: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = LOCALES / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )


def render(name: str, locale: str | None = None, **context: Any) -> str:
    catalog = _catalog(locale or get_settings().default_locale)

    def translate(message: str) -> str:
        return catalog.get(message, message)

    return _environment().get_template(name).render(_=translate, **context)


def progress_fragment(job: dict[str, Any], locale: str | None = None) -> str:
    log_lines = [line for line in (job.get("log") or "").splitlines() if line][-LOG_LINES:]
    return render(
        "jobs/progress.html",
        locale,
        job=job,
        percent=round(float(job["progress"] or 0) * 100),
        live=job["status"] not in FINAL_STATUSES,
        log_lines=log_lines,
    )


@router.get("/jobs/{job_id}/progress", response_class=HTMLResponse)
def job_progress(job_id: int) -> HTMLResponse:
    with get_database().session_scope() as session:
        job = service.detail(session, job_id)
    if job is None:
        raise HTTPException(404, "job not found")
    return HTMLResponse(progress_fragment(job))


@router.post("/jobs/submit")
def submit_form(request: Request, kind: str = Form(...), payload: str = Form("{}")) -> Response:
    """Queue a job from a form and go to its page (HTMX: ``HX-Redirect``)."""
    try:
        data = orjson.loads(payload or "{}")
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        message = render("jobs/submit_error.html", message="Payload is not a JSON object")
        return HTMLResponse(message, status_code=422)
    try:
        with get_database().session_scope() as session:
            job = service.submit(session, kind, data)
            job_id = job.id
    except service.UnknownJobKind:
        error = render("jobs/submit_error.html", message="Unknown job kind", kind=kind)
        return HTMLResponse(error, status_code=422)
    target = f"/jobs/{job_id}"
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
