"""Normalisation of Chinese enterprise names, addresses, phones and legal representatives.

Registrations write the same enterprise as ``温岭市天亚水泵配件有限公司``, ``天亚水泵配件有限责任公司``,
``天亚水泵配件（浙江）有限公司`` or ``天亚水泵配件``: a region prefix (province / city / county /
town, with or without its 省/市/县/区/镇/街道 suffix), the brand (字号), the industry words and the
legal form, with full- or half-width brackets. :func:`normalize_enterprise_name` splits a name
into these parts so that matching can compare the parts that identify the enterprise (the
*core*: brand and industry words) apart from those that vary between sources.

Region names come from the packaged GB/T 2260 divisions and Zhejiang towns
(:mod:`industrybrain.reference`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Longest first: the first that ends a name is its legal form.
LEGAL_FORMS: tuple[str, ...] = (
    "集团股份有限公司",
    "集团有限责任公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份合作公司",
    "个人独资企业",
    "有限合伙企业",
    "普通合伙企业",
    "合伙企业",
    "专业合作社",
    "合作社",
    "集团公司",
    "总公司",
    "公司",
    "集团",
)
BRANCH_MARKERS: tuple[str, ...] = ("分公司", "分厂", "营业部", "办事处", "分店")
# Industry words that end a brand core (字号 + 行业): longest first at run time.
INDUSTRY_WORDS: tuple[str, ...] = (
    "水泵配件", "泵业", "水泵", "泵阀", "阀门", "阀业", "机电", "电机", "电器", "机械", "机床",
    "五金", "塑料制品", "塑料", "橡胶制品", "橡胶", "铸造", "铸件", "锻造", "精密", "模具", "制造",
    "科技", "技术", "实业", "贸易", "商贸", "进出口", "电子", "电气", "设备", "工贸", "制品",
    "工业", "控股", "投资", "环保", "新材料", "材料", "汽车配件", "汽配", "鞋业", "服饰", "电缆",
    "线缆", "轴承", "密封件", "紧固件", "管业", "铜业", "钢业", "金属", "零部件", "配件", "动力",
    "流体", "智能", "自动化", "工具", "厂",
)  # fmt: skip
_OPEN = "([{<【〔［｛《"
_CLOSE = ")]}>】〕］｝》"
_BRACKET_RE = re.compile(r"[(\[【〔《]([^)\]】〕》]*)[)\]】〕》]")
_SPACE_RE = re.compile(r"\s+")
_REGION_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "街道",
    "省",
    "市",
    "区",
    "县",
    "镇",
    "乡",
)


def clean_text(text: str) -> str:
    """NFKC (full-width letters, digits and brackets to half-width), brackets unified, no spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans(_OPEN, "(" * len(_OPEN))).translate(
        str.maketrans(_CLOSE, ")" * len(_CLOSE))
    )
    return _SPACE_RE.sub("", text).strip()


def _short(name: str) -> str:
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=1)
def region_names() -> tuple[str, ...]:
    """Every province, city, county and Zhejiang town name with its short form, longest first."""
    from industrybrain.reference import regions, zhejiang_towns

    names: set[str] = set()
    for region in regions().values():
        names.add(region.name)
        names.add(_short(region.name))
    for town in zhejiang_towns():
        names.add(town.name)
        names.add(_short(town.name))
    names.add("中国")
    return tuple(sorted((name for name in names if len(name) >= 2), key=len, reverse=True))


def _strip_regions(text: str) -> tuple[str, list[str]]:
    """Strip region names from the start of ``text`` (repeatedly; a brand of 2+ chars stays)."""
    names = _region_name_set()
    longest = len(region_names()[0]) if region_names() else 0
    found: list[str] = []
    changed = True
    while changed:
        changed = False
        for length in range(min(longest, len(text) - 2), 1, -1):
            # Strip only when a brand of two or more characters remains (温岭市永福机电: 永福 is
            # also a county's short name, but here it is the brand).
            if text[:length] in names and _has_brand(text[length:]):
                found.append(text[:length])
                text = text[length:]
                changed = True
                break
    return text, found


@lru_cache(maxsize=1)
def _region_name_set() -> frozenset[str]:
    return frozenset(region_names())


@dataclass(frozen=True)
class EnterpriseName:
    """The parts of an enterprise name."""

    full: str  # cleaned full name
    core: str  # brand + industry words: no region, legal form, bracketed region or branch
    brand: str  # 字号: the core without its industry words
    legal_form: str  # normalised legal form ("有限公司" for 有限责任公司 too)
    regions: tuple[str, ...]  # region names found (prefix or in brackets)
    branch: str  # branch part (``杭州分公司``), empty for the head office


def normalize_enterprise_name(name: str) -> EnterpriseName:
    """Split a Chinese enterprise name into region, core (brand + industry), legal form, branch."""
    text = clean_text(name)
    full = text
    regions: list[str] = []
    branch = ""
    for marker in BRANCH_MARKERS:
        position = text.find(marker)
        if position > 0:
            head = text[:position]
            # The branch's own region sits just before the marker, after the legal form.
            for form in LEGAL_FORMS:
                cut = head.rfind(form)
                if cut >= 0:
                    branch = head[cut + len(form) :] + marker
                    text = head[: cut + len(form)]
                    break
            else:
                branch = marker
                text = head
            break
    # Bracketed parts: regions are dropped (recorded), anything else is kept without brackets.
    for inner in _BRACKET_RE.findall(text):
        stripped, inner_regions = _strip_regions(inner)
        if inner in _region_name_set() or _short(inner) in _region_name_set():
            regions.append(inner)
            text = text.replace(f"({inner})", "", 1)
        elif inner_regions and not stripped:
            regions.extend(inner_regions)
            text = text.replace(f"({inner})", "", 1)
        else:
            text = text.replace(f"({inner})", inner, 1)
    legal_form = ""
    for form in LEGAL_FORMS:
        if text.endswith(form) and len(text) > len(form):
            legal_form = form
            text = text[: -len(form)]
            break
    legal_form = {"有限责任公司": "有限公司", "集团有限责任公司": "集团有限公司"}.get(
        legal_form, legal_form
    )
    text, prefix_regions = _strip_regions(text)
    regions = prefix_regions + regions
    core = text
    return EnterpriseName(full, core, _brand_of(core), legal_form, tuple(regions), branch)


