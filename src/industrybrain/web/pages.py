"""Generic views of the :class:`~industrybrain.kit.pages.ListPage` declarations of plugins.

For a page at ``path``:

- ``GET path``: table, filter form, pagination, total; an HTMX request gets the table only;
- ``GET path/new`` and ``POST path/new`` when a form is declared (422 with per-field messages
  when the form is invalid; nothing is saved). The form carries the CSRF token of the
  ``csrf_token`` hook; the POST is refused with 403 (nothing saved) when the ``verify_csrf``
  hook rejects it (a cookie-authenticated viewer without a valid token);
- ``GET path/{key}`` when ``detail`` is declared (404 when it returns None).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from industrybrain.kit.db import Database
from industrybrain.kit.pages import Form, FormError, ListPage
from industrybrain.kit.webctx import N_, is_htmx
from industrybrain.web.templating import WebRenderer

PAGE_PARAM = "page"


def _database(request: Request) -> Database:
    db = request.app.state.db
    assert isinstance(db, Database)
    return db


def _renderer(request: Request) -> WebRenderer:
    renderer = request.app.state.templates
    assert isinstance(renderer, WebRenderer)
    return renderer


def _cell(value: Any, column_format: Any) -> str:
    if column_format is not None:
        return str(column_format(value))
    if value is None:
        return ""
    return str(value)


def detail_url(page: ListPage, key: Any) -> str:
    return f"{page.path.rstrip('/')}/{quote(str(key), safe='')}"


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def list_context(page: ListPage, request: Request) -> dict[str, Any]:
    filters = {
        f.name: request.query_params[f.name].strip()
        for f in page.filters
        if request.query_params.get(f.name, "").strip()
    }
    number = _page_number(request.query_params.get(PAGE_PARAM))
    size = max(1, page.page_size)
    with _database(request).session_scope() as session:
        rows, total = page.query(session, filters, (number - 1) * size, size)
    pages = max(1, math.ceil(total / size))

    def page_url(target: int) -> str:
        params = [*filters.items(), (PAGE_PARAM, str(target))]
        return f"{page.path}?{urlencode(params)}"

    table = [
        [
            {
                "text": _cell(row.get(col.name), col.format),
                "href": detail_url(page, row.get(page.key))
                if col.link and page.detail is not None and row.get(page.key) is not None
                else None,
            }
            for col in page.columns
        ]
        for row in rows
    ]
    return {
        "page": page,
        "rows": rows,
        "table": table,
        "total": total,
        "filters": filters,
        "page_number": number,
        "page_count": pages,
        "page_url": page_url,
        "first_index": (number - 1) * size + 1 if rows else 0,
        "last_index": (number - 1) * size + len(rows),
    }


def _detail_fields(page: ListPage, row: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(label, value, translate label) for every field: declared columns first, then the rest."""
    fields: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    for col in page.columns:
        if col.name in row:
            fields.append((col.label, _cell(row[col.name], col.format), True))
            seen.add(col.name)
    for name, value in row.items():
        if name not in seen and not name.startswith("_"):
            fields.append((name, _cell(value, None), False))
    return fields


