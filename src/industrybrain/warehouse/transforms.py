"""Column transforms as SQL expressions: one definition, written in DuckDB's dialect, run as is
on DuckDB and transpiled by SQLGlot for Spark. Every transform maps a text expression to
``(value, failed)``: ``value`` is the typed result or NULL, ``failed`` is true when the input
had content that could not be converted (such a row goes to quarantine with a reason).

Only functions that both engines share with the same semantics are used: ``translate``,
``regexp_replace`` (all matches), ``regexp_matches``/``RLIKE`` (partial match),
``regexp_extract``, ``TRY_CAST``, ``substr``, ``strpos``, ``lpad``, ``CASE``.
"""

from __future__ import annotations

from dataclasses import dataclass

from industrybrain.kit.ids import USCC_ALPHABET, USCC_WEIGHTS

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space map to their half-width forms.
FULLWIDTH = "".join(chr(0xFF01 + i) for i in range(94)) + "\u3000"
HALFWIDTH = "".join(chr(0x21 + i) for i in range(94)) + " "

TRANSFORMS: dict[str, str] = {
    "trim": "trim spaces; empty is missing",
    "halfwidth": "full-width letters, digits and punctuation to half-width, then trim",
    "number": "a number such as 1,234.5 (full-width digits allowed)",
    "integer": "a whole number",
    "amount": "money in yuan from 元/万元/亿元 text; a bare number is in the mapping's unit",
    "date": "YYYY-MM-DD, YYYY/M/D, YYYY年M月D日, YYYYMMDD or an Excel serial day number",
    "month": "YYYY-MM from 2024年03月, 202403, 2024-03, 2024/3",
    "year": "a year between 1900 and 2100",
    "uscc": "unified social credit code: normalised and checked (GB 32100 and GB 11714)",
}
UNIT_FACTORS: dict[str, int] = {"元": 1, "万元": 10_000, "亿元": 100_000_000}

_NUMBER = r"[+-]?[0-9]+(\.[0-9]+)?"


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Expr:
    value: str
    failed: str
    problem: str


def halfwidth(x: str) -> str:
    return f"NULLIF(trim(translate({x}, {quote(FULLWIDTH)}, {quote(HALFWIDTH)})), '')"


def _compact(x: str) -> str:
    """Half-width, without spaces and thousands separators."""
    return f"NULLIF(regexp_replace(translate({x}, {quote(FULLWIDTH)}, {quote(HALFWIDTH)}), '[,\\s]', '', 'g'), '')"


