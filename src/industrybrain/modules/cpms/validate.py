"""Vectorised validation of product records against a standard version (Polars expressions).

Input is a wide frame: one row per product, a ``_row`` number, a ``category`` column holding
category codes, optional identifier columns (``gtin``, ``handle``, ``hs_code``, ``sku``) and one
column per attribute code holding what the enterprise wrote (text such as ``"15 m³/h"``,
``"１５"``, or numbers). Every rule of every attribute becomes one Polars expression, evaluated
column-wise for all rows at once (no Python loop per row); the result is

- ``errors``: one row per (record, attribute) that breaks a rule: ``_row``, ``attribute``,
  ``kind``, ``value`` (as written);
- ``values``: the normalised, unit-converted values (attribute unit) of the cells without error.

Error kinds: ``missing_required``, ``not_a_number``, ``unit_mismatch``, ``out_of_range``,
``wrong_type`` (a non-integral integer, a bad boolean or date), ``not_in_enum``, ``duplicate``
(a ``unique`` attribute or GTIN seen twice), ``bad_gtin`` (form or check digit), ``bad_handle``
(not ``88.<industry>.<enterprise>/<suffix>``), ``bad_hs_code`` (not an HS 2022 heading or
subheading), ``unknown_category``. Full-width digits and thousands separators are normalised,
not errors.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import polars as pl

from industrybrain.modules.cpms import units
from industrybrain.modules.cpms.document import AttributeDef, StandardDocument

ROW = "_row"
IDENTIFIERS = ("sku", "gtin", "handle", "hs_code")
KINDS = (
    "missing_required",
    "not_a_number",
    "unit_mismatch",
    "out_of_range",
    "wrong_type",
    "not_in_enum",
    "duplicate",
    "bad_gtin",
    "bad_handle",
    "bad_hs_code",
    "unknown_category",
)
HANDLE_PATTERN = r"^88\.\d{1,8}\.\d{1,12}/[!-~]+$"
_NUMBER = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
_QUANTITY = rf"^{_NUMBER}\s*(.*)$"
_TRUE = ("是", "有", "true", "yes", "y", "1", "√")
_FALSE = ("否", "无", "false", "no", "n", "0", "×")


@dataclass
class ValidationResult:
    errors: pl.DataFrame
    values: pl.DataFrame
    rows: int
    version: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows_with_errors(self) -> int:
        return int(self.errors.get_column(ROW).n_unique()) if self.errors.height else 0

    def summary(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "rows_with_errors": self.rows_with_errors,
            "errors": self.errors.height,
            "by_kind": dict(sorted(self.counts.items())),
            "version": self.version,
        }


def _clean(column: str) -> pl.Expr:
    text = (
        pl.col(column)
        .cast(pl.Utf8)
        .str.replace_many(units.FULL_WIDTH_FROM, units.FULL_WIDTH_TO)
        .str.replace_all("\u3000", " ", literal=True)
        .str.strip_chars()
    )
    return pl.when(text == "").then(None).otherwise(text)


@lru_cache(maxsize=1)
def _hs_codes() -> frozenset[str]:
    from industrybrain import reference

    return frozenset(code for code, entry in reference.hs_codes().items() if entry.level >= 4)


def _rule_groups(
    document: StandardDocument, present: list[str]
) -> dict[str, list[tuple[AttributeDef, list[str]]]]:
    """attribute code -> [(definition, categories where it applies with that definition)]."""
    groups: dict[str, dict[tuple[object, ...], tuple[AttributeDef, list[str]]]] = {}
    wanted = set(present)
    for category in document.categories:
        for attribute in document.attributes_of(category.code):
            if attribute.code not in wanted:
                continue
            slot = groups.setdefault(attribute.code, {})
            key = attribute.rule_key()
            if key not in slot:
                slot[key] = (attribute, [])
            slot[key][1].append(category.code)
    return {code: list(slot.values()) for code, slot in groups.items()}


def _c(code: str) -> str:
    return f"__c_{code}"


def _attribute_stages(
    code: str,
    groups: list[tuple[AttributeDef, list[str]]],
    header_unit: str | None,
) -> tuple[list[pl.Expr], list[pl.Expr], pl.Expr, pl.Expr]:
    """Expressions of one attribute column, in stages that refer to the previous stage's columns
    (flat expression trees plan in milliseconds; one nested tree per rule did not):
    (parse stage, convert stage, error kind, normalised value)."""
    raw = pl.col(_c(code))
    parse: list[pl.Expr] = []
    convert: list[pl.Expr] = []
    kinds: list[pl.Expr] = []
    values: list[pl.Expr] = []
    category = pl.col("category")
    numeric_done = False
    for position, (attribute, categories) in enumerate(groups):
        applies = category.is_in(categories)
        missing = raw.is_null()
        kind: Any
        if attribute.datatype in ("decimal", "integer"):
            number, unit_text = pl.col(f"__n_{code}"), pl.col(f"__u_{code}")
            if not numeric_done:
                parts = raw.str.replace_all(",", "", literal=True).str.extract_groups(_QUANTITY)
                parse.append(
                    parts.struct.field("1").cast(pl.Float64, strict=False).alias(f"__n_{code}")
                )
                text = parts.struct.field("2").str.replace_all(" ", "", literal=True)
                parse.append(pl.when(text == "").then(None).otherwise(text).alias(f"__u_{code}"))
                numeric_done = True
            table = units.conversion_table(attribute.unit) if attribute.unit else {}
            default_factor = (
                units.factor(header_unit, attribute.unit) if attribute.unit and header_unit else 1.0
            )
            written = (
                unit_text.replace_strict(
                    list(table), list(table.values()), default=None, return_dtype=pl.Float64
                )
                if table
                else pl.lit(None, dtype=pl.Float64)
            )
            factor_name = f"__f{position}_{code}"
            convert.append(
                pl.when(unit_text.is_null())
                .then(pl.lit(default_factor, dtype=pl.Float64))
                .otherwise(written)
                .alias(factor_name)
            )
            conversion = pl.col(factor_name)
            value = number * conversion
            bad_range = pl.lit(False)
            if attribute.min is not None:
                bad_range = bad_range | (value < attribute.min - 1e-9)
            if attribute.max is not None:
                bad_range = bad_range | (value > attribute.max + 1e-9)
            kind = (
                pl.when(missing)
                .then(pl.lit("missing_required" if attribute.required else None))
                .when(number.is_null())
                .then(pl.lit("not_a_number"))
                .when(conversion.is_null())
                .then(pl.lit("unit_mismatch"))
                .when(bad_range)
                .then(pl.lit("out_of_range"))
            )
            if attribute.datatype == "integer":
                kind = kind.when((value - value.round(0)).abs() > 1e-6).then(pl.lit("wrong_type"))
            normalised = value.cast(pl.Utf8)
        elif attribute.datatype == "enum":
            key = raw.str.replace_all(" ", "", literal=True).str.to_lowercase()
            options = {v.replace(" ", "").lower(): v for v in attribute.enum}
            canonical = key.replace_strict(
                list(options), list(options.values()), default=None, return_dtype=pl.Utf8
            )
            kind = (
                pl.when(missing)
                .then(pl.lit("missing_required" if attribute.required else None))
                .when(canonical.is_null())
                .then(pl.lit("not_in_enum"))
            )
            normalised = canonical
        elif attribute.datatype == "boolean":
            key = raw.str.to_lowercase()
            truth = (
                pl.when(key.is_in(_TRUE))
                .then(pl.lit("true"))
                .when(key.is_in(_FALSE))
                .then(pl.lit("false"))
            )
            kind = (
                pl.when(missing)
                .then(pl.lit("missing_required" if attribute.required else None))
                .when(truth.is_null())
                .then(pl.lit("wrong_type"))
            )
            normalised = truth
        elif attribute.datatype == "date":
            parsed = raw.str.replace_all("/", "-", literal=True).str.to_date(strict=False)
            kind = (
                pl.when(missing)
                .then(pl.lit("missing_required" if attribute.required else None))
                .when(parsed.is_null())
                .then(pl.lit("wrong_type"))
            )
            normalised = parsed.cast(pl.Utf8)
        else:
            kind = pl.when(missing).then(pl.lit("missing_required" if attribute.required else None))
            normalised = raw
        if attribute.unique:
            kind = kind.when(raw.is_duplicated() & raw.is_not_null()).then(pl.lit("duplicate"))
        kinds.append(pl.when(applies).then(kind.otherwise(pl.lit(None, dtype=pl.Utf8))))
        values.append(pl.when(applies).then(normalised))
    kind_all = pl.coalesce(kinds) if len(kinds) > 1 else kinds[0]
    value_all = pl.coalesce(values) if len(values) > 1 else values[0]
    return parse, convert, kind_all, value_all


def _gtin_kind() -> pl.Expr:
    raw = _clean("gtin")
    padded = raw.str.zfill(14)
    digits = [padded.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(14)]
    total = pl.sum_horizontal([d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13])])
    good_form = raw.str.contains(r"^\d+$") & raw.str.len_chars().is_in([8, 12, 13, 14])
    good_check = ((10 - total % 10) % 10) == digits[13]
    return (
        pl.when(raw.is_null())
        .then(None)
        .when(~good_form)
        .then(pl.lit("bad_gtin"))
        .when(~good_check)
        .then(pl.lit("bad_gtin"))
        .when(raw.is_duplicated())
        .then(pl.lit("duplicate"))
        .otherwise(None)
    )


def _handle_kind() -> pl.Expr:
    raw = _clean("handle")
    return pl.when(raw.is_not_null() & ~raw.str.contains(HANDLE_PATTERN)).then(pl.lit("bad_handle"))


def _hs_kind() -> pl.Expr:
    raw = _clean("hs_code").str.replace_all(".", "", literal=True)
    form = raw.str.contains(r"^\d{4}(\d{2}){0,3}$")
    known = raw.str.slice(0, 6).is_in(_hs_codes()) | raw.str.slice(0, 4).is_in(_hs_codes())
    six = raw.str.len_chars() >= 6
    known = pl.when(six).then(raw.str.slice(0, 6).is_in(_hs_codes())).otherwise(known)
    return pl.when(raw.is_not_null() & ~(form & known)).then(pl.lit("bad_hs_code"))


def validate_frame(
    frame: pl.DataFrame,
    document: StandardDocument,
    *,
    header_units: dict[str, str | None] | None = None,
    version: str = "",
) -> ValidationResult:
    """Validate every record of ``frame`` against ``document`` (see the module docstring)."""
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=1)
    if "category" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias("category"))
    header_units = header_units or {}
    attribute_columns = [
        c for c in frame.columns if c not in (ROW, "category", *IDENTIFIERS) and c[0] != "_"
    ]
    groups = _rule_groups(document, attribute_columns)
    # Required attributes that have no column at all are missing in every applicable record.
    absent: dict[str, list[tuple[AttributeDef, list[str]]]] = {}
    for code, attribute_groups in _rule_groups(document, list(document.all_attributes())).items():
        if code not in frame.columns and any(a.required for a, _ in attribute_groups):
            absent[code] = attribute_groups
    if absent:
        frame = frame.with_columns([pl.lit(None, dtype=pl.Utf8).alias(c) for c in absent])
        groups.update(absent)
    known_categories = [c.code for c in document.categories]
    kind_exprs: list[pl.Expr] = [
        pl.when(pl.col("category").is_null())
        .then(pl.lit("missing_required"))
        .when(~pl.col("category").is_in(known_categories))
        .then(pl.lit("unknown_category"))
        .alias("category")
    ]
    value_exprs: list[pl.Expr] = [pl.col(ROW), pl.col("category")]
    clean_stage: list[pl.Expr] = []
    parse_stage: list[pl.Expr] = []
    convert_stage: list[pl.Expr] = []
    for code, attribute_groups in groups.items():
        clean_stage.append(_clean(code).alias(_c(code)))
        parse, convert, kind, value = _attribute_stages(
            code, attribute_groups, header_units.get(code)
        )
        parse_stage.extend(parse)
        convert_stage.extend(convert)
        kind_exprs.append(kind.alias(code))
        value_exprs.append(value.alias(code))
    identifier_kinds = {"gtin": _gtin_kind, "handle": _handle_kind, "hs_code": _hs_kind}
    for name, make in identifier_kinds.items():
        if name in frame.columns:
            kind_exprs.append(make().alias(name))
            value_exprs.append(_clean(name).alias(name))
    if "sku" in frame.columns:
        value_exprs.append(_clean("sku").alias("sku"))
    lazy = frame.lazy()
    staged = lazy.with_columns(clean_stage)
    if parse_stage:
        staged = staged.with_columns(parse_stage)
    if convert_stage:
        staged = staged.with_columns(convert_stage)
    checked = ["category", *groups, *[n for n in identifier_kinds if n in frame.columns]]
    raw_columns = [c for c in checked if c in frame.columns]
    kinds_frame, values_frame = pl.collect_all(
        [
            staged.select(
                pl.col(ROW),
                *kind_exprs,
                *[pl.col(c).cast(pl.Utf8).alias(f"__raw_{c}") for c in raw_columns],
            ),
            staged.select(value_exprs),
        ]
    )
    pieces = [
        kinds_frame.lazy()
        .filter(pl.col(c).is_not_null())
        .select(
            pl.col(ROW),
            pl.lit(c).alias("attribute"),
            pl.col(c).alias("kind"),
            (pl.col(f"__raw_{c}") if c in raw_columns else pl.lit(None, dtype=pl.Utf8)).alias(
                "value"
            ),
        )
        for c in checked
    ]
    errors = (
        pl.concat(pieces).sort(ROW, maintain_order=True).collect()
        if pieces
        else pl.DataFrame(
            schema={ROW: pl.Int64, "attribute": pl.Utf8, "kind": pl.Utf8, "value": pl.Utf8}
        )
    )
    values = values_frame
    counts = Counter(dict(errors.group_by("kind").len().iter_rows()))
    return ValidationResult(
        errors=errors.select(ROW, "attribute", "kind", "value"),
        values=values,
        rows=frame.height,
        version=version,
        counts={str(k): int(v) for k, v in counts.items()},
    )


def completeness(values: pl.DataFrame, document: StandardDocument) -> pl.Series:
    """Share of a record's applicable attributes (own and inherited) that hold a valid value."""
    per_category = {
        c.code: [a.code for a in document.attributes_of(c.code)] for c in document.categories
    }
    filled_parts: list[pl.Expr] = []
    totals: dict[str, int] = {code: len(attrs) for code, attrs in per_category.items()}
    for code in {a for attrs in per_category.values() for a in attrs}:
        if code not in values.columns:
            continue
        cats = [c for c, attrs in per_category.items() if code in attrs]
        filled_parts.append(
            (pl.col("category").is_in(cats) & pl.col(code).is_not_null()).cast(pl.Int32)
        )
    total = pl.col("category").replace_strict(
        list(totals), list(totals.values()), default=None, return_dtype=pl.Float64
    )
    filled = pl.sum_horizontal(filled_parts) if filled_parts else pl.lit(0)
    return values.select((filled / total).fill_null(0.0).round(4).alias("completeness")).to_series()
