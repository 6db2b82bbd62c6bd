"""Column profiles: what kind of values a column holds, from its name and its contents.

Kinds (each has its own normalisation, comparison levels and blocking keys):

- ``uscc``: unified social credit codes (valid ones are matched exactly first)
- ``code``: identifiers, model numbers, postcodes, house numbers (edit distance)
- ``phone``, ``email``
- ``date``: dates in any common layout (closeness, swapped day/month)
- ``number``: amounts, prices, measures (relative closeness)
- ``category``: few distinct values (exact)
- ``name``: short text such as person or product names (Jaro-Winkler)
- ``org_name_zh``: Chinese enterprise names (core without region and legal form)
- ``address_zh``: Chinese addresses (n-gram similarity)
- ``text``: long descriptions (token / character n-gram overlap)
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from industrybrain.kit.ids import is_valid_uscc, normalize_uscc
from industrybrain.modules.enterprise import normalize as zh

KINDS = (
    "uscc",
    "code",
    "phone",
    "email",
    "date",
    "number",
    "category",
    "name",
    "org_name_zh",
    "address_zh",
    "text",
)

_HINTS: dict[str, re.Pattern[str]] = {
    "uscc": re.compile(r"uscc|credit|信用代码|纳税人识别号|税号|tyshxydm", re.I),
    "phone": re.compile(r"phone|tel|mobile|fax|电话|手机|联系方式|传真", re.I),
    "email": re.compile(r"e-?mail|邮箱", re.I),
    "date": re.compile(r"date|dob|birth|日期|时间|日$|founded", re.I),
    "number": re.compile(
        r"price|amount|cost|qty|quantity|count|capital|revenue|sales|weight|salary|"
        r"金额|价格|单价|资本|数量|销售额|电量|电费|人数|重量|面积",
        re.I,
    ),
    "address": re.compile(r"addr|street|住所|地址|所在地", re.I),
    "org": re.compile(
        r"company|enterprise|firm|org|applicant|seller|buyer|企业|公司|单位|名称|申请人|户名", re.I
    ),
    "text": re.compile(
        r"desc|title|scope|abstract|summary|comment|note|经营范围|描述|说明|简介", re.I
    ),
}
_CJK = re.compile(r"[\u3400-\u9fff]")
_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
_DIGITS = re.compile(r"^\d+$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def clean(value: str) -> str:
    """Generic normal form: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def parse_date(value: str) -> date | None:
    text = unicodedata.normalize("NFKC", value).strip()
    for pattern in _DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            year, month, day = (int(part) for part in found.groups())
            break
    else:
        found = _DATE_DMY.match(text)
        if not found:
            return None
        first, second, year = (int(part) for part in found.groups())
        day, month = (first, second) if second <= 12 else (second, first)
    if not 1800 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_number(value: str) -> float | None:
    text = unicodedata.normalize("NFKC", value).strip().replace("¥", "").replace("$", "")
    text = re.sub(r"(万元|元|人民币|美元|usd|rmb|cny)+$", "", text, flags=re.I).strip()
    if not text or not _NUMBER.match(text):
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


@dataclass
class ColumnProfile:
    name: str
    kind: str
    fill: float  # share of non-missing values
    distinct: int
    distinct_ratio: float
    mean_length: float
    mean_tokens: float
    cjk: float  # share of values with Chinese characters

    def describe(self) -> str:
        return (
            f"{self.name}: {self.kind} (fill {self.fill:.0%}, {self.distinct} distinct, "
            f"mean length {self.mean_length:.1f}, tokens {self.mean_tokens:.1f})"
        )


