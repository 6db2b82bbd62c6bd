"""Generate the demo cluster into a folder: source files, catalogues and the ground truth."""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from industrybrain.kit.demo import DemoContext
from industrybrain.modules.demo import sources
from industrybrain.modules.demo.generate import (
    CATALOGUE_SHARE,
    DEFAULT_MONTHS,
    FAULT_RATES,
    START_MONTH,
    Cluster,
    generate_cluster,
)
from industrybrain.templates import load_template

Progress = Callable[[str], None]

SIZE_ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


def _month(label: tuple[int, int]) -> str:
    return f"{label[0]}-{label[1]:02d}"


def _noop(_: str) -> None:
    return None


def _write_truth(
    cluster: Cluster, out: Path, results: list[Any], catalog: Any, product_truth: Any
) -> None:
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    labels = cluster.labels
    rows = []
    for e in cluster.enterprises:
        closed = "" if e.closed_month is None else _month(labels[e.closed_month])
        rows.append(
            (
                e.enterprise_id,
                e.uscc,
                e.name,
                e.former_name or "",
                e.short_name,
                e.legal_rep,
                f"{e.registered_capital:g}",
                e.founded.isoformat(),
                e.size,
                "1" if e.above_scale else "0",
                e.industry_class,
                e.node,
                ";".join(e.secondary_nodes),
                e.stage,
                e.town,
                e.address,
                e.phone,
                e.employees,
                f"{e.annual_revenue:.1f}",
                "1" if e.exporter else "0",
                "closed" if e.closed_month is not None else "active",
                closed,
                e.electricity_account,
                e.social_insurance_unit,
                e.customs_code,
                e.company_type,
                e.business_scope,
            )
        )
    sources.write_csv(
        truth / "enterprises.csv",
        (
            "enterprise_id",
            "uscc",
            "name",
            "former_name",
            "short_name",
            "legal_rep",
            "registered_capital_wan",
            "founded",
            "size",
            "above_scale",
            "industry_class",
            "node",
            "secondary_nodes",
            "stage",
            "town",
            "address",
            "phone",
            "employees",
            "annual_revenue_wan",
            "exporter",
            "status",
            "closed_month",
            "electricity_account",
            "social_insurance_unit",
            "customs_code",
            "company_type",
            "business_scope",
        ),
        rows,
        "utf-8",
    )
    links = [link for result in results for link in result.links] + catalog.links
    sources.write_csv(
        truth / "record_links.csv", ("source", "record_id", "enterprise_id"), links, "utf-8"
    )
    faults = [fault for result in results for fault in result.faults]
    sources.write_csv(
        truth / "source_faults.csv",
        ("source", "record_id", "field", "kind", "clean_value", "planted_value"),
        faults,
        "utf-8",
    )
    sources.write_csv(
        truth / "product_categories.csv",
        ("record_id", "product_id", "enterprise_id", "category_code", "gtin"),
        product_truth,
        "utf-8",
    )
    sources.write_csv(
        truth / "catalog_faults.csv",
        (
            "workbook",
            "sheet",
            "row",
            "cell",
            "product_id",
            "attribute",
            "kind",
            "is_error",
            "clean_value",
            "planted_value",
        ),
        catalog.faults,
        "utf-8",
    )
    declines = []
    for e in cluster.enterprises:
        if e.decline_start is not None:
            declines.append(
                (
                    e.enterprise_id,
                    "decline",
                    _month(labels[e.decline_start]),
                    f"{e.decline_rate:.4f}",
                )
            )
        if e.closed_month is not None:
            declines.append((e.enterprise_id, "closure", _month(labels[e.closed_month]), ""))
    sources.write_csv(
        truth / "declines.csv",
        ("enterprise_id", "kind", "start_month", "monthly_rate"),
        declines,
        "utf-8",
    )
    ids = [e.enterprise_id for e in cluster.enterprises]
    sources.write_csv(
        truth / "supply_relations.csv",
        ("supplier_id", "buyer_id", "supplier_node", "buyer_node", "annual_amount_wan"),
        [(ids[s], ids[b], sn, bn, f"{amount:.1f}") for s, b, sn, bn, amount in cluster.relations],
        "utf-8",
    )
    chain_rows = [(e.enterprise_id, e.node, "main") for e in cluster.enterprises]
    chain_rows += [
        (e.enterprise_id, node, "secondary")
        for e in cluster.enterprises
        for node in e.secondary_nodes
    ]
    chain_rows.sort()
    sources.write_csv(
        truth / "enterprise_nodes.csv", ("enterprise_id", "node", "role"), chain_rows, "utf-8"
    )
    price_rows = [
        (code, _month(labels[t]), f"{price:.2f}")
        for code, prices in sorted(cluster.material_prices.items())
        for t, price in enumerate(prices)
    ]
    sources.write_csv(
        truth / "material_prices.csv", ("material", "month", "price"), price_rows, "utf-8"
    )