@lru_cache(maxsize=1)
def _industry_words_longest_first() -> tuple[str, ...]:
    return tuple(sorted(INDUSTRY_WORDS, key=len, reverse=True))


def _has_brand(rest: str) -> bool:
    brand = _brand_of(rest)
    return len(brand) >= 2 and brand not in INDUSTRY_WORDS


def _brand_of(core: str) -> str:
    """The core without its trailing industry words (天亚机电设备 -> 天亚), keeping 2+ chars."""
    brand = core
    changed = True
    while changed:
        changed = False
        for word in _industry_words_longest_first():
            if brand.endswith(word) and len(brand) - len(word) >= 2:
                brand = brand[: -len(word)]
                changed = True
                break
    return brand


def looks_like_enterprise_name(text: str) -> bool:
    """True for names that end in a legal form or an enterprise word (公司, 厂, 合作社, ...)."""
    cleaned = clean_text(text)
    return any(cleaned.endswith(word) for word in (*LEGAL_FORMS, "厂", "商行", "经营部", "店")) or (
        "公司" in cleaned
    )


@dataclass(frozen=True)
class Address:
    province: str
    city: str
    county: str
    town: str
    detail: str  # the rest: road, number, building

    @property
    def full(self) -> str:
        return f"{self.province}{self.city}{self.county}{self.town}{self.detail}"


@lru_cache(maxsize=1)
def _division_index() -> tuple[
    dict[str, list[tuple[str, int]]], dict[str, tuple[str, str, str, str]]
]:
    """Names (full and short) to (code, level), and Zhejiang town names to their hierarchy."""
    from industrybrain.reference import regions, zhejiang_towns

    by_name: dict[str, list[tuple[str, int]]] = {}
    for code, region in regions().items():
        level = {2: 1, 4: 2, 6: 3}[len(code)]
        for name in {region.name, _short(region.name)}:
            by_name.setdefault(name, []).append((code, level))
    towns: dict[str, tuple[str, str, str, str]] = {}
    for town in zhejiang_towns():
        towns.setdefault(town.name, (town.province, town.city, town.county, town.name))
    return by_name, towns


def parse_address(text: str) -> Address:
    """Province, city, county and town of a Chinese address; missing upper levels filled in from a
    lower level when that lower level's name is unique."""
    from industrybrain.reference import regions

    all_regions = regions()
    by_name, towns = _division_index()
    rest = clean_text(text)
    parts: dict[int, str] = {}  # level -> code
    town = ""
    progress = True
    while progress and rest and not town:
        progress = False
        for length in range(min(len(rest), 10), 1, -1):
            head = rest[:length]
            candidates = by_name.get(head, [])
            # Prefer a candidate under the parts already found.
            chosen = None
            for code, level in candidates:
                if level in parts:
                    continue
                upper = [parts[lv] for lv in parts if lv < level]
                if all(code.startswith(up) for up in upper):
                    chosen = (code, level)
                    break
            if chosen is not None and (len(candidates) == 1 or parts or len(head) > 2):
                parts[chosen[1]] = chosen[0]
                rest = rest[length:]
                progress = True
                break
            if head in towns and not town:
                town = head
                rest = rest[length:]
                progress = True
                break
    if town and 3 not in parts:
        _province, _city, county, _town = towns[town]
        county_codes = [c for c, lv in by_name.get(county, []) if lv == 3]
        county_codes = [c for c in county_codes if all(c.startswith(parts[lv]) for lv in parts)]
        if len(county_codes) == 1:
            parts[3] = county_codes[0]
    deepest = max(parts) if parts else 0
    if deepest:
        code = parts[deepest]
        for level, size in ((1, 2), (2, 4)):
            if level not in parts and level < deepest and code[:size] in all_regions:
                parts[level] = code[:size]

    def name_of(level: int) -> str:
        name = all_regions[parts[level]].name if level in parts else ""
        return "" if name in ("市辖区", "县", "省直辖县级行政区划") else name

    return Address(name_of(1), name_of(2), name_of(3), town, rest)


_PHONE_DIGITS = re.compile(r"\d+")


def normalize_phone(text: str) -> str:
    """Digits of a Chinese phone: ``+86``/``0086`` dropped, landlines as ``0576-85621582``,
    extensions dropped; empty when no plausible number remains."""
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = re.split(r"(?:转|ext\.?|x|#)", cleaned, maxsplit=1, flags=re.IGNORECASE)[0]
    digits = "".join(_PHONE_DIGITS.findall(cleaned))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) in (13, 12, 11 + 2):
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return digits
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        area = 3 if digits[1] in "12" else 4
        return f"{digits[:area]}-{digits[area:]}"
    return digits if len(digits) >= 7 else ""


_REPRESENTATIVE_NOISE = re.compile(r"\(.*?\)|法定代表人|法人代表|法人|负责人|[:：]")


def normalize_person_name(text: str) -> str:
    """A legal representative's name: NFKC, no spaces, middle dots unified, role words removed."""
    cleaned = clean_text(text)
    cleaned = _REPRESENTATIVE_NOISE.sub("", cleaned)
    cleaned = re.sub(r"[·•・‧.．]", "·", cleaned)
    return cleaned.strip("·").lower()