def _coerce(form: Form, raw: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn the submitted strings into values; check required fields and numbers."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in form.fields:
        text = raw.get(field.name, "")
        if field.kind == "checkbox":
            values[field.name] = field.name in raw and text not in ("", "0", "false", "off")
            continue
        text = text.strip() if field.kind != "password" else text
        if not text:
            values[field.name] = None
            if field.required:
                errors[field.name] = N_("This field is required.")
            continue
        if field.kind == "number":
            try:
                number = float(text.replace(",", ""))
            except ValueError:
                errors[field.name] = N_("Enter a number.")
                values[field.name] = text
                continue
            values[field.name] = int(number) if number.is_integer() and "." not in text else number
            continue
        if field.kind == "select" and field.options:
            allowed = {value for value, _label in field.options}
            if text not in allowed:
                errors[field.name] = N_("Select one of the choices.")
        values[field.name] = text
    return values, errors


def build_page_router(pages: Sequence[ListPage]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for page in pages:
        _add_routes(router, page)
    return router


async def _refusal(request: Request, page: ListPage) -> Response | None:
    """None when the viewer may see ``page``; else the login redirect or a 403."""
    if page.permission is None:
        return None
    hook = request.app.state.plugin_manager.hook
    principal = await run_in_threadpool(hook.authenticate_request, request=request)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = f"/login?next={quote(target, safe='')}"
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": login})
        return RedirectResponse(login, status_code=303)
    if not principal.has(page.permission):
        raise HTTPException(status_code=403)
    return None


CSRF_FIELD = "csrf_token"


def _csrf_token(request: Request) -> str:
    """The token the form must post back ("" when no plugin asks for one)."""
    token = request.app.state.plugin_manager.hook.csrf_token(request=request)
    return token if isinstance(token, str) else ""


def _csrf_ok(request: Request, token: str | None) -> bool:
    verdict = request.app.state.plugin_manager.hook.verify_csrf(request=request, token=token)
    return verdict is None or bool(verdict)


def _add_routes(router: APIRouter, page: ListPage) -> None:
    base = page.path.rstrip("/") or "/"
    list_template = str(page.extra.get("list_template", "pages/list.html"))
    table_template = str(page.extra.get("table_template", "pages/_table.html"))
    detail_template = str(page.extra.get("detail_template", "pages/detail.html"))
    form_template = str(page.extra.get("form_template", "pages/form.html"))

    async def list_view(request: Request) -> Response:
        if (refusal := await _refusal(request, page)) is not None:
            return refusal
        context = await run_in_threadpool(list_context, page, request)
        context["table_template"] = table_template
        template = table_template if is_htmx(request) else list_template
        return _renderer(request).render(request, template, context)

    router.add_api_route(base, list_view, methods=["GET"], name=f"page_list:{base}")

    form = page.form
    if form is not None:

        def form_response(
            request: Request,
            values: Mapping[str, Any],
            errors: Mapping[str, str],
            status_code: int,
            csrf: str,
        ) -> Response:
            return _renderer(request).render(
                request,
                form_template,
                {
                    "page": page,
                    "form": form,
                    "values": values,
                    "errors": errors,
                    "csrf_token": csrf,
                },
                status_code=status_code,
            )

        async def new_form(request: Request) -> Response:
            if (refusal := await _refusal(request, page)) is not None:
                return refusal
            csrf = await run_in_threadpool(_csrf_token, request)
            return form_response(request, {}, {}, 200, csrf)

        async def submit_form(request: Request) -> Response:
            if (refusal := await _refusal(request, page)) is not None:
                return refusal
            submitted = await request.form()
            raw = {k: v for k, v in submitted.items() if isinstance(v, str)}
            token = raw.pop(CSRF_FIELD, None)
            if not await run_in_threadpool(_csrf_ok, request, token):
                raise HTTPException(status_code=403, detail="missing or invalid CSRF token")
            csrf = await run_in_threadpool(_csrf_token, request)
            values, errors = _coerce(form, raw)
            if errors:
                return form_response(request, raw, errors, 422, csrf)

            def save() -> Any:
                with _database(request).session_scope() as session:
                    return form.submit(session, values)

            try:
                key = await run_in_threadpool(save)
            except FormError as exc:
                return form_response(request, raw, exc.errors, 422, csrf)
            target = detail_url(page, key) if page.detail is not None and key is not None else base
            if is_htmx(request):
                return Response(status_code=204, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)

        router.add_api_route(f"{base}/new", new_form, methods=["GET"], name=f"page_new:{base}")
        router.add_api_route(
            f"{base}/new", submit_form, methods=["POST"], name=f"page_create:{base}"
        )

    detail = page.detail
    if detail is not None:

        async def detail_view(request: Request, key: str) -> Response:
            if (refusal := await _refusal(request, page)) is not None:
                return refusal

            def load() -> Any:
                with _database(request).session_scope() as session:
                    return detail(session, key)

            row = await run_in_threadpool(load)
            if row is None:
                raise HTTPException(status_code=404)
            return _renderer(request).render(
                request,
                detail_template,
                {"page": page, "row": row, "key": key, "fields": _detail_fields(page, row)},
            )

        router.add_api_route(
            base + "/{key}", detail_view, methods=["GET"], name=f"page_detail:{base}"
        )