def transform(name: str, x: str, unit: str = "元") -> Expr:
    """The SQL of transform ``name`` applied to the text expression ``x``."""
    present = f"({x} IS NOT NULL AND trim({x}) <> '')"
    if name == "trim":
        value = f"NULLIF(trim({x}), '')"
        return Expr(value, "FALSE", "")
    if name == "halfwidth":
        return Expr(halfwidth(x), "FALSE", "")
    if name in ("number", "integer", "year"):
        c = _compact(x)
        pattern = f"^{_NUMBER}$" if name == "number" else "^[+-]?[0-9]+(\\.0+)?$"
        target = "DECIMAL(20,2)" if name == "number" else "BIGINT"
        value = (
            f"CASE WHEN regexp_matches({c}, {quote(pattern)}) "
            f"THEN CAST(TRY_CAST({c} AS DECIMAL(38,6)) AS {target}) END"
        )
        if name == "year":
            value = f"CASE WHEN {value} BETWEEN 1900 AND 2100 THEN {value} END"
        problem = {"number": "not a number", "integer": "not a whole number"}.get(
            name, "not a year"
        )
        return Expr(value, f"({present} AND ({value}) IS NULL)", problem)
    if name == "amount":
        c = _compact(x)
        factor = UNIT_FACTORS[unit]
        pattern = f"^{_NUMBER}(亿元|万元|元|亿|万)?(人民币)?$"
        number = f"TRY_CAST(regexp_extract({c}, {quote('^' + _NUMBER)}, 0) AS DECIMAL(38,6))"
        multiplier = (
            f"CASE WHEN strpos({c}, '亿') > 0 THEN 100000000 WHEN strpos({c}, '万') > 0 "
            f"THEN 10000 WHEN strpos({c}, '元') > 0 THEN 1 ELSE {factor} END"
        )
        value = (
            f"CASE WHEN regexp_matches({c}, {quote(pattern)}) "
            f"THEN CAST({number} * {multiplier} AS DECIMAL(20,2)) END"
        )
        return Expr(value, f"({present} AND ({value}) IS NULL)", "not an amount")
    if name == "date":
        c = _compact(x)
        ymd = "^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$"
        compact = "^([0-9]{4})([0-9]{2})([0-9]{2})$"
        serial = "^[0-9]{1,5}(\\.0+)?$"

        def _date(pattern: str) -> str:
            parts = [f"regexp_extract({c}, {quote(pattern)}, {i})" for i in (1, 2, 3)]
            text = (
                f"{parts[0]} || '-' || lpad({parts[1]}, 2, '0') || '-' || lpad({parts[2]}, 2, '0')"
            )
            return f"TRY_CAST({text} AS DATE)"

        serial_days = f"CAST(TRY_CAST({c} AS DECIMAL(12,2)) AS INTEGER)"
        value = (
            f"CASE WHEN regexp_matches({c}, {quote(ymd)}) THEN {_date(ymd)} "
            f"WHEN regexp_matches({c}, {quote(compact)}) THEN {_date(compact)} "
            f"WHEN regexp_matches({c}, {quote(serial)}) AND {serial_days} BETWEEN 1 AND 73050 "
            f"THEN DATE '1899-12-30' + {serial_days} END"
        )
        return Expr(value, f"({present} AND ({value}) IS NULL)", "not a date")
    if name == "month":
        c = _compact(x)
        pattern = "^([0-9]{4})[-/.年]?([0-9]{1,2})月?$"
        year = f"regexp_extract({c}, {quote(pattern)}, 1)"
        month = f"regexp_extract({c}, {quote(pattern)}, 2)"
        value = (
            f"CASE WHEN regexp_matches({c}, {quote(pattern)}) "
            f"AND TRY_CAST({month} AS INTEGER) BETWEEN 1 AND 12 "
            f"AND TRY_CAST({year} AS INTEGER) BETWEEN 1900 AND 2100 "
            f"THEN {year} || '-' || lpad(CAST(TRY_CAST({month} AS INTEGER) AS VARCHAR), 2, '0') END"
        )
        return Expr(value, f"({present} AND ({value}) IS NULL)", "not a month")
    if name == "uscc":
        code = f"upper({_compact_code(x)})"
        return Expr(
            f"CASE WHEN {uscc_valid_sql(code)} THEN {code} END",
            f"({present} AND NOT ({uscc_valid_sql(code)}))",
            "not a valid unified social credit code",
        )
    raise ValueError(f"unknown transform {name!r}")


def _compact_code(x: str) -> str:
    return f"NULLIF(regexp_replace(translate({x}, {quote(FULLWIDTH)}, {quote(HALFWIDTH)}), '[\\s-]', '', 'g'), '')"


def uscc_valid_sql(code: str) -> str:
    """SQL that is true exactly when ``code`` passes ``kit.ids.is_valid_uscc``.

    Form (GB 32100-2015): registration department, a non-zero category digit, six digits of the
    division code, a GB 11714 organisation code (8 characters + mod-11 check), and the mod-31
    check character over the first 17.
    """
    alphabet = quote(USCC_ALPHABET)
    org_values = quote("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    uscc_sum = " + ".join(
        f"(strpos({alphabet}, substr({code}, {i + 1}, 1)) - 1) * {weight}"
        for i, weight in enumerate(USCC_WEIGHTS)
    )
    org_sum = " + ".join(
        f"(strpos({org_values}, substr({code}, {9 + i}, 1)) - 1) * {weight}"
        for i, weight in enumerate((3, 7, 9, 10, 5, 8, 4, 2))
    )
    org_check = (
        f"CASE 11 - ({org_sum}) % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' "
        f"ELSE CAST(11 - ({org_sum}) % 11 AS VARCHAR) END"
    )
    form = "^[1-9ANY][1-9][0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$"
    return (
        f"(COALESCE(regexp_matches({code}, {quote(form)}), FALSE) "
        f"AND substr({alphabet}, (31 - ({uscc_sum}) % 31) % 31 + 1, 1) = substr({code}, 18, 1) "
        f"AND {org_check} = substr({code}, 17, 1))"
    )
