"""The synthetic demo cluster: enterprises, their monthly activity and the sources that see them.

Pure logic, no files: :func:`generate_cluster` builds the world (the ground truth), and
:func:`build_sources` derives what each data source would hold about it, with that source's own
format and its realistic faults planted at the documented rates of :data:`FAULT_RATES`. The
writers in :mod:`industrybrain.modules.demo.sources` only encode and lay out.

Determinism: every part draws from its own substream ``PCG64(SeedSequence([seed, crc32(part)]))``,
so adding a part never shifts the numbers of another, and the same seed gives the same world.
The volume parts (monthly series, per-row faults) are numpy-vectorised.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from industrybrain.kit.ids import USCC_ALPHABET, gtin_check_digit, make_uscc
from industrybrain.reference import towns_of_county
from industrybrain.templates import BrainTemplate

START_MONTH = (2023, 1)  # fixed, never "today": the same seed gives the same files every day
DEFAULT_MONTHS = 36

# Spring Festival (春节) dates; factories of the county close for about three weeks around it.
SPRING_FESTIVAL = {
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
FESTIVAL_SHUTDOWN = (-7, 17)  # days before / after the festival day when output is down

# Planted faults per source. "per row" rates apply to each record independently; "per
# enterprise" rates decide once how a source spells an enterprise (its name variant, its old
# address) and hold for all of that enterprise's records in the source.
FAULT_RATES: dict[str, dict[str, float]] = {
    "registry_scjg": {
        "capital_as_text_per_row": 0.35,  # 注册资本 written "500万元人民币" instead of 500
        "full_width_phone_per_row": 0.03,
    },
    "tax_monthly": {
        "code_mistyped_per_row": 0.015,
        "code_missing_per_row": 0.005,
        "code_full_width_per_row": 0.02,
        "name_variant_per_enterprise": 0.10,
    },
    "electricity_monthly": {
        "code_missing_per_row": 0.55,  # the utility rarely keeps the credit code
        "code_mistyped_per_row": 0.02,
        "name_variant_per_enterprise": 0.30,
        "old_address_per_enterprise": 0.15,
        "excel_serial_date_per_enterprise": 0.35,  # accounts migrated from the old billing system
    },
    "social_insurance": {
        "code_mistyped_per_row": 0.01,
        "code_missing_per_row": 0.02,
        "code_full_width_per_row": 0.02,
        "name_variant_per_enterprise": 0.05,
    },
    "patents": {"name_variant_per_enterprise": 0.25},
    "customs_exports": {
        "code_mistyped_per_row": 0.01,
        "code_missing_per_row": 0.10,
        "name_variant_per_enterprise": 0.08,
    },
    "products": {"code_mistyped_per_row": 0.01, "name_variant_per_enterprise": 0.10},
    "supply_relations": {"code_missing_per_field": 0.05, "name_variant_per_enterprise": 0.10},
    "purchase_demand": {"code_mistyped_per_row": 0.01, "name_variant_per_enterprise": 0.10},
    "catalogs": {"faulty_row": 0.12, "hidden_sheet_per_workbook": 0.3},
}
CATALOGUE_SHARE = 0.10  # share of producing enterprises that hand in an Excel product catalogue

SURNAMES = "陈林王张李叶江赵郭蔡金黄徐周吴杨应潘梁罗谢许何朱胡孙马高郑冯曹彭董莫詹颜戴方阮鲍卢邱柯"
GIVEN_CHARS = "国建华明伟军平海德志永林杰峰斌勇强敏丽芳燕红霞英君荣新辉文春秋宏彬俊冬雪松"
BRAND_CHARS = (
    "宏达利欧新界大元凯泉东音尔顺鑫源丰盛华兴隆泰安永恒佳康威力天宇博远腾飞金瑞鼎"
    "昌荣晨光卓越精工亚通海星信诚立友众合中科奥特诺豪洋乐嘉浩德铭富祥万通科"
)
ROAD_WORDS = ("工业", "兴业", "创业", "东海", "锦屏", "万昌", "横湖", "太平", "泵业", "三星")
LEGAL_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
COUNTRIES = (
    "美国",
    "越南",
    "印度尼西亚",
    "尼日利亚",
    "巴西",
    "俄罗斯",
    "沙特阿拉伯",
    "墨西哥",
    "印度",
    "泰国",
    "伊朗",
    "埃及",
)
HOMOPHONES = {"达": "大", "利": "力", "欧": "鸥", "新": "心", "源": "元", "丰": "峰", "华": "化"}


def substream(seed: int, part: str) -> np.random.Generator:
    """The random stream of one named part of the generator (stable across runs and versions)."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(part.encode())]))
    )


