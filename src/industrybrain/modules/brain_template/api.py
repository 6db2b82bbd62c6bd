"""JSON API of brain templates (mounted under ``/api``): public, read-only industry knowledge."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from industrybrain.templates import BrainTemplate, TemplateError, list_templates, load_template

router = APIRouter(prefix="/templates", tags=["templates"])


def _template_or_404(template_id: str) -> BrainTemplate:
    known = {summary.id: summary for summary in list_templates()}
    if template_id not in known:
        raise HTTPException(status_code=404, detail=f"no template {template_id!r}")
    try:
        return load_template(known[template_id].path)
    except TemplateError as exc:
        raise HTTPException(
            status_code=422,
            detail=[
                {"file": i.file, "line": i.line, "path": i.path, "reason": i.reason}
                for i in exc.issues
            ],
        ) from exc


@router.get("")
def templates() -> list[dict[str, Any]]:
    """Every registered template (id, names, version, region)."""
    return [
        {
            "id": summary.id,
            "name_zh": summary.name_zh,
            "name_en": summary.name_en,
            "version": summary.version,
            "region_code": summary.region_code,
        }
        for summary in list_templates()
    ]


@router.get("/{template_id}")
def template(template_id: str) -> dict[str, Any]:
    """The whole validated template: chain, categories (with levels), rules, indices, demo."""
    return _template_or_404(template_id).model_dump(mode="json", exclude={"path"})


@router.get("/{template_id}/categories/{code}/attributes")
def category_attributes(template_id: str, code: str) -> list[dict[str, Any]]:
    """Attributes of a category including inherited ones (root first), each with its source."""
    template = _template_or_404(template_id)
    try:
        category = template.category(code)
    except KeyError as exc:
        raise HTTPException(status_code=404, detail=f"no category {code!r}") from exc
    rows = []
    for owner in [*template.ancestors(code), category]:
        for attribute in owner.attributes:
            rows.append({**attribute.model_dump(mode="json"), "category": owner.code})
    return rows
