"""HTML pages: ``/templates`` (every registered template) and ``/templates/{id}`` (browse one:
the chain by stage with a graph, the CPMS categories with own and inherited attributes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from industrybrain.kit.webctx import render
from industrybrain.modules.brain_template import service
from industrybrain.templates import STAGES, TemplateError, list_templates, load_template

router = APIRouter(tags=["templates"], include_in_schema=False)


@router.get("/templates")
def templates_page(request: Request) -> Response:
    rows: list[dict[str, Any]] = []
    for summary in list_templates():
        try:
            template = load_template(summary.path)
        except TemplateError as exc:
            rows.append({"summary": summary, "template": None, "problems": len(exc.issues)})
            continue
        rows.append({"summary": summary, "template": template, "problems": 0})
    return render(request, "brain_template/list.html", rows=rows)


@router.get("/templates/{template_id}")
def template_page(request: Request, template_id: str) -> Response:
    known = {summary.id: summary for summary in list_templates()}
    if template_id not in known:
        raise HTTPException(status_code=404)
    try:
        template = load_template(known[template_id].path)
    except TemplateError as exc:
        return render(
            request,
            "brain_template/invalid.html",
            error=exc,
            template_id=template_id,
            status_code=422,
        )
    locale = getattr(request.state, "locale", "zh_CN")
    categories = []
    for category in template.categories:
        inherited = [
            {"attribute": attribute, "source": ancestor.code}
            for ancestor in template.ancestors(category.code)
            for attribute in ancestor.attributes
        ]
        categories.append({"category": category, "inherited": inherited})
    incoming: dict[str, list[tuple[str, float]]] = {}
    for edge in template.chain.edges:
        incoming.setdefault(edge.buyer, []).append((edge.supplier, edge.cost_share))
    return render(
        request,
        "brain_template/detail.html",
        template=template,
        stages=STAGES,
        by_stage=template.chain.by_stage(),
        incoming=incoming,
        categories=categories,
        graph=service.chain_graph_options(template, locale),
    )