def month_labels(months: int, start: tuple[int, int] = START_MONTH) -> list[tuple[int, int]]:
    year, month = start
    labels = []
    for _ in range(months):
        labels.append((year, month))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return labels


def festival_loss(labels: list[tuple[int, int]]) -> np.ndarray:
    """Share of each month's output lost to the Spring Festival shutdown (0..1, max 1 month)."""
    loss = np.zeros(len(labels))
    for index, (year, month) in enumerate(labels):
        days = calendar.monthrange(year, month)[1]
        first, last = dt.date(year, month, 1), dt.date(year, month, days)
        for festival in (SPRING_FESTIVAL.get(year), SPRING_FESTIVAL.get(year + 1)):
            if festival is None:
                festival = dt.date(year, 2, 1)
            start = festival + dt.timedelta(days=FESTIVAL_SHUTDOWN[0])
            end = festival + dt.timedelta(days=FESTIVAL_SHUTDOWN[1])
            overlap = (min(end, last) - max(start, first)).days + 1
            if overlap > 0:
                loss[index] += overlap / days
    return loss


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" or "A" <= c <= "Z" else c for c in text)


def mistype_code(code: str, rng: np.random.Generator) -> str:
    """A code with one typing mistake: a substituted character or two swapped neighbours.

    Both kinds are always detected by the USCC check (see ``industrybrain.kit.ids``).
    """
    if rng.random() < 0.25:
        positions = [i for i in range(17) if code[i] != code[i + 1]]
        i = positions[int(rng.integers(0, len(positions)))]
        return code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    i = int(rng.integers(0, 18))
    choices = [c for c in (USCC_ALPHABET if i >= 8 else "0123456789") if c != code[i]]
    return code[:i] + choices[int(rng.integers(0, len(choices)))] + code[i + 1 :]


@dataclass
class Enterprise:
    index: int
    enterprise_id: str
    uscc: str
    name: str
    former_name: str | None
    short_name: str
    brand: str
    legal_rep: str
    registered_capital: float  # 万元
    founded: dt.date
    size: str  # large / medium / small / micro
    above_scale: bool
    industry_class: str
    node: str
    secondary_nodes: list[str]
    stage: str
    town: str
    address: str
    old_address: str
    phone: str
    business_scope: str
    company_type: str
    employees: int
    annual_revenue: float  # 万元, base year
    closed_month: int | None  # index into the months, None while operating
    decline_start: int | None
    decline_rate: float
    exporter: bool
    electricity_account: str
    social_insurance_unit: str
    customs_code: str


@dataclass
class Product:
    product_id: str
    enterprise_index: int
    category_code: str
    name: str
    model: str
    gtin: str
    hs_code: str
    attributes: dict[str, Any]


@dataclass
class Cluster:
    template: BrainTemplate
    seed: int
    labels: list[tuple[int, int]]
    enterprises: list[Enterprise]
    revenue: np.ndarray  # (enterprises, months) invoiced sales, 万元; 0 after closure
    kwh: np.ndarray  # (enterprises, months)
    headcount: np.ndarray  # (enterprises, months)
    active: np.ndarray  # (enterprises, months) bool
    relations: list[
        tuple[int, int, str, str, float]
    ]  # supplier, buyer, supplier node, buyer node, share
    products: list[Product]
    material_prices: dict[str, np.ndarray]
    extra: dict[str, Any] = field(default_factory=dict)


def enterprise_size(revenue_wan: float, employees: int) -> str:
    """Industrial size class of the NBS rule (统计上大中小微型企业划分办法 2017, 工业): both the
    headcount and the revenue must reach a class's lower bounds."""
    if employees >= 1000 and revenue_wan >= 40000:
        return "large"
    if employees >= 300 and revenue_wan >= 2000:
        return "medium"
    if employees >= 20 and revenue_wan >= 300:
        return "small"
    return "micro"


