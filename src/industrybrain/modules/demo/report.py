"""Figures of a generated demo cluster as Markdown (the source of ``docs/demo-data.md``)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from industrybrain.modules.demo.service import SIZE_ZH
from industrybrain.templates import load_template


def _read_csv(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "-"


def monthly_totals(out: Path) -> dict[str, float]:
    """Sum of invoiced sales (万元) per month over the tax source ("2024年03月" → "2024-03")."""
    totals: dict[str, float] = {}
    for row in _read_csv(out / "tax_monthly.csv", "gbk"):
        period = row["所属期"]
        month = f"{period[:4]}-{period[5:7]}"
        totals[month] = totals.get(month, 0.0) + float(row["开票销售额(万元)"])
    return dict(sorted(totals.items()))


def render_report(out: Path) -> str:
    manifest = json.loads((out / "truth" / "manifest.json").read_text(encoding="utf-8"))
    template = load_template(manifest["template"]["id"])
    enterprises = _read_csv(out / "truth" / "enterprises.csv")
    total = len(enterprises)
    lines = [
        f"Figures of `industrybrain demo generate --template {manifest['template']['id']} "
        f"--enterprises {manifest['enterprises']} --seed {manifest['seed']}` "
        f"({manifest['months']} months from {manifest['start_month']}), "
        "printed by `industrybrain demo report DIR`.",
        "",
        f"{manifest['source_records']:,} source records, {manifest['products']:,} products, "
        f"{manifest['supply_relations']:,} supply relations.",
        "",
        "### Size mix",
        "",
    ]
    sizes = Counter(e["size"] for e in enterprises)
    above = sum(e["above_scale"] == "1" for e in enterprises)
    rows = [[f"{SIZE_ZH[s]} {s}", sizes[s], _share(sizes[s], total)] for s in SIZE_ZH]
    rows.append(["above designated size (规上)", above, _share(above, total)])
    lines += _table(["size", "enterprises", "share"], rows)
    lines += ["### Town mix", ""]
    towns = Counter(e["town"] for e in enterprises)
    lines += _table(
        ["town", "enterprises", "share"],
        [[town, count, _share(count, total)] for town, count in towns.most_common()],
    )
    lines += ["### Chain-node mix", ""]
    stages = Counter(e["stage"] for e in enterprises)
    lines += _table(
        ["stage", "enterprises", "share"],
        [[stage, count, _share(count, total)] for stage, count in stages.most_common()],
    )
    nodes = Counter(e["node"] for e in enterprises)
    lines += _table(
        ["main node", "name", "enterprises", "share"],
        [
            [node, template.node(node).name_zh, count, _share(count, total)]
            for node, count in nodes.most_common(15)
        ],
    )
    closed = sum(e["status"] == "closed" for e in enterprises)
    declines = _read_csv(out / "truth" / "declines.csv")
    declining = sum(d["kind"] == "decline" for d in declines)
    lines += [
        f"Planted: {declining} declining enterprises ({_share(declining, total)}), "
        f"{closed} closures ({_share(closed, total)}).",
        "",
        "### Sources and fault rates",
        "",
        "Documented rate = the generator's parameter (`FAULT_RATES`); realised = planted count / "
        "rows (per-row faults), / code fields (per-field) or / enterprises (per-enterprise).",
        "",
    ]
    rows = []
    for source, info in sorted(manifest["sources"].items()):
        rates = manifest["fault_rates"].get(source, {})
        for parameter, rate in sorted(rates.items()):
            kind = parameter.rsplit("_per_", 1)[0]
            per_enterprise = parameter.endswith("_per_enterprise")
            planted = info["planted"].get(f"{kind}_enterprises" if per_enterprise else kind, 0)
            # per_field: both the seller's and the buyer's code of a supply relation row
            base = (
                total if per_enterprise else info["rows"] * (2 if "_per_field" in parameter else 1)
            )
            rows.append(
                [source, info["rows"], parameter, f"{100 * rate:.1f}%", _share(planted, base)]
            )
        if not rates:
            rows.append([source, info["rows"], "-", "-", "-"])
    lines += _table(["source", "rows", "fault", "documented", "realised"], rows)
    catalogs = manifest["catalogs"]
    faults = _read_csv(out / "truth" / "catalog_faults.csv")
    kinds = Counter(f["kind"] for f in faults)
    lines += [
        "### Product catalogues",
        "",
        f"{catalogs['workbooks']} workbooks, {catalogs['rows']} product rows, "
        f"{catalogs['faulty_rows']} rows with planted faults "
        f"({_share(catalogs['faulty_rows'], catalogs['rows'])}; documented "
        f"{100 * manifest['fault_rates']['catalogs']['faulty_row']:.0f}% of rows drawn, a drawn row "
        "whose attributes admit no fault stays clean); layouts: "
        + ", ".join(f"{k} {v}" for k, v in catalogs["layouts"].items())
        + ".",
        "",
    ]
    lines += _table(
        ["fault kind", "cells", "error"],
        [
            [kind, count, next(f["is_error"] for f in faults if f["kind"] == kind)]
            for kind, count in sorted(kinds.items())
        ],
    )
    totals = monthly_totals(out)
    lines += ["### Monthly invoiced sales, whole cluster (tax source, 万元)", ""]
    lines += _table(["month", "sales"], [[m, f"{v:,.0f}"] for m, v in totals.items()])
    return "\n".join(lines)