def profile_column(name: str, values: list[str | None], sample: int = 2000) -> ColumnProfile:
    """Profile a column from (up to ``sample``) of its values and choose its kind."""
    present = [value for value in values if value is not None]
    step = max(1, len(present) // sample)
    seen = present[::step]
    n = max(1, len(seen))
    fill = len(present) / max(1, len(values))
    distinct = len(set(present))
    distinct_ratio = distinct / max(1, len(present))
    lengths = [len(value) for value in seen]
    tokens = [len(value.split()) for value in seen]
    mean_length = sum(lengths) / n
    mean_tokens = sum(tokens) / n
    cjk = sum(1 for value in seen if _CJK.search(value)) / n

    def share(test: Callable[[str], object]) -> float:
        return sum(1 for value in seen if test(value)) / n

    profile = ColumnProfile(
        name, "name", fill, distinct, distinct_ratio, mean_length, mean_tokens, cjk
    )
    if not seen:
        profile.kind = "category"
        return profile
    if share(lambda v: is_valid_uscc(normalize_uscc(v))) >= 0.5 or (
        _HINTS["uscc"].search(name) and share(lambda v: len(normalize_uscc(v)) == 18) >= 0.5
    ):
        profile.kind = "uscc"
    elif share(lambda v: "@" in v) >= 0.8:
        profile.kind = "email"
    elif _HINTS["phone"].search(name) and share(lambda v: len(re.sub(r"\D", "", v)) >= 7) >= 0.5:
        profile.kind = "phone"
    elif share(lambda v: parse_date(v) is not None) >= 0.7:
        profile.kind = "date"
    elif share(lambda v: parse_number(v) is not None) >= 0.8:
        integers = share(lambda v: bool(_DIGITS.match(unicodedata.normalize("NFKC", v).strip())))
        if distinct <= 20 and distinct_ratio < 0.05:
            profile.kind = "category"
        elif _HINTS["number"].search(name) or integers < 0.8:
            profile.kind = "number"
        else:
            profile.kind = "code"
    elif distinct <= 50 and distinct_ratio < 0.02:
        profile.kind = "category"
    elif cjk >= 0.5:
        if share(zh.looks_like_enterprise_name) >= 0.5 and mean_length < 40:
            profile.kind = "org_name_zh"
        elif _HINTS["address"].search(name) or share(_looks_like_address_zh) >= 0.5:
            profile.kind = "address_zh"
        elif mean_length > 30 or _HINTS["text"].search(name):
            profile.kind = "text"
        else:
            profile.kind = "name"
    elif mean_tokens > 5 or mean_length > 40:
        profile.kind = "text"
    elif share(_looks_like_code) >= 0.7 and mean_tokens <= 1.5:
        profile.kind = "code"
    else:
        profile.kind = "name"
    return profile


def _looks_like_address_zh(value: str) -> bool:
    return bool(re.search(r"(省|市|区|县|镇|乡|街道|村).*(路|街|号|弄|巷|大道|村|组)", value))


def _looks_like_code(value: str) -> bool:
    """Letters and digits mixed (model numbers, SKUs), or digits only, no inner spaces."""
    text = value.strip()
    return " " not in text and bool(re.search(r"\d", text)) and len(text) >= 2


def align_columns(
    left: dict[str, list[str | None]], right: dict[str, list[str | None]], sample: int = 3000
) -> list[tuple[str, str]]:
    """Pairs of (left column, right column) that hold the same attribute.

    Same names pair first; the rest pair greedily by the overlap of their value vocabularies
    (character bigrams of a sample), so ``企业名称`` finds ``申请人``."""
    pairs: list[tuple[str, str]] = [(name, name) for name in left if name in right]
    rest_left = [name for name in left if name not in right]
    rest_right = [name for name in right if name not in left]
    if not rest_left or not rest_right:
        return pairs

    def vocabulary(values: list[str | None]) -> Counter[str]:
        # Distinct values only: a table repeating each name monthly must not outweigh.
        grams: Counter[str] = Counter()
        distinct = sorted({value for value in values if value is not None})
        step = max(1, len(distinct) // sample)
        for value in distinct[::step]:
            text = clean(value)
            grams.update({text[i : i + 2] for i in range(max(1, len(text) - 1))})
        return grams

    def fill(values: list[str | None]) -> float:
        return sum(1 for value in values if value is not None) / max(1, len(values))

    def kind_family(kind: str) -> str:
        return {"org_name_zh": "name", "address_zh": "name", "text": "name"}.get(kind, kind)

    vocab_left = {name: vocabulary(left[name]) for name in rest_left}
    vocab_right = {name: vocabulary(right[name]) for name in rest_right}
    kinds_left = {name: kind_family(profile_column(name, left[name]).kind) for name in rest_left}
    kinds_right = {name: kind_family(profile_column(name, right[name]).kind) for name in rest_right}

    def distinct(values: list[str | None]) -> set[str]:
        step = max(1, len(values) // sample)
        return {clean(value) for value in values[::step] if value is not None}

    scored: list[tuple[float, str, str]] = []
    for name_left in rest_left:
        for name_right in rest_right:
            if kinds_left[name_left] != kinds_right[name_right]:
                continue
            if kinds_left[name_left] in ("date", "number", "category"):
                # Dates, amounts and small code lists share values by chance (a deregistration
                # date and a patent grant date): pair them only by name or by configuration.
                continue
            if kinds_left[name_left] == "name":
                # Text: shared character bigrams (name variants share most of them).
                a, b = vocab_left[name_left], vocab_right[name_right]
                if not a or not b:
                    continue
                # Shared bigram mass relative to the smaller vocabulary, damped for sparse
                # columns (former names) that would otherwise win by being small.
                score = sum((a & b).values()) / min(sum(a.values()), sum(b.values()))
                score *= min(fill(left[name_left]), fill(right[name_right])) ** 0.5
            else:
                # Codes, numbers, dates: digits share bigrams by chance, so whole values count.
                x, y = distinct(left[name_left]), distinct(right[name_right])
                if len(x & y) < 5:
                    continue
                score = len(x & y) / min(len(x), len(y))
            scored.append((score, name_left, name_right))
    used_left: set[str] = set()
    used_right: set[str] = set()
    for score, name_left, name_right in sorted(scored, reverse=True):
        if score < 0.3 or name_left in used_left or name_right in used_right:
            continue
        pairs.append((name_left, name_right))
        used_left.add(name_left)
        used_right.add(name_right)
    return pairs
