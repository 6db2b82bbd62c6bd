"""Comparisons: normalise one attribute on both sides, give a pair its agreement level, and offer
blocking keys.

A comparison interns its normalised values (one integer per distinct value, shared by both
sides), so that each distinct pair of values is scored once with RapidFuzz's vectorised
``cpdist`` whatever the number of record pairs carrying it. Level 0 is the strongest agreement,
the last level is disagreement and -1 means a value is missing (no evidence either way).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from industrybrain.kit.ids import is_valid_uscc, normalize_uscc
from industrybrain.modules.enterprise import normalize as zh
from industrybrain.modules.enterprise.match.profile import clean, parse_date, parse_number

IntArray = np.ndarray

LEVEL_LABELS: dict[str, list[str]] = {
    "uscc": ["exact", "edit<=1", "edit<=2", "different", "different valid codes"],
    "code": ["exact", "edit<=1", "edit<=2", "different"],
    "phone": ["exact", "same last 7 digits", "edit<=1", "different"],
    "email": ["exact", "same local part", "jaro-winkler>=0.9", "different"],
    "date": ["exact", "typo or day/month swapped", "within 1 year", "different"],
    "number": ["exact", "within 0.5%", "within 5%", "within 20%", "different"],
    "category": ["exact", "different"],
    "name": ["exact", "jaro-winkler>=0.92", "jaro-winkler>=0.8", "different"],
    "org_name_zh": [
        "same name",
        "same core",
        "same core, other legal form or branch",
        "core similar>=0.8",
        "core similar>=0.6",
        "different",
    ],
    "address_zh": ["exact", "similar>=0.9", "similar>=0.75", "different"],
    "text": ["token overlap>=0.9", "token overlap>=0.7", "token overlap>=0.5", "different"],
}
_CJK = re.compile(r"[\u3400-\u9fff]")


def _normal_form(kind: str, value: str) -> str:
    if kind == "uscc":
        return normalize_uscc(value)
    if kind == "code":
        return re.sub(r"[\s\-_./]", "", clean(value))
    if kind == "phone":
        return zh.normalize_phone(value).replace("-", "")
    if kind == "date":
        parsed = parse_date(value)
        return parsed.strftime("%Y%m%d") if parsed else re.sub(r"\D", "", value) or clean(value)
    if kind == "number":
        number = parse_number(value)
        return repr(number) if number is not None else clean(value)
    if kind == "org_name_zh":
        name = zh.normalize_enterprise_name(value)
        return f"{name.core}|{name.legal_form}|{name.branch}|{name.brand}"
    if kind == "address_zh":
        return zh.parse_address(value).full
    if kind == "name" and _CJK.search(value):
        return zh.normalize_person_name(value)
    return clean(value)


@dataclass
class Comparison:
    """One attribute compared between the left and the right table."""

    left_column: str
    right_column: str
    kind: str
    values: list[str] = field(default_factory=list)  # distinct normal forms; index = code
    left_codes: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    right_codes: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        if self.left_column == self.right_column:
            return self.left_column
        return f"{self.left_column}~{self.right_column}"

    @property
    def labels(self) -> list[str]:
        return LEVEL_LABELS[self.kind]

    @property
    def n_levels(self) -> int:
        return len(self.labels)

    def prepare(self, left: list[str | None], right: list[str | None]) -> None:
        index: dict[str, int] = {}
        cache: dict[str, str] = {}

        def codes(column: list[str | None]) -> IntArray:
            out = np.full(len(column), -1, dtype=np.int64)
            for row, raw in enumerate(column):
                if raw is None:
                    continue
                form = cache.get(raw)
                if form is None:
                    form = _normal_form(self.kind, raw)
                    cache[raw] = form
                if not form.strip("|"):
                    continue
                code = index.get(form)
                if code is None:
                    code = index[form] = len(index)
                out[row] = code
            return out

        self.left_codes = codes(left)
        self.right_codes = right_codes = codes(right) if right is not left else None  # type: ignore[assignment]
        if right_codes is None:
            self.right_codes = self.left_codes
        self.values = list(index)

    def value_frequencies(self) -> np.ndarray:
        """Share of the records holding each distinct value: the lower of the two sides' shares,
        so that a table listing one entity many times (monthly rows, patents) does not make its
        name look common."""
        cached = self._cache.get("frequency")
        if cached is None:

            def share(codes: IntArray) -> np.ndarray:
                present = codes[codes >= 0]
                counts = np.bincount(present, minlength=len(self.values)).astype(float)
                return counts / max(1, len(present))

            cached = share(self.left_codes)
            if self.right_codes is not self.left_codes:
                cached = np.minimum(cached, share(self.right_codes))
            self._cache["frequency"] = cached
        return cached

    # --- levels -----------------------------------------------------------------------------
    def levels(self, left_rows: IntArray, right_rows: IntArray) -> IntArray:
        """Agreement level of each pair (left_rows[k], right_rows[k]); -1 when a value is missing."""
        a = self.left_codes[left_rows]
        b = self.right_codes[right_rows]
        out = np.full(len(a), -1, dtype=np.int8)
        present = (a >= 0) & (b >= 0)
        if not present.any():
            return out
        width = np.int64(max(1, len(self.values)))
        keys = a[present] * width + b[present]
        unique, inverse = np.unique(keys, return_inverse=True)
        ua = (unique // width).astype(np.int64)
        ub = (unique % width).astype(np.int64)
        out[present] = self._score_distinct(ua, ub)[inverse]
        return out

    def _derived(
        self, name: str, function: Callable[[str], Any], dtype: Any = object
    ) -> np.ndarray:
        """A per-distinct-value array, computed once (cached)."""
        cached = self._cache.get(name)
        if cached is None:
            cached = np.array([function(value) for value in self.values], dtype=dtype)
            self._cache[name] = cached
        return cached

    def _strings(self) -> np.ndarray:
        return self._derived("strings", lambda v: v)

    def _score_distinct(self, ua: IntArray, ub: IntArray) -> IntArray:
        strings = self._strings()
        sa = strings[ua].tolist()
        sb = strings[ub].tolist()
        exact = ua == ub
        last = self.n_levels - 1
        level = np.full(len(ua), last, dtype=np.int8)
        kind = self.kind
        if kind in ("uscc", "code"):
            distance = process.cpdist(sa, sb, scorer=OSA.distance, workers=-1)
            lengths = self._derived("length", len, np.int64)
            shortest = np.minimum(lengths[ua], lengths[ub])
            if kind == "uscc":
                # Two valid codes that differ are two enterprises (a typo fails the check).
                valid = self._derived("valid", is_valid_uscc, bool)
                level[:] = 3
                level[valid[ua] & valid[ub]] = 4
            level[(distance <= 2) & (shortest >= 6)] = 2
            level[(distance <= 1) & (shortest >= 3)] = 1
        elif kind == "phone":
            distance = process.cpdist(sa, sb, scorer=OSA.distance, workers=-1)
            level[distance <= 1] = 2
            tails = self._interned("tail7", lambda v: v[-7:])
            level[tails[ua] == tails[ub]] = 1
        elif kind == "email":
            similarity = process.cpdist(
                sa, sb, scorer=JaroWinkler.normalized_similarity, workers=-1
            )
            level[similarity >= 0.9] = 2
            local = self._interned("local", lambda v: v.split("@")[0])
            level[local[ua] == local[ub]] = 1
        elif kind == "date":
            distance = process.cpdist(sa, sb, scorer=OSA.distance, workers=-1)
            ordinal = self._derived("ordinal", _ordinal, np.float64)
            with np.errstate(invalid="ignore"):
                level[np.abs(ordinal[ua] - ordinal[ub]) <= 366] = 2
            swapped = self._interned(
                "swapped", lambda v: v[:4] + v[6:8] + v[4:6] if len(v) == 8 else ""
            )
            plain = self._interned("plain", lambda v: v if len(v) == 8 else "")
            level[(distance <= 1) | ((swapped[ua] == plain[ub]) & (plain[ub] >= 0))] = 1
        elif kind == "number":
            numbers = self._derived("number", _as_float, np.float64)
            x, y = numbers[ua], numbers[ub]
            with np.errstate(invalid="ignore", divide="ignore"):
                relative = np.abs(x - y) / np.maximum(np.abs(x), np.abs(y))
            relative = np.nan_to_num(relative, nan=1.0)
            level[relative <= 0.2] = 3
            level[relative <= 0.05] = 2
            level[relative <= 0.005] = 1
        elif kind == "name":
            similarity = process.cpdist(
                sa, sb, scorer=JaroWinkler.normalized_similarity, workers=-1
            )
            level[similarity >= 0.8] = 2
            level[similarity >= 0.92] = 1
        elif kind == "org_name_zh":
            cores = self._derived("core", lambda v: v.split("|", 1)[0])
            similarity = (
                process.cpdist(
                    cores[ua].tolist(), cores[ub].tolist(), scorer=fuzz.ratio, workers=-1
                )
                / 100.0
            )
            # Similar cores count only when the brands (字号) share a character: cores of the
            # same industry (天亚水泵配件, 金龙水泵配件) are similar by their industry words alone.
            brands = self._derived("brand", lambda v: frozenset(v.split("|")[3]))
            similar = np.flatnonzero(similarity >= 0.6)
            shared = np.array(
                [bool(brands[ua[i]] & brands[ub[i]]) for i in similar], dtype=bool
            ).reshape(-1)
            similar = similar[shared]
            level[similar[similarity[similar] >= 0.6]] = 4
            level[similar[similarity[similar] >= 0.8]] = 3
            core_codes = self._interned("core", lambda v: v.split("|", 1)[0])
            same_core = core_codes[ua] == core_codes[ub]
            forms = self._derived("form", lambda v: v.split("|")[1])
            branches = self._derived("branch", lambda v: v.split("|")[2])
            form_a, form_b = forms[ua], forms[ub]
            compatible = (form_a == form_b) | (form_a == "") | (form_b == "")
            compatible &= branches[ua] == branches[ub]
            level[same_core] = 2
            level[same_core & compatible] = 1
        elif kind == "address_zh":
            similarity = process.cpdist(sa, sb, scorer=fuzz.ratio, workers=-1) / 100.0
            level[similarity >= 0.75] = 2
            level[similarity >= 0.9] = 1
        elif kind == "text":
            cjk = any(_CJK.search(s) for s in sa[:50])
            scorer: Callable[..., float] = fuzz.ratio if cjk else fuzz.token_set_ratio
            similarity = process.cpdist(sa, sb, scorer=scorer, workers=-1) / 100.0
            level[similarity >= 0.5] = 2
            level[similarity >= 0.7] = 1
            level[similarity >= 0.9] = 0
            return level
        level[exact] = 0
        return level

    def _interned(self, name: str, function: Callable[[str], str]) -> np.ndarray:
        """Codes of a derived form per distinct value (-1 for an empty form), cached."""
        cached = self._cache.get("interned:" + name)
        if cached is None:
            cached = _map_codes(self.values, function)[:-1]
            self._cache["interned:" + name] = cached
        return cached

    # --- blocking keys ----------------------------------------------------------------------
    def blocking_keys(self) -> list[tuple[str, IntArray, IntArray]]:
        """Candidate blocking keys: (description, left keys, right keys), -1 = no key."""
        keys: list[tuple[str, IntArray, IntArray]] = []
        if self.kind in ("text", "number"):
            pass
        else:
            keys.append((f"{self.name} exact", self.left_codes, self.right_codes))
        if self.kind == "uscc":
            return keys
        derived: list[tuple[str, Callable[[str], str]]] = []
        if self.kind == "org_name_zh":
            derived.append(("core", lambda v: v.split("|", 1)[0]))
            derived.append(("brand", lambda v: v.split("|")[3]))
        elif self.kind == "date":
            derived.append(("year+month", lambda v: v[:6] if len(v) == 8 else ""))
            derived.append(("month+day", lambda v: v[4:] if len(v) == 8 else ""))
        elif self.kind == "name":
            derived.append(("prefix4", lambda v: v[:4] if len(v) >= 4 else ""))
        elif self.kind in ("code", "phone", "email"):
            derived.append(("prefix4", lambda v: v[:4] if len(v) >= 6 else ""))
            derived.append(("suffix4", lambda v: v[-4:] if len(v) >= 6 else ""))
        for label, function in derived:
            mapped = _map_codes(self.values, function)
            keys.append(
                (
                    f"{self.name} {label}",
                    _lookup(mapped, self.left_codes),
                    _lookup(mapped, self.right_codes),
                )
            )
        return keys

    def token_sets(self) -> list[list[str]]:
        """Character n-grams of each distinct value, for min-hash blocking of fuzzy text."""
        out: list[list[str]] = []
        for value in self.values:
            text = value.split("|", 1)[0] if self.kind == "org_name_zh" else value
            q = 2 if _CJK.search(text) else 3
            padded = text if len(text) > q else text + " " * (q - len(text) + 1)
            out.append([padded[i : i + q] for i in range(len(padded) - q + 1)])
        return out


def _map_codes(values: list[str], function: Callable[[str], str]) -> IntArray:
    index: dict[str, int] = {}
    out = np.full(len(values) + 1, -1, dtype=np.int64)  # last slot: missing
    for code, value in enumerate(values):
        derived = function(value)
        if derived:
            out[code] = index.setdefault(derived, len(index))
    return out


def _lookup(mapped: IntArray, codes: IntArray) -> IntArray:
    return mapped[np.where(codes >= 0, codes, len(mapped) - 1)]


def _as_float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("nan")


def _ordinal(value: str) -> float:
    from datetime import date

    try:
        return float(date(int(value[:4]), int(value[4:6]), int(value[6:8])).toordinal())
    except (ValueError, IndexError):
        return float("inf")


def valid_uscc_codes(comparison: Comparison) -> np.ndarray:
    """Mask over a USCC comparison's distinct values: which are valid codes."""
    return np.array([is_valid_uscc(value) for value in comparison.values] + [False], dtype=bool)


def nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)