def generate_demo(
    out: Path,
    *,
    template_id: str = "pumps-valves",
    enterprises: int = 3000,
    seed: int = 7,
    months: int = DEFAULT_MONTHS,
    progress: Progress = _noop,
) -> dict[str, Any]:
    """Write the demo cluster into ``out`` (replacing what is there) and return the manifest."""
    # Millions of small tuples and no reference cycles: the cyclic collector would only rescan
    # them again and again (it took a third of the run time), so it pauses while we generate.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(out, template_id, enterprises, seed, months, progress)
    finally:
        if was_enabled:
            gc.enable()


def _generate(
    out: Path, template_id: str, enterprises: int, seed: int, months: int, progress: Progress
) -> dict[str, Any]:
    template = load_template(template_id)
    progress("world")
    cluster = generate_cluster(template, enterprises, seed, months)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    results = []
    for name, writer in (
        ("registry", sources.write_registry),
        ("tax", sources.write_tax),
        ("electricity", sources.write_electricity),
        ("social insurance", sources.write_social_insurance),
        ("patents", sources.write_patents),
        ("customs", sources.write_customs),
        ("supply relations", sources.write_supply_relations),
        ("purchase demand", sources.write_purchase_demand),
    ):
        progress(name)
        results.append(writer(cluster, out))
    progress("products")
    product_result, product_truth = sources.write_products(cluster, out)
    results.append(product_result)
    progress("catalogues")
    catalog = sources.write_catalogs(cluster, out)
    progress("truth")
    _write_truth(cluster, out, results, catalog, product_truth)
    manifest: dict[str, Any] = {
        "generator": "industrybrain.modules.demo",
        "template": {"id": template.id, "version": template.version},
        "seed": seed,
        "enterprises": enterprises,
        "months": months,
        "start_month": _month(START_MONTH),
        "catalogue_share": CATALOGUE_SHARE,
        "fault_rates": FAULT_RATES,
        "encodings": {
            name: {"encoding": enc, "delimiter": delim}
            for name, (enc, delim) in sources.SOURCE_FILES.items()
        },
        "sources": {
            result.source: {"rows": result.rows, "planted": dict(sorted(result.counts.items()))}
            for result in results
        },
        "catalogs": {
            "workbooks": catalog.workbooks,
            "rows": catalog.rows,
            "faulty_rows": catalog.faulty_rows,
            "faults": len(catalog.faults),
            "layouts": dict(sorted(catalog.layouts.items())),
        },
        "source_records": sum(result.rows for result in results) + catalog.rows,
        "products": len(cluster.products),
        "supply_relations": len(cluster.relations),
    }
    files = sorted(p for p in out.rglob("*") if p.is_file())
    manifest["files"] = {str(p.relative_to(out)): sources.sha256_of(p) for p in files}
    (out / "truth" / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def demo_data_dir(data_dir: Path) -> Path:
    return data_dir / "demo"


def run_demo_step(ctx: DemoContext) -> None:
    """Demo build step: generate the demo sources into ``<data dir>/demo`` unless already there
    for the same template, seed and size (a finished run writes ``truth/manifest.json`` last)."""
    out = demo_data_dir(ctx.data_dir)
    manifest_path = out / "truth" / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if (
            manifest.get("seed") == ctx.seed
            and manifest.get("enterprises") == ctx.enterprises
            and manifest.get("template", {}).get("id") == ctx.template
        ):
            ctx.extra["demo_dir"] = out
            ctx.report(f"demo sources already in {out}")
            return
    manifest = generate_demo(
        out,
        template_id=ctx.template,
        enterprises=ctx.enterprises,
        seed=ctx.seed,
        progress=lambda step: ctx.progress(f"demo sources: {step}"),
    )
    ctx.extra["demo_dir"] = out
    ctx.report(f"demo sources: {manifest['source_records']:,} records in {out}")
