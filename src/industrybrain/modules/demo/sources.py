"""What each data source holds about the demo cluster, in that source's own format, with faults.

One function per source. Each draws its faults from its own substream (see
:func:`industrybrain.modules.demo.generate.substream`), writes its file and returns the record
links (record id → enterprise id) and the planted faults for the ground truth. Rows are written
in a fixed order and xlsx files with fixed metadata and zip timestamps, so that the same seed
gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from industrybrain.modules.demo.generate import (
    CATALOGUE_SHARE,
    COUNTRIES,
    FAULT_RATES,
    Cluster,
    Enterprise,
    county_names,
    mistype_code,
    name_variant,
    substream,
    to_full_width,
)

FIXED_TIMESTAMP = dt.datetime(2026, 1, 1, 0, 0, 0)
EXCEL_EPOCH = dt.date(1899, 12, 30)

# File name → (encoding as Python names it, delimiter); documented in docs/demo-data.md.
SOURCE_FILES: dict[str, tuple[str, str]] = {
    "registry_scjg.csv": ("utf-8-sig", ","),
    "tax_monthly.csv": ("gbk", ","),
    "electricity_monthly.csv": ("gb18030", ","),
    "social_insurance.jsonl": ("utf-8", ""),
    "patents.csv": ("utf-8", ","),
    "customs_exports.csv": ("utf-16", "\t"),
    "products.csv": ("utf-8", ","),
    "supply_relations.csv": ("utf-8", ","),
    "purchase_demand.csv": ("utf-8-sig", ","),
}
# A planted unit mismatch uses a unit of another dimension, so that no unit conversion can
# turn it into a valid value (``15 mm`` for a head in m could be converted; ``15 kg`` cannot).
UNIT_DIMENSION = {
    "m": "length",
    "mm": "length",
    "cm": "length",
    "kW": "power",
    "W": "power",
    "m3/h": "flow",
    "L/min": "flow",
    "L/s": "flow",
    "MPa": "pressure",
    "kPa": "pressure",
    "bar": "pressure",
}
UNIT_DISPLAY = {"m3/h": "m³/h", "r/min": "r/min", "MPa": "MPa", "kW": "kW", "mm": "mm"}


@dataclass
class SourceResult:
    source: str
    rows: int = 0
    links: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # source, record_id, enterprise_id
    faults: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    # source, record_id, field, kind, clean value, planted value
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, amount: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + amount


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    encoding: str,
    delimiter: str = ",",
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    # utf-16 is Excel's "Unicode text": little-endian with a byte order mark, on any machine.
    bom = b"\xff\xfe" if encoding == "utf-16" else b""
    path.write_bytes(bom + text.encode("utf-16-le" if encoding == "utf-16" else encoding))


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry the same timestamp (openpyxl stamps them with 'now')."""

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: bytes | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(  # type: ignore[override]
        self,
        filename: str | Path,
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # openpyxl writes worksheets through temporary files, which would carry their mtime.
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save with fixed document properties and zip timestamps (byte-identical for equal input)."""
    workbook.properties.creator = "industrybrain demo"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    with _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()


def _source_names(cluster: Cluster, source: str, result: SourceResult) -> list[str]:
    """How this source spells each enterprise (a variant for a documented share of them)."""
    rng = substream(cluster.seed, f"names:{source}")
    rate = FAULT_RATES[source].get("name_variant_per_enterprise", 0.0)
    province, city, county = county_names(cluster.template)
    prefixes = (county, province.rstrip("省"), city.rstrip("市"))
    names = []
    for e in cluster.enterprises:
        name = e.name
        if rng.random() < rate:
            variant = name_variant(e, rng, prefixes)
            if variant != name:
                result.faults.append(
                    (source, "*", "name", "name_variant", e.enterprise_id, variant)
                )
                result.count("name_variant_enterprises")
                name = variant
        names.append(name)
    return names


def _codes_with_faults(
    cluster: Cluster,
    source: str,
    enterprise_index: np.ndarray,
    record_ids: list[str],
    result: SourceResult,
) -> list[str]:
    """Per-row credit codes with mistyped, missing and full-width codes planted."""
    rates = FAULT_RATES[source]
    rng = substream(cluster.seed, f"codes:{source}")
    codes_by_enterprise = np.array([e.uscc for e in cluster.enterprises], dtype=object)
    codes: list[str] = list(codes_by_enterprise[enterprise_index])
    draw = rng.random(len(codes))
    mistyped = rates.get("code_mistyped_per_row", 0.0)
    missing = mistyped + rates.get("code_missing_per_row", 0.0)
    full_width = missing + rates.get("code_full_width_per_row", 0.0)
    for row in np.flatnonzero(draw < full_width):
        clean = codes[row]
        if draw[row] < mistyped:
            planted, kind = mistype_code(clean, rng), "code_mistyped"
        elif draw[row] < missing:
            planted, kind = "", "code_missing"
        else:
            planted, kind = to_full_width(clean), "code_full_width"
        codes[row] = planted
        result.faults.append((source, record_ids[row], "uscc", kind, clean, planted))
        result.count(kind)
    return codes


def _enterprise_ids(cluster: Cluster, index: np.ndarray) -> list[str]:
    ids = np.array([e.enterprise_id for e in cluster.enterprises], dtype=object)
    return list(ids[index])


def _finish(result: SourceResult, record_ids: list[str], enterprise_ids: list[str]) -> None:
    result.rows = len(record_ids)
    result.links.extend(
        (result.source, rid, eid) for rid, eid in zip(record_ids, enterprise_ids, strict=True)
    )


# --- registry (市场监管) ------------------------------------------------------------------------


def write_registry(cluster: Cluster, out: Path) -> SourceResult:
    result = SourceResult("registry_scjg")
    rng = substream(cluster.seed, "source:registry_scjg")
    rates = FAULT_RATES["registry_scjg"]
    labels = cluster.labels
    rows = []
    record_ids = []
    for e in cluster.enterprises:
        record_id = f"SCJG{e.index + 1:08d}"
        capital: str = f"{e.registered_capital:g}"
        if rng.random() < rates["capital_as_text_per_row"]:
            capital = f"{e.registered_capital:g}万元人民币"
            result.count("capital_as_text")
        phone = e.phone
        if rng.random() < rates["full_width_phone_per_row"]:
            phone = to_full_width(phone)
            result.count("full_width_phone")
        status, cancelled = "存续", ""
        if e.closed_month is not None:
            year, month = labels[e.closed_month]
            status, cancelled = "注销", dt.date(year, month, 15).isoformat()
        rows.append(
            (
                record_id,
                e.uscc,
                e.name,
                e.former_name or "",
                e.legal_rep,
                e.company_type,
                capital,
                e.founded.isoformat(),
                status,
                cancelled,
                e.industry_class,
                e.address,
                e.business_scope,
                phone,
                f"{county_names(cluster.template)[2]}市场监督管理局",
            )
        )
        record_ids.append(record_id)
    header = (
        "record_id",
        "统一社会信用代码",
        "企业名称",
        "曾用名",
        "法定代表人",
        "企业类型",
        "注册资本(万元)",
        "成立日期",
        "登记状态",
        "注销日期",
        "国民经济行业代码",
        "住所",
        "经营范围",
        "联系电话",
        "登记机关",
    )
    write_csv(out / "registry_scjg.csv", header, rows, "utf-8-sig")
    _finish(result, record_ids, [e.enterprise_id for e in cluster.enterprises])
    return result


# --- the monthly sources --------------------------------------------------------------------


def _monthly_index(cluster: Cluster) -> tuple[np.ndarray, np.ndarray]:
    enterprise_index, month_index = np.nonzero(cluster.active)
    return enterprise_index, month_index


def write_tax(cluster: Cluster, out: Path) -> SourceResult:
    result = SourceResult("tax_monthly")
    county = county_names(cluster.template)[2]
    names = np.array(_source_names(cluster, "tax_monthly", result), dtype=object)
    ei, ti = _monthly_index(cluster)
    record_ids = [f"TAX{i + 1:09d}" for i in range(len(ei))]
    codes = _codes_with_faults(cluster, "tax_monthly", ei, record_ids, result)
    periods = np.array([f"{y}年{m:02d}月" for y, m in cluster.labels], dtype=object)[ti]
    amounts = [f"{v:.2f}" for v in cluster.revenue[ei, ti] / 1.0]
    offices = np.array(
        [f"国家税务总局{county}税务局{e.town[:2]}税务所" for e in cluster.enterprises], dtype=object
    )[ei]
    rows = zip(record_ids, codes, names[ei], periods, amounts, offices, strict=True)
    header = (
        "record_id",
        "纳税人识别号",
        "纳税人名称",
        "所属期",
        "开票销售额(万元)",
        "主管税务机关",
    )
    write_csv(out / "tax_monthly.csv", header, rows, "gbk")
    _finish(result, record_ids, _enterprise_ids(cluster, ei))
    return result


def write_electricity(cluster: Cluster, out: Path) -> SourceResult:
    source = "electricity_monthly"
    result = SourceResult(source)
    rates = FAULT_RATES[source]
    rng = substream(cluster.seed, f"source:{source}")
    names = np.array(_source_names(cluster, source, result), dtype=object)
    n = len(cluster.enterprises)
    old_address = rng.random(n) < rates["old_address_per_enterprise"]
    serial = rng.random(n) < rates["excel_serial_date_per_enterprise"]
    result.count("old_address_enterprises", int(old_address.sum()))
    result.count("excel_serial_date_enterprises", int(serial.sum()))
    addresses = np.array(
        [
            e.old_address if old else e.address
            for e, old in zip(cluster.enterprises, old_address, strict=True)
        ],
        dtype=object,
    )
    for e, old in zip(cluster.enterprises, old_address, strict=True):
        if old:
            result.faults.append(
                (source, "*", "address", "old_address", e.enterprise_id, e.old_address)
            )
    accounts = np.array([e.electricity_account for e in cluster.enterprises], dtype=object)
    ei, ti = _monthly_index(cluster)
    record_ids = [f"ELEC{i + 1:09d}" for i in range(len(ei))]
    codes = _codes_with_faults(cluster, source, ei, record_ids, result)
    read_dates = [dt.date(y, m, 25) for y, m in cluster.labels]
    as_text = np.array([f"{d.year}/{d.month}/{d.day}" for d in read_dates], dtype=object)
    as_serial = np.array([str((d - EXCEL_EPOCH).days) for d in read_dates], dtype=object)
    dates = np.where(serial[ei], as_serial[ti], as_text[ti])
    kwh = cluster.kwh[ei, ti].astype(np.int64)
    fee = [f"{v:.2f}" for v in kwh * 0.68]
    rows = zip(
        record_ids,
        accounts[ei],
        names[ei],
        codes,
        addresses[ei],
        dates,
        kwh.tolist(),
        fee,
        strict=True,
    )
    header = (
        "record_id",
        "户号",
        "户名",
        "统一社会信用代码",
        "用电地址",
        "抄表日期",
        "电量(kWh)",
        "电费(元)",
    )
    write_csv(out / "electricity_monthly.csv", header, rows, "gb18030")
    _finish(result, record_ids, _enterprise_ids(cluster, ei))
    return result


def write_social_insurance(cluster: Cluster, out: Path) -> SourceResult:
    source = "social_insurance"
    result = SourceResult(source)
    names = np.array(_source_names(cluster, source, result), dtype=object)
    units = np.array([e.social_insurance_unit for e in cluster.enterprises], dtype=object)
    ei, ti = _monthly_index(cluster)
    record_ids = [f"RS{i + 1:09d}" for i in range(len(ei))]
    codes = _codes_with_faults(cluster, source, ei, record_ids, result)
    periods = np.array([f"{y}{m:02d}" for y, m in cluster.labels], dtype=object)[ti]
    heads = cluster.headcount[ei, ti].astype(np.int64).tolist()
    # JSON-encode each distinct string once; the rows are then plain string formatting.
    quoted_names = np.array([json.dumps(x, ensure_ascii=False) for x in names], dtype=object)
    quoted_units = np.array([json.dumps(x) for x in units], dtype=object)
    lines = [
        f'{{"record_id":"{r}","dwbh":{u},"dwmc":{nm},"tyshxydm":{json.dumps(c, ensure_ascii=False)},'
        f'"ssny":"{p}","cbrs":{h}}}'
        for r, u, nm, c, p, h in zip(
            record_ids, quoted_units[ei], quoted_names[ei], codes, periods, heads, strict=True
        )
    ]
    (out / "social_insurance.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    _finish(result, record_ids, _enterprise_ids(cluster, ei))
    return result


# --- patents, customs, relations, demand, products -------------------------------------------


def _patent_number(year: int, kind: int, serial: int) -> str:
    """CN application number (since 2003): 4-digit year, kind, 7-digit serial, '.', check."""
    body = f"{year}{kind}{serial:07d}"
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    return f"CN{body}.{'X' if check == 10 else check}"


def write_patents(cluster: Cluster, out: Path) -> SourceResult:
    source = "patents"
    result = SourceResult(source)
    rng = substream(cluster.seed, f"source:{source}")
    names = _source_names(cluster, source, result)
    categories = {p.enterprise_index: p for p in cluster.products}
    kinds = ((1, "发明"), (2, "实用新型"), (3, "外观设计"))
    adjectives = (
        "节能型",
        "高效",
        "防堵塞",
        "自吸式",
        "耐腐蚀",
        "低噪音",
        "智能控制的",
        "便于检修的",
    )
    rows: list[tuple[str, ...]] = []
    record_ids: list[str] = []
    owners: list[str] = []
    for e in cluster.enterprises:
        count = int(rng.poisson(3.0 if e.above_scale else 0.3))
        product = categories.get(e.index)
        subject = (
            cluster.template.category(product.category_code).name_zh
            if product
            else cluster.template.node(e.node).name_zh
        )
        for _ in range(count):
            kind, kind_name = kinds[int(rng.choice(3, p=[0.2, 0.65, 0.15]))]
            filed = dt.date(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, 6 * 365)))
            granted = filed + dt.timedelta(days=int(rng.integers(150, 900 if kind == 1 else 400)))
            record_id = f"PAT{len(rows) + 1:08d}"
            adjective = adjectives[int(rng.integers(0, len(adjectives)))]
            rows.append(
                (
                    record_id,
                    _patent_number(filed.year, kind, int(rng.integers(0, 10**7))),
                    f"一种{adjective}{subject}",
                    kind_name,
                    filed.isoformat(),
                    granted.isoformat() if granted < dt.date(2026, 1, 1) else "",
                    names[e.index],
                    "有效" if granted < dt.date(2026, 1, 1) else "实质审查",
                )
            )
            record_ids.append(record_id)
            owners.append(e.enterprise_id)
    header = (
        "record_id",
        "申请号",
        "专利名称",
        "专利类型",
        "申请日",
        "授权公告日",
        "申请人",
        "法律状态",
    )
    write_csv(out / "patents.csv", header, rows, "utf-8")
    _finish(result, record_ids, owners)
    return result


def write_customs(cluster: Cluster, out: Path) -> SourceResult:
    source = "customs_exports"
    result = SourceResult(source)
    rng = substream(cluster.seed, f"source:{source}")
    names = _source_names(cluster, source, result)
    product_of: dict[int, list[Any]] = {}
    for p in cluster.products:
        product_of.setdefault(p.enterprise_index, []).append(p)
    staged: list[tuple[Any, ...]] = []
    for e in cluster.enterprises:
        products = product_of.get(e.index)
        if not e.exporter or not products:
            continue
        share = rng.uniform(0.1, 0.6)
        for t, (year, month) in enumerate(cluster.labels):
            if not cluster.active[e.index, t] or rng.random() > 0.7:
                continue
            p = products[int(rng.integers(0, len(products)))]
            usd = cluster.revenue[e.index, t] * share * 10000 / 7.1
            quantity = max(1, int(usd / rng.uniform(80, 1500)))
            hs = (p.hs_code.replace(".", "") + "0000")[:8] if p.hs_code else "84137099"
            country = COUNTRIES[int(rng.integers(0, len(COUNTRIES)))]
            staged.append(
                (
                    e,
                    f"{year}-{month:02d}",
                    hs,
                    cluster.template.category(p.category_code).name_zh,
                    country,
                    quantity,
                    f"{usd:.0f}",
                )
            )
    record_ids = [f"HG{i + 1:08d}" for i in range(len(staged))]
    index = np.array([row[0].index for row in staged], dtype=np.int64)
    codes = _codes_with_faults(cluster, source, index, record_ids, result)
    rows = [
        (rid, e.customs_code, code, names[e.index], month, hs, goods, country, qty, "台", usd)
        for rid, code, (e, month, hs, goods, country, qty, usd) in zip(
            record_ids, codes, staged, strict=True
        )
    ]
    header = (
        "record_id",
        "海关编码",
        "社会信用代码",
        "经营单位名称",
        "年月",
        "商品编码",
        "商品名称",
        "贸易国(地区)",
        "数量",
        "计量单位",
        "美元金额",
    )
    write_csv(out / "customs_exports.csv", header, rows, "utf-16", "\t")
    _finish(result, record_ids, [row[0].enterprise_id for row in staged])
    return result


def _format_value(value: Any, unit: str | None) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text}{unit}" if unit else text


def write_products(
    cluster: Cluster, out: Path
) -> tuple[SourceResult, list[tuple[str, str, str, str, str]]]:
    source = "products"
    result = SourceResult(source)
    names = _source_names(cluster, source, result)
    template = cluster.template
    record_ids = [f"PRD{i + 1:08d}" for i in range(len(cluster.products))]
    index = np.array([p.enterprise_index for p in cluster.products], dtype=np.int64)
    codes = _codes_with_faults(cluster, source, index, record_ids, result)
    units: dict[str, dict[str, str | None]] = {}
    rows: list[tuple[str, ...]] = []
    truth: list[tuple[str, str, str, str, str]] = []
    for rid, code, p in zip(record_ids, codes, cluster.products, strict=True):
        if p.category_code not in units:
            units[p.category_code] = {
                a.code: a.unit for a in template.attributes_of(p.category_code)
            }
        unit_of = units[p.category_code]
        params = ";".join(
            f"{k}={_format_value(v, unit_of.get(k))}" for k, v in p.attributes.items()
        )
        e = cluster.enterprises[p.enterprise_index]
        rows.append((rid, p.gtin, p.name, p.model, names[e.index], code, p.hs_code, params))
        truth.append((rid, p.product_id, e.enterprise_id, p.category_code, p.gtin))
    header = (
        "record_id",
        "商品条码",
        "产品名称",
        "规格型号",
        "生产企业",
        "统一社会信用代码",
        "HS编码",
        "参数",
    )
    write_csv(out / "products.csv", header, rows, "utf-8")
    _finish(
        result,
        record_ids,
        [cluster.enterprises[p.enterprise_index].enterprise_id for p in cluster.products],
    )
    return result, truth


def write_supply_relations(cluster: Cluster, out: Path) -> SourceResult:
    source = "supply_relations"
    result = SourceResult(source)
    rng = substream(cluster.seed, f"source:{source}")
    names = _source_names(cluster, source, result)
    rate = FAULT_RATES[source]["code_missing_per_field"]  # seller and buyer code each
    years = sorted({y for y, _ in cluster.labels})
    rows: list[tuple[Any, ...]] = []
    record_ids: list[str] = []
    for supplier, buyer, _, _, amount in cluster.relations:
        s, b = cluster.enterprises[supplier], cluster.enterprises[buyer]
        for year in years:
            record_id = f"GX{len(rows) + 1:08d}"
            seller_code, buyer_code = s.uscc, b.uscc
            if rng.random() < rate:
                seller_code = ""
                result.faults.append((source, record_id, "seller_uscc", "code_missing", s.uscc, ""))
                result.count("code_missing")
            if rng.random() < rate:
                buyer_code = ""
                result.faults.append((source, record_id, "buyer_uscc", "code_missing", b.uscc, ""))
                result.count("code_missing")
            value = amount * float(rng.lognormal(0, 0.15))
            rows.append(
                (
                    record_id,
                    names[supplier],
                    seller_code,
                    names[buyer],
                    buyer_code,
                    year,
                    f"{value:.2f}",
                )
            )
            record_ids.append(record_id)
            result.links.append(("supply_relations.seller", record_id, s.enterprise_id))
            result.links.append(("supply_relations.buyer", record_id, b.enterprise_id))
    result.rows = len(rows)
    header = ("record_id", "销方名称", "销方税号", "购方名称", "购方税号", "年度", "开票金额(万元)")
    write_csv(out / "supply_relations.csv", header, rows, "utf-8")
    return result


def write_purchase_demand(cluster: Cluster, out: Path) -> SourceResult:
    source = "purchase_demand"
    result = SourceResult(source)
    rng = substream(cluster.seed, f"source:{source}")
    names = _source_names(cluster, source, result)
    materials = cluster.template.demo.raw_materials
    producers = sorted({p.enterprise_index for p in cluster.products})
    staged: list[tuple[Enterprise, str, Any, float, float]] = []
    for index in producers:
        e = cluster.enterprises[index]
        if not materials or rng.random() > 0.5:
            continue
        k = min(len(materials), int(rng.integers(1, 4)))
        chosen = [materials[int(i)] for i in sorted(rng.choice(len(materials), k, replace=False))]
        for t in range(0, len(cluster.labels), 3):
            if not cluster.active[index, t]:
                continue
            year, month = cluster.labels[t]
            quarter_sales = float(cluster.revenue[index, t : t + 3].sum()) * 10000
            for material in chosen:
                budget = quarter_sales * rng.uniform(0.05, 0.2)
                price = float(cluster.material_prices[material.code][t])
                staged.append((e, f"{year}-{month:02d}", material, round(budget / price, 1), price))
    record_ids = [f"CG{i + 1:08d}" for i in range(len(staged))]
    staged_index = np.array([row[0].index for row in staged], dtype=np.int64)
    codes = _codes_with_faults(cluster, source, staged_index, record_ids, result)
    rows = [
        (rid, names[e.index], code, month, m.code, m.name_zh, qty, m.unit, f"{price:.2f}")
        for rid, code, (e, month, m, qty, price) in zip(record_ids, codes, staged, strict=True)
    ]
    header = (
        "record_id",
        "企业名称",
        "统一社会信用代码",
        "需求月份",
        "原材料编码",
        "原材料名称",
        "需求数量",
        "单位",
        "参考单价(元)",
    )
    write_csv(out / "purchase_demand.csv", header, rows, "utf-8-sig")
    _finish(result, record_ids, [row[0].enterprise_id for row in staged])
    return result


# --- Excel product catalogues ----------------------------------------------------------------

CATALOG_LAYOUTS = ("grouped_header", "units_in_values", "title_and_unit_row")


@dataclass
class CatalogResult:
    workbooks: int = 0
    rows: int = 0
    faulty_rows: int = 0
    faults: list[tuple[str, ...]] = field(default_factory=list)
    layouts: dict[str, int] = field(default_factory=dict)
    links: list[tuple[str, str, str]] = field(default_factory=list)


def _plant_catalog_fault(
    attribute: Any,
    value: Any,
    unit: str | None,
    layout: str,
    rng: np.random.Generator,
    other_units: list[str],
) -> tuple[str, Any, bool] | None:
    """(kind, planted cell value, is_error) for one attribute value, or None when nothing fits."""
    kinds: list[str] = []
    if attribute.required:
        kinds.append("missing_required")
    if attribute.datatype in ("decimal", "integer"):
        kinds.append("not_a_number")
        if attribute.max is not None or (attribute.min is not None and attribute.min >= 0):
            kinds.append("out_of_range")
        kinds.append("full_width_digits")
        if layout == "units_in_values" and unit and other_units:
            kinds.append("unit_mismatch")
    if attribute.datatype == "enum":
        kinds.append("bad_enum")
    if not kinds:
        return None
    kind = kinds[int(rng.integers(0, len(kinds)))]
    shown_unit = f" {UNIT_DISPLAY.get(unit, unit)}" if unit and layout == "units_in_values" else ""
    if kind == "missing_required":
        return kind, None, True
    if kind == "not_a_number":
        return kind, ("待定" if rng.random() < 0.5 else f"约{value:g}{shown_unit}"), True
    if kind == "out_of_range":
        if attribute.max is not None:
            bad = round(attribute.max * float(rng.uniform(1.5, 4.0)) + 1, 1)
        else:
            bad = -abs(float(value)) - 1
        return kind, (f"{bad:g}{shown_unit}" if shown_unit else bad), True
    if kind == "full_width_digits":
        return kind, to_full_width(f"{value:g}") + shown_unit, False
    if kind == "unit_mismatch":
        wrong = other_units[int(rng.integers(0, len(other_units)))]
        return kind, f"{value:g} {UNIT_DISPLAY.get(wrong, wrong)}", True
    return "bad_enum", f"{value}（其他）", True


def write_catalogs(cluster: Cluster, out: Path) -> CatalogResult:
    """Self-reported product catalogues of a share of the producing enterprises."""
    rng = substream(cluster.seed, "source:catalogs")
    rates = FAULT_RATES["catalogs"]
    template = cluster.template
    folder = out / "catalogs"
    folder.mkdir(parents=True, exist_ok=True)
    by_enterprise: dict[int, list[Any]] = {}
    for p in cluster.products:
        by_enterprise.setdefault(p.enterprise_index, []).append(p)
    producers = sorted(by_enterprise)
    count = max(min(5, len(producers)), round(len(producers) * CATALOGUE_SHARE))
    chosen = (
        sorted(int(i) for i in rng.choice(len(producers), count, replace=False))
        if producers
        else []
    )
    result = CatalogResult()
    for pick in chosen:
        e = cluster.enterprises[producers[pick]]
        items = by_enterprise[e.index]
        layout = CATALOG_LAYOUTS[int(rng.integers(0, len(CATALOG_LAYOUTS)))]
        result.layouts[layout] = result.layouts.get(layout, 0) + 1
        attributes: dict[str, Any] = {}
        for p in items:
            for a in template.attributes_of(p.category_code):
                attributes.setdefault(a.code, a)
        header_of = {}
        for code, a in attributes.items():
            options = [a.name_zh, *a.synonyms]
            header_of[code] = options[int(rng.integers(0, len(options)))]
        units = sorted({a.unit for a in attributes.values() if a.unit})
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "产品目录"
        fixed = ["序号", "产品名称", "规格型号", "产品类别"]
        codes = list(attributes)
        if layout == "grouped_header":
            sheet.cell(1, 1, "基本信息")
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(fixed))
            if codes:
                sheet.cell(1, len(fixed) + 1, "技术参数")
                sheet.merge_cells(
                    start_row=1,
                    start_column=len(fixed) + 1,
                    end_row=1,
                    end_column=len(fixed) + len(codes),
                )
            headers = fixed + [
                f"{header_of[c]}({UNIT_DISPLAY.get(attributes[c].unit, attributes[c].unit)})"
                if attributes[c].unit
                else header_of[c]
                for c in codes
            ]
            for column, text in enumerate(headers, 1):
                sheet.cell(2, column, text)
            first_row = 3
        elif layout == "units_in_values":
            for column, text in enumerate(fixed + [header_of[c] for c in codes], 1):
                sheet.cell(1, column, text)
            first_row = 2
        else:
            sheet.cell(1, 1, f"{e.name}产品目录（2025版）")
            sheet.merge_cells(
                start_row=1, start_column=1, end_row=1, end_column=len(fixed) + len(codes)
            )
            for column, text in enumerate(fixed + [header_of[c] for c in codes], 1):
                sheet.cell(2, column, text)
            sheet.cell(3, 1, "单位")
            for column, c in enumerate(codes, len(fixed) + 1):
                unit = attributes[c].unit
                sheet.cell(3, column, UNIT_DISPLAY.get(unit, unit) if unit else "")
            first_row = 4
        file_name = f"{e.enterprise_id}.xlsx"
        for offset, p in enumerate(items):
            row = first_row + offset
            category = template.category(p.category_code)
            sheet.cell(row, 1, offset + 1)
            sheet.cell(row, 2, p.name)
            sheet.cell(row, 3, p.model)
            sheet.cell(row, 4, category.name_zh)
            faulty = rng.random() < rates["faulty_row"]
            applicable = [c for c in codes if c in p.attributes]
            targets = set()
            if faulty and applicable:
                k = 1 if rng.random() < 0.7 or len(applicable) == 1 else 2
                targets = {
                    applicable[int(i)] for i in rng.choice(len(applicable), k, replace=False)
                }
            row_faulted = False
            for column, c in enumerate(codes, len(fixed) + 1):
                if c not in p.attributes:
                    continue
                a, value = attributes[c], p.attributes[c]
                unit = a.unit
                if layout == "units_in_values" and unit and not isinstance(value, bool):
                    cell_value: Any = (
                        f"{value:g} {UNIT_DISPLAY.get(unit, unit)}"
                        if isinstance(value, float | int)
                        else value
                    )
                elif isinstance(value, bool):
                    cell_value = "是" if value else "否"
                else:
                    cell_value = value
                if c in targets:
                    dimension = UNIT_DIMENSION.get(unit or "", unit)
                    others = [u for u in units if UNIT_DIMENSION.get(u, u) != dimension]
                    planted = _plant_catalog_fault(a, value, unit, layout, rng, others)
                    if planted is not None:
                        kind, cell_value, is_error = planted
                        row_faulted = True
                        result.faults.append(
                            (
                                file_name,
                                sheet.title,
                                str(row),
                                f"{get_column_letter(column)}{row}",
                                p.product_id,
                                c,
                                kind,
                                "true" if is_error else "false",
                                _format_value(value, None),
                                "" if cell_value is None else _format_value(cell_value, None),
                            )
                        )
                if cell_value is not None:
                    sheet.cell(row, column, cell_value)
            result.faulty_rows += int(row_faulted)
            result.rows += 1
            result.links.append(("catalogs", f"{file_name}#{row}", e.enterprise_id))
        if rng.random() < rates["hidden_sheet_per_workbook"]:
            hidden = workbook.create_sheet("填写说明")
            hidden.cell(1, 1, "请按模板填写，数值列不要带单位。")
            hidden.cell(2, 1, "本表由企业自行填报，仅供参考。")
            hidden.sheet_state = "hidden"
        save_workbook(workbook, folder / file_name)
        result.workbooks += 1
    return result


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