def _weighted_choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> list[str]:
    keys = sorted(weights)
    probabilities = np.array([weights[k] for k in keys], dtype=float)
    probabilities /= probabilities.sum()
    return [keys[i] for i in rng.choice(len(keys), size=size, p=probabilities)]


def _town_short(town: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if town.endswith(suffix):
            return town[: -len(suffix)]
    return town


def _industry_words(template: BrainTemplate, node_id: str) -> list[str]:
    words = template.demo.industry_words.get(node_id)
    if words:
        return list(words)
    return [template.node(node_id).name_zh]


def _scope(template: BrainTemplate, node_id: str) -> list[str]:
    phrases = template.demo.scope_phrases.get(node_id)
    if phrases:
        return list(phrases)
    node = template.node(node_id)
    return [f"{node.name_zh}制造", f"{node.name_zh}销售"]


def county_names(template: BrainTemplate) -> tuple[str, str, str]:
    """(province, city, county) names of the template's county, e.g. 浙江省, 台州市, 温岭市."""
    towns = towns_of_county(template.demo.county_code)
    if towns:
        return towns[0].province, towns[0].city, towns[0].county
    return "浙江省", "", template.demo.county_code


def _make_names(
    rng: np.random.Generator,
    template: BrainTemplate,
    nodes: list[str],
    towns: list[str],
    above: np.ndarray,
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Names in the patterns of real registrations: region + 字号 + industry word + legal form."""
    province, city, county = county_names(template)
    province_short, city_short = province.rstrip("省"), city.rstrip("市")
    brand_pool = list(dict.fromkeys(template.demo.brand_words))
    seen: set[str] = set()
    names, shorts, brands, forms = [], [], [], []
    for index, node in enumerate(nodes):
        words = _industry_words(template, node)
        while True:
            if rng.random() < 0.08 and brand_pool:
                brand = brand_pool[int(rng.integers(0, len(brand_pool)))]
            else:
                length = 3 if rng.random() < 0.1 else 2
                brand = "".join(
                    BRAND_CHARS[int(i)] for i in rng.integers(0, len(BRAND_CHARS), length)
                )
            word = words[int(rng.integers(0, len(words)))]
            pattern = rng.random()
            form = LEGAL_FORMS[int(rng.integers(0, 3 if not above[index] else 5))]
            if pattern < 0.45:
                name = f"{county}{brand}{word}{form}"
            elif pattern < 0.62 + (0.15 if above[index] else 0):
                name = f"{province_short}{brand}{word}{form}"
            elif pattern < 0.80:
                name = f"{city_short}{brand}{word}{form}"
            elif pattern < 0.88:
                name = f"{brand}{word}（{province_short}）有限公司"
                form = "有限公司"
            else:
                form = "厂"
                name = f"{county}{_town_short(towns[index])}{brand}{word}厂"
            if name not in seen:
                seen.add(name)
                break
        names.append(name)
        shorts.append(f"{brand}{word}")
        brands.append(brand)
        forms.append(form)
    return names, shorts, brands, forms


def name_variant(
    enterprise: Enterprise, rng: np.random.Generator, prefixes: tuple[str, ...] = ("温岭市", "浙江")
) -> str:
    """How a careless source spells an enterprise: abbreviation, dropped region, former name..."""
    name = enterprise.name
    kind = int(rng.integers(0, 6))
    if kind == 0:
        return enterprise.short_name  # 简称: 宏达泵业
    if kind == 1 and enterprise.former_name:
        return enterprise.former_name
    if kind == 2 and "有限公司" in name and "有限责任公司" not in name:
        return name.replace("有限公司", "有限责任公司")
    if kind == 3 and "（" in name:
        return name.replace("（", "(").replace("）", ")")
    if kind == 4:
        for old, new in HOMOPHONES.items():
            if old in enterprise.brand:
                return name.replace(old, new, 1)
    for prefix in prefixes:
        if name.startswith(prefix):
            return name[len(prefix) :]  # region dropped
    return name + " "  # a trailing space typed by hand


def generate_enterprises(
    template: BrainTemplate, n: int, seed: int, months: int
) -> list[Enterprise]:
    rng = substream(seed, "enterprises")
    demo = template.demo
    province, city, county = county_names(template)
    known_nodes = {node.id for node in template.chain.nodes}
    node_weights = {k: v for k, v in demo.node_weights.items() if k in known_nodes}
    nodes = _weighted_choice(rng, node_weights, n)
    towns = _weighted_choice(rng, demo.town_weights, n)
    above = np.zeros(n, dtype=bool)
    above[rng.permutation(n)[: round(n * demo.above_scale_share)]] = True
    names, shorts, brands, forms = _make_names(
        substream(seed, "names"), template, nodes, towns, above
    )

    revenue = np.where(
        above,
        np.maximum(2000.0, rng.lognormal(np.log(6000.0), 0.8, n)),
        np.minimum(1990.0, rng.lognormal(np.log(260.0), 0.9, n)),
    ).round(1)
    employees = np.maximum(3, (revenue / rng.uniform(25, 70, n)).round()).astype(int)
    closing = rng.random(n) < demo.monthly.closure_share
    declining = ~closing & (rng.random(n) < demo.monthly.decline_share)
    capital_steps = np.array([10, 30, 50, 100, 200, 300, 500, 800, 1000, 2000, 3000, 5000, 10000])
    stage_of = {node.id: node.stage for node in template.chain.nodes}
    classes_of = {
        node.id: node.industry_classes or template.industry_classes for node in template.chain.nodes
    }
    nodes_by_stage = template.chain.by_stage()
    result: list[Enterprise] = []
    for i in range(n):
        town = towns[i]
        ideal = revenue[i] * rng.uniform(0.1, 0.5)
        capital = float(capital_steps[np.abs(np.log(capital_steps / ideal)).argmin()])
        year = (
            int(rng.integers(1990, 2016)) if above[i] else int(min(2024, 1995 + rng.gamma(6, 3.5)))
        )
        founded = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
        size = enterprise_size(float(revenue[i]), int(employees[i]))
        node = nodes[i]
        siblings = [x.id for x in nodes_by_stage[stage_of[node]] if x.id != node]
        secondary = []
        if siblings and rng.random() < 0.25:
            secondary.append(siblings[int(rng.integers(0, len(siblings)))])
        classes = classes_of[node]
        road = ROAD_WORDS[int(rng.integers(0, len(ROAD_WORDS)))] + (
            "路" if rng.random() < 0.7 else "大道"
        )
        address = f"{province}{city}{county}{town}{road}{int(rng.integers(1, 999))}号"
        old_road = ROAD_WORDS[int(rng.integers(0, len(ROAD_WORDS)))]
        old_address = f"{county}{_town_short(town)}{old_road}村{int(rng.integers(1, 30))}组"
        if rng.random() < 0.6:
            phone = f"0576-8{int(rng.integers(0, 10**7)):07d}"
        else:
            phone = f"1{[3, 5, 8, 9][int(rng.integers(0, 4))]}{int(rng.integers(0, 10**9)):09d}"
        scope = _scope(template, node)
        k = min(len(scope), int(rng.integers(2, 5)))
        picked = [scope[int(j)] for j in sorted(rng.choice(len(scope), k, replace=False))]
        exporter = bool(rng.random() < (0.55 if above[i] else 0.15))
        if exporter:
            picked.append("货物进出口；技术进出口")
        business_scope = (
            "；".join(picked) + "。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
        )
        if forms[i] == "厂":
            company_type = "个人独资企业"
        elif forms[i] == "股份有限公司":
            company_type = "股份有限公司(非上市、自然人投资或控股)"
        else:
            company_type = "有限责任公司(自然人投资或控股)"
        former = None
        if rng.random() < 0.06:
            former = names[i].replace(brands[i], brands[(i + 1) % n], 1)
        closed = int(rng.integers(6, months)) if closing[i] and months > 6 else None
        decline_start = int(rng.integers(0, max(1, months - 6))) if declining[i] else None
        result.append(
            Enterprise(
                index=i,
                enterprise_id=f"E{i + 1:06d}",
                uscc=make_uscc(rng, template.demo.county_code, new_style=year >= 2015),
                name=names[i],
                former_name=former,
                short_name=shorts[i],
                brand=brands[i],
                legal_rep=SURNAMES[int(rng.integers(0, len(SURNAMES)))]
                + "".join(
                    GIVEN_CHARS[int(c)]
                    for c in rng.integers(0, len(GIVEN_CHARS), 1 + int(rng.random() < 0.7))
                ),
                registered_capital=capital,
                founded=founded,
                size=size,
                above_scale=bool(above[i]),
                industry_class=classes[int(rng.integers(0, len(classes)))],
                node=node,
                secondary_nodes=secondary,
                stage=stage_of[node],
                town=town,
                address=address,
                old_address=old_address,
                phone=phone,
                business_scope=business_scope,
                company_type=company_type,
                employees=int(employees[i]),
                annual_revenue=float(revenue[i]),
                closed_month=closed,
                decline_start=decline_start,
                decline_rate=float(rng.uniform(0.02, 0.06)) if declining[i] else 0.0,
                exporter=exporter,
                electricity_account=f"33{int(rng.integers(0, 10**8)):08d}",
                social_insurance_unit=f"3310{int(rng.integers(0, 10**6)):06d}",
                customs_code=f"3310{int(rng.integers(0, 10**6)):06d}" if exporter else "",
            )
        )
    return result


def monthly_series(
    template: BrainTemplate, enterprises: list[Enterprise], labels: list[tuple[int, int]], seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Invoiced sales (万元), electricity (kWh), headcount and activity, vectorised over all."""
    rng = substream(seed, "monthly")
    params = template.demo.monthly
    n, m = len(enterprises), len(labels)
    t = np.arange(m, dtype=float)
    month_of_year = np.array([month for _, month in labels], dtype=float)
    base = np.array([e.annual_revenue / 12.0 for e in enterprises])
    growth = params.base_growth + rng.normal(0, 0.06, n)
    trend = np.exp(np.outer(np.log1p(np.maximum(growth, -0.9)) / 12.0, t))
    phase = rng.normal(0, 0.4, n)
    # Pumps sell into irrigation and building seasons: high in spring and early autumn.
    season = 1 + params.seasonality * np.sin(
        2 * np.pi * (month_of_year[None, :] - 3) / 12 + phase[:, None]
    )
    festival = 1 - params.spring_festival_dip * festival_loss(labels)[None, :]
    decline = np.ones((n, m))
    active = np.ones((n, m), dtype=bool)
    for e in enterprises:
        if e.decline_start is not None:
            steps = np.maximum(0, t - e.decline_start)
            decline[e.index] = np.exp(-e.decline_rate * steps)
        if e.closed_month is not None:
            active[e.index, e.closed_month :] = False
            steps = np.maximum(0, t - (e.closed_month - 6))
            decline[e.index] *= np.exp(-0.08 * steps)  # closing firms fade before they stop
    noise = rng.lognormal(0, 0.08, (n, m))
    revenue = base[:, None] * trend * season * festival * decline * noise * active
    intensity = rng.lognormal(np.log(450.0), 0.35, n)  # kWh per 万元 of sales
    kwh = revenue * intensity[:, None] * rng.lognormal(0, 0.05, (n, m))
    employees = np.array([e.employees for e in enterprises], dtype=float)
    staffing = (revenue / np.maximum(base[:, None], 1e-9)) ** 0.3
    headcount = np.round(employees[:, None] * staffing * active)
    return revenue.round(2), kwh.round(0), headcount, active


def supply_relations(
    template: BrainTemplate, enterprises: list[Enterprise], seed: int
) -> list[tuple[int, int, str, str, float]]:
    """Supplier → buyer links along the template's chain edges (1–4 suppliers per edge)."""
    rng = substream(seed, "relations")
    by_node: dict[str, list[int]] = {}
    for e in enterprises:
        by_node.setdefault(e.node, []).append(e.index)
    # Big suppliers serve more buyers: choose proportional to their revenue.
    probabilities = {}
    for node_id, members in by_node.items():
        weights = np.array([enterprises[c].annual_revenue for c in members])
        probabilities[node_id] = weights / weights.sum()
    edges_of: dict[str, list[Any]] = {}
    for edge in template.chain.edges:
        if by_node.get(edge.supplier):
            edges_of.setdefault(edge.buyer, []).append(edge)
    relations: list[tuple[int, int, str, str, float]] = []
    for buyer in enterprises:
        for edge in edges_of.get(buyer.node, []):
            if rng.random() > min(1.0, 0.4 + edge.cost_share):
                continue
            candidates = by_node[edge.supplier]
            k = min(len(candidates), int(rng.integers(1, 5)))
            chosen = rng.choice(
                len(candidates), size=k, replace=False, p=probabilities[edge.supplier]
            )
            shares = rng.dirichlet(np.ones(k))
            for pick, share in zip(chosen, shares, strict=True):
                supplier = candidates[int(pick)]
                if supplier != buyer.index:
                    amount = buyer.annual_revenue * edge.cost_share * float(share)
                    relations.append(
                        (supplier, buyer.index, edge.supplier, edge.buyer, round(amount, 1))
                    )
    relations.sort()
    return relations


# Values that cluster on standard ratings (used when inside the attribute's declared range).
TYPICAL_VALUES: dict[str, tuple[float, ...]] = {
    "voltage": (220, 220, 380, 380, 380, 660),
    "frequency": (50, 50, 50, 60),
    "speed": (1450, 2850, 2850, 2900, 960),
    "rated_speed": (1450, 2850, 2900, 960),
    "phase": (1, 3, 3),
}


# Where most products of a small-pump cluster sit inside the (wide) declared ranges.
TYPICAL_RANGES: dict[str, tuple[float, float]] = {"flow_rate": (0.5, 200.0), "head": (5.0, 150.0)}
MOTOR_RATINGS_KW = (
    0.18,
    0.25,
    0.37,
    0.55,
    0.75,
    1.1,
    1.5,
    2.2,
    3,
    4,
    5.5,
    7.5,
    11,
    15,
    18.5,
    22,
    30,
    37,
    45,
    55,
    75,
    90,
    110,
    132,
    160,
    200,
    250,
    315,
)


def _inside(attribute: Any, value: float) -> bool:
    return (attribute.min is None or value >= attribute.min) and (
        attribute.max is None or value <= attribute.max
    )


def _harmonise_pump(values: dict[str, Any], declared: dict[str, Any], u: float) -> None:
    """Make power follow flow and head (P = Q·H / (367·η)), on a standard motor rating."""
    flow, head = values.get("flow_rate"), values.get("head")
    if not isinstance(flow, float | int) or not isinstance(head, float | int):
        return
    efficiency = 0.45 + 0.35 * u
    if "pump_efficiency" in values and _inside(declared["pump_efficiency"], efficiency * 100):
        values["pump_efficiency"] = round(efficiency * 100, 1)
    if "power" in values:
        needed = flow * head / (367 * efficiency) * 1.1  # 10% motor margin
        rating = next((r for r in MOTOR_RATINGS_KW if r >= needed), MOTOR_RATINGS_KW[-1])
        if _inside(declared["power"], rating):
            values["power"] = float(rating)


def _attribute_value(attribute: Any, u: float) -> Any:
    """A clean value of ``attribute`` from one uniform draw ``u`` in [0, 1) (fast: no rng call)."""
    typical = TYPICAL_VALUES.get(attribute.code)
    if typical and attribute.datatype in ("decimal", "integer"):
        value = typical[int(u * len(typical))]
        inside = (attribute.min is None or value >= attribute.min) and (
            attribute.max is None or value <= attribute.max
        )
        if inside:
            return int(value) if attribute.datatype == "integer" else float(value)
    typical_range = TYPICAL_RANGES.get(attribute.code)
    if typical_range and all(_inside(attribute, bound) for bound in typical_range):
        low, high = typical_range
        value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
        return float(round(value, 1 if value >= 10 else 2))
    if attribute.datatype in ("decimal", "integer"):
        low = attribute.min if attribute.min is not None else 0.0
        high = attribute.max if attribute.max is not None else max(low * 10, 100.0)
        if low > 0 and high / low > 20:
            value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
        else:
            value = low + u * (high - low)
        if attribute.datatype == "integer":
            return int(min(high, max(low, round(value))))
        digits = 1 if value >= 10 else 2
        rounded = round(value, digits)
        if rounded < low or rounded > high:
            rounded = float(low if rounded < low else high)
        return float(rounded)
    if attribute.datatype == "enum":
        return attribute.enum[int(u * len(attribute.enum))]
    if attribute.datatype == "boolean":
        return u < 0.5
    if attribute.datatype == "date":
        return (dt.date(2018, 1, 1) + dt.timedelta(days=int(u * 2500))).isoformat()
    return f"{attribute.name_zh}{int(u * 8) + 1}"


def generate_products(
    template: BrainTemplate, enterprises: list[Enterprise], seed: int
) -> list[Product]:
    rng = substream(seed, "products")
    leaves = template.leaf_categories()
    by_node: dict[str, list[Any]] = {}
    for category in leaves:
        node = category.chain_node
        if node is None:
            for ancestor in reversed(template.ancestors(category.code)):
                if ancestor.chain_node:
                    node = ancestor.chain_node
                    break
        if node:
            by_node.setdefault(node, []).append(category)
    parent_of = {node.id: node.parent for node in template.chain.nodes}

    def categories_of(node_id: str) -> list[Any]:
        # The node's own categories, else those of its nearest ancestor, else of its children.
        current: str | None = node_id
        while current is not None:
            if by_node.get(current):
                return by_node[current]
            current = parent_of.get(current)
        children = [c for n, p in parent_of.items() if p == node_id for c in by_node.get(n, [])]
        return children

    cache: dict[str, list[Any]] = {}
    attributes_cache: dict[str, list[Any]] = {}
    declared_cache: dict[str, dict[str, Any]] = {}
    low, high = template.demo.products_per_enterprise
    products: list[Product] = []
    for e in enterprises:
        if e.node not in cache:
            cache[e.node] = categories_of(e.node)
        categories = cache[e.node]
        if not categories:
            continue
        count = int(rng.integers(low, high + 1))
        owned = [categories[int(i)] for i in rng.integers(0, len(categories), min(3, count))]
        company_prefix = f"69{int(rng.integers(0, 10**5)):05d}"  # GS1 China company prefix range
        for j in range(count):
            category = owned[j % len(owned)]
            if category.code not in attributes_cache:
                attributes_cache[category.code] = template.attributes_of(category.code)
            declared = attributes_cache[category.code]
            draws = rng.random(len(declared)).tolist()
            attributes = {
                a.code: _attribute_value(a, u) for a, u in zip(declared, draws, strict=True)
            }
            if category.code not in declared_cache:
                declared_cache[category.code] = {a.code: a for a in declared}
            _harmonise_pump(attributes, declared_cache[category.code], draws[0])
            numbers = [
                v
                for v in attributes.values()
                if isinstance(v, int | float) and not isinstance(v, bool)
            ]
            letters = "".join(
                USCC_ALPHABET[10 + int(x)] for x in rng.integers(0, len(USCC_ALPHABET) - 10, 2)
            )
            model = (
                letters + "-".join(f"{v:g}" for v in numbers[:3])
                if numbers
                else f"{letters}{j + 1:03d}"
            )
            if "model" in attributes:
                attributes["model"] = model
            body = f"{company_prefix}{j + 1:05d}"
            hs_codes = category.hs_codes or template.node(e.node).hs_codes
            hs = hs_codes[int(rng.integers(0, len(hs_codes)))] if hs_codes else ""
            products.append(
                Product(
                    product_id=f"P{len(products) + 1:07d}",
                    enterprise_index=e.index,
                    category_code=category.code,
                    name=f"{model}型{category.name_zh}",
                    model=model,
                    gtin=body + gtin_check_digit(body),
                    hs_code=hs,
                    attributes=attributes,
                )
            )
    return products


def material_prices(template: BrainTemplate, months: int, seed: int) -> dict[str, np.ndarray]:
    rng = substream(seed, "prices")
    prices = {}
    for material in template.demo.raw_materials:
        steps = rng.normal(0.002, material.volatility, months)
        prices[material.code] = (material.base_price * np.exp(np.cumsum(steps))).round(2)
    return prices


def generate_cluster(
    template: BrainTemplate, enterprises: int, seed: int, months: int = DEFAULT_MONTHS
) -> Cluster:
    labels = month_labels(months)
    firms = generate_enterprises(template, enterprises, seed, months)
    revenue, kwh, headcount, active = monthly_series(template, firms, labels, seed)
    return Cluster(
        template=template,
        seed=seed,
        labels=labels,
        enterprises=firms,
        revenue=revenue,
        kwh=kwh,
        headcount=headcount,
        active=active,
        relations=supply_relations(template, firms, seed),
        products=generate_products(template, firms, seed),
        material_prices=material_prices(template, months, seed),
    )
