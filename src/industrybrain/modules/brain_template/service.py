"""Logic of the brain_template module: components and page data built from loaded templates."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from industrybrain.templates import (
    STAGES,
    BrainTemplate,
    TemplateError,
    list_templates,
    load_template,
)

if TYPE_CHECKING:
    from industrybrain.kit.components import ComponentSpec

logger = logging.getLogger(__name__)

STAGE_X: dict[str, int] = {stage: index for index, stage in enumerate(STAGES)}


def valid_templates() -> list[BrainTemplate]:
    """Every registered template that validates; invalid ones are logged and left out."""
    result = []
    for summary in list_templates():
        try:
            result.append(load_template(summary.path))
        except TemplateError as exc:
            logger.warning("brain template %s is invalid: %s", summary.id, exc)
    return result


def template_components() -> list[ComponentSpec]:
    """One knowledge component (知识组件) per valid template, id ``template.<id>``."""
    from industrybrain.kit.components import ComponentSpec

    components = []
    for template in valid_templates():
        components.append(
            ComponentSpec(
                kind="knowledge",
                id=f"template.{template.id}",
                version=template.version,
                title_zh=f"{template.name_zh}模板",
                title_en=f"{template.name_en} template",
                description_zh=(
                    f"产业链图谱 {len(template.chain.nodes)} 个节点、{len(template.chain.edges)} 条"
                    f"供应关系；产品主数据标准 {len(template.categories)} 个类目；"
                    f"打标规则、指数定义与评价指标。"
                ),
                description_en=(
                    f"Industry chain map with {len(template.chain.nodes)} nodes and "
                    f"{len(template.chain.edges)} supply edges; CPMS standard with "
                    f"{len(template.categories)} categories; tagging rules, index definitions "
                    "and evaluation indicators."
                ),
                output_schema={
                    "chain_nodes": len(template.chain.nodes),
                    "categories": len(template.categories),
                    "region_code": template.region_code,
                },
            )
        )
    return components


def chain_graph_options(template: BrainTemplate, locale: str) -> dict[str, Any]:
    """ECharts options of the chain map: one column per stage, edges weighted by cost share."""
    zh = locale.startswith("zh")
    by_stage = template.chain.by_stage()
    stage_labels = {
        "upstream": "上游" if zh else "Upstream",
        "midstream": "中游" if zh else "Midstream",
        "downstream": "下游" if zh else "Downstream",
        "service": "服务" if zh else "Services",
    }
    nodes = []
    for stage, members in by_stage.items():
        for row, node in enumerate(members):
            nodes.append(
                {
                    "id": node.id,
                    "name": node.name_zh if zh else node.name_en,
                    "x": STAGE_X[stage] * 500,
                    "y": row * 40,
                    "category": STAGE_X[stage],
                    "symbolSize": 14 if node.parent else 22,
                }
            )
    links = [
        {
            "source": edge.supplier,
            "target": edge.buyer,
            "value": edge.cost_share,
            "lineStyle": {"width": 0.5 + 6 * edge.cost_share},
        }
        for edge in template.chain.edges
    ]
    return {
        "tooltip": {},
        "legend": [{"data": [stage_labels[stage] for stage in STAGES]}],
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "draggable": True,
                "label": {"show": True, "position": "right", "fontSize": 11},
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 6,
                "categories": [{"name": stage_labels[stage]} for stage in STAGES],
                "lineStyle": {"opacity": 0.35, "curveness": 0.15},
                "emphasis": {"focus": "adjacency"},
                "data": nodes,
                "links": links,
            }
        ],
    }
