"""Source specs and the pipeline's SQL: one definition in DuckDB's dialect per step.

A :class:`SourceSpec` says how a source's landed columns map onto a standard entity. The SQL
built here reads the source's raw rows (columns renamed ``c0..cn`` so that any header text is
safe in either engine) and produces, per source, a staging table with typed fields and a
``_reason`` per row; the standard table holds the rows without a reason, the quarantine table
the others with their original cells.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from industrybrain.warehouse.entities import ENTITIES, SQL_TYPES, Entity
from industrybrain.warehouse.transforms import TRANSFORMS, UNIT_FACTORS, quote, transform

DEFAULT_TRANSFORMS = {
    "text": "halfwidth",
    "decimal": "number",
    "integer": "integer",
    "date": "date",
    "month": "month",
    "uscc": "uscc",
}
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
INDICATOR_PREFIX = "indicator:"


class MappingError(ValueError):
    """A column mapping is inconsistent with its entity; the message says what to change."""


@dataclass(frozen=True)
class ColumnMap:
    column: str
    """Source column (header text as landed)."""
    field: str
    """Standard field, ``record_id``, or ``indicator:<name>`` for monthly indicators."""
    transform: str = ""
    unit: str = "元"
    """For ``amount``: the unit of bare numbers (元, 万元, 亿元)."""
    label: str = ""
    """For indicators: the unit shown with the value (元, kWh, persons)."""
    required: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "field": self.field,
            "transform": self.transform,
            "unit": self.unit,
            "label": self.label,
            "required": self.required,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ColumnMap:
        return cls(
            column=str(data["column"]),
            field=str(data["field"]),
            transform=str(data.get("transform") or ""),
            unit=str(data.get("unit") or "元"),
            label=str(data.get("label") or ""),
            required=bool(data.get("required", False)),
        )


@dataclass(frozen=True)
class InputFile:
    sha256: str
    parquet_path: str
    quarantine_path: str | None
    order: int
    """Ingest sequence of the file within its source; a later file wins for the same record."""
    rows_in: int
    columns: tuple[str, ...]


@dataclass(frozen=True)
class SourceSpec:
    code: str
    organization_id: int
    entity: str
    columns: tuple[ColumnMap, ...]
    files: tuple[InputFile, ...] = field(default=())

    def validate(self) -> None:
        validate_mapping(self.code, self.entity, self.columns)

    @property
    def entity_def(self) -> Entity:
        return ENTITIES[self.entity]

    def field_map(self) -> dict[str, ColumnMap]:
        return {
            item.field: item for item in self.columns if not item.field.startswith("indicator:")
        }

    def indicators(self) -> list[ColumnMap]:
        return [item for item in self.columns if item.field.startswith(INDICATOR_PREFIX)]

    def source_columns(self) -> list[str]:
        """Every column of the input files (first file's order, then new ones)."""
        seen: dict[str, None] = {}
        for item in self.files:
            for name in item.columns:
                seen.setdefault(name, None)
        for mapped in self.columns:
            seen.setdefault(mapped.column, None)
        return list(seen)

    def digest(self) -> str:
        """What the standard and quarantine tables of this source depend on."""
        payload = {
            "code": self.code,
            "organization_id": self.organization_id,
            "entity": self.entity,
            "columns": [item.to_json() for item in self.columns],
            "files": [(item.sha256, item.order) for item in self.files],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def validate_mapping(code: str, entity_name: str, columns: Sequence[ColumnMap]) -> None:
    if not CODE_RE.match(code):
        raise MappingError(f"source code {code!r}: lower-case letters, digits and _ only")
    entity = ENTITIES.get(entity_name)
    if entity is None:
        raise MappingError(f"unknown entity {entity_name!r}; one of {', '.join(ENTITIES)}")
    targets: set[str] = set()
    for item in columns:
        if item.field in targets:
            raise MappingError(f"field {item.field!r} is mapped twice")
        targets.add(item.field)
        if item.field.startswith(INDICATOR_PREFIX):
            if not entity.indicators:
                raise MappingError(f"{entity_name} has no indicators ({item.field!r})")
            if not CODE_RE.match(item.field[len(INDICATOR_PREFIX) :]):
                raise MappingError(f"indicator name {item.field!r}: lower-case letters and _")
        elif item.field != "record_id" and item.field not in entity.field_names:
            raise MappingError(
                f"{entity_name} has no field {item.field!r}; fields: {', '.join(entity.field_names)}"
            )
        if item.transform and item.transform not in TRANSFORMS:
            raise MappingError(f"unknown transform {item.transform!r}")
        if item.unit not in UNIT_FACTORS:
            raise MappingError(f"unknown unit {item.unit!r}; one of {', '.join(UNIT_FACTORS)}")
    if entity.indicators and not any(t.startswith(INDICATOR_PREFIX) for t in targets):
        raise MappingError("a monthly indicator source maps at least one indicator:<name>")


def _transform_name(entity: Entity, item: ColumnMap) -> str:
    if item.transform:
        return item.transform
    if item.field.startswith(INDICATOR_PREFIX):
        return "number"
    if item.field == "record_id":
        return "trim"
    return DEFAULT_TRANSFORMS[entity.field(item.field).type]


def raw_select_sql(spec: SourceSpec, file: InputFile, view: str) -> str:
    """One input file as rows of ``c0..cn`` text with its lineage columns."""
    all_columns = spec.source_columns()
    present = set(file.columns)
    items = [
        f"{quote(file.sha256)} AS _file_sha256",
        f"CAST({file.order} AS BIGINT) AS _file_order",
        "CAST(_row AS BIGINT) AS _row",
    ]
    for index, name in enumerate(all_columns):
        source = (
            f'CAST("{_ident(name)}" AS VARCHAR)' if name in present else "CAST(NULL AS VARCHAR)"
        )
        items.append(f"{source} AS c{index}")
    return f"SELECT {', '.join(items)} FROM {view}"


def _ident(name: str) -> str:
    return name.replace('"', '""')


def staging_sql(spec: SourceSpec, raw_table: str) -> str:
    """Typed fields and a reason per row (NULL when the row is clean)."""
    entity = spec.entity_def
    position = {name: index for index, name in enumerate(spec.source_columns())}
    fields = spec.field_map()
    selects = [
        f"CAST({spec.organization_id} AS BIGINT) AS organization_id",
        f"{quote(spec.code)} AS source_code",
    ]
    reasons: list[str] = []
    record = fields.get("record_id")
    if record is not None:
        expr = transform("trim", f"c{position[record.column]}")
        selects.append(
            f"COALESCE({expr.value}, {quote(spec.code + ':')} || _file_sha256 || ':' "
            f"|| CAST(_row AS VARCHAR)) AS record_id"
        )
    else:
        selects.append(
            f"{quote(spec.code + ':')} || _file_sha256 || ':' || CAST(_row AS VARCHAR) AS record_id"
        )
    targets = [(f.name, fields.get(f.name), SQL_TYPES[f.type]) for f in entity.fields]
    targets += [(_indicator_column(item), item, "DECIMAL(20,2)") for item in spec.indicators()]
    for name, item, sql_type in targets:
        if item is None:
            selects.append(f"CAST(NULL AS {sql_type}) AS {name}")
            continue
        expr = transform(_transform_name(entity, item), f"c{position[item.column]}", item.unit)
        selects.append(f"CAST({expr.value} AS {sql_type}) AS {name}")
        if expr.problem:
            reasons.append(f"CASE WHEN {expr.failed} THEN {quote(name + ': ' + expr.problem)} END")
        if item.required:
            reasons.append(
                f"CASE WHEN ({expr.value}) IS NULL AND NOT ({expr.failed}) "
                f"THEN {quote(name + ': missing')} END"
            )
    reason = (
        f"NULLIF(concat_ws('; ', {', '.join(reasons)}), '')" if reasons else "CAST(NULL AS VARCHAR)"
    )
    selects.append(f"{reason} AS _reason")
    passthrough = ", ".join(f"c{i}" for i in range(len(position)))
    selects += ["_file_sha256", "_file_order", "_row"]
    if passthrough:
        selects.append(passthrough)
    return f"SELECT {', '.join(selects)} FROM {raw_table}"


def _indicator_column(item: ColumnMap) -> str:
    return "ind_" + item.field[len(INDICATOR_PREFIX) :]


def standard_columns(spec: SourceSpec) -> list[str]:
    entity = spec.entity_def
    names = ["organization_id", "source_code", "record_id", *entity.field_names]
    names += [_indicator_column(item) for item in spec.indicators()]
    return [*names, "_file_sha256", "_file_order", "_row"]


def standard_sql(spec: SourceSpec, staging_table: str) -> str:
    return f"SELECT {', '.join(standard_columns(spec))} FROM {staging_table} WHERE _reason IS NULL"


def quarantine_sql(spec: SourceSpec, staging_table: str, landing_table: str | None) -> str:
    """Rows refused by standardisation, then rows the connector could not land."""
    count = len(spec.source_columns())
    cells = ", ".join(f"c{i}" for i in range(count))
    head = "organization_id, source_code, _file_sha256, _file_order, _row"
    parts = [
        f"SELECT {head}, 'standard' AS _stage, _reason, CAST(NULL AS VARCHAR) AS _raw_text"
        + (f", {cells}" if cells else "")
        + f" FROM {staging_table} WHERE _reason IS NOT NULL"
    ]
    if landing_table is not None:
        nulls = ", ".join(f"CAST(NULL AS VARCHAR) AS c{i}" for i in range(count))
        parts.append(
            f"SELECT CAST({spec.organization_id} AS BIGINT) AS organization_id, "
            f"{quote(spec.code)} AS source_code, _file_sha256, _file_order, _row, "
            f"'landing' AS _stage, _reason, _raw_text"
            + (f", {nulls}" if nulls else "")
            + f" FROM {landing_table}"
        )
    return " UNION ALL ".join(parts)


# Core: one conformed table per entity. A record (source, record_id) keeps its latest version:
# the row of the most recently ingested file, and within a file the last row.
def core_sql(
    entity_name: str, specs: Sequence[SourceSpec], standard_table: Mapping[str, str]
) -> str:
    entity = ENTITIES[entity_name]
    fields = list(entity.field_names)
    if entity.indicators:
        parts = []
        for spec in specs:
            for item in spec.indicators():
                name = item.field[len(INDICATOR_PREFIX) :]
                label = item.label or ("元" if (item.transform == "amount") else "")
                selected = [
                    "COALESCE(month, substr(CAST(read_on AS VARCHAR), 1, 7)) AS month"
                    if f == "month"
                    else f
                    for f in fields
                ]
                parts.append(
                    f"SELECT organization_id, source_code, record_id, {quote(name)} AS indicator, "
                    f"{', '.join(selected)}, {_indicator_column(item)} AS value, "
                    f"{quote(label)} AS unit, _file_sha256, _file_order, _row "
                    f"FROM {standard_table[spec.code]} WHERE {_indicator_column(item)} IS NOT NULL"
                )
        key = "organization_id, source_code, record_id, indicator"
        columns = [
            "organization_id",
            "source_code",
            "record_id",
            "indicator",
            *fields,
            "value",
            "unit",
        ]
    else:
        parts = [
            f"SELECT organization_id, source_code, record_id, {', '.join(fields)}, "
            f"_file_sha256, _file_order, _row FROM {standard_table[spec.code]}"
            for spec in specs
        ]
        key = "organization_id, source_code, record_id"
        columns = ["organization_id", "source_code", "record_id", *fields]
    union = " UNION ALL ".join(parts)
    out = ", ".join([*columns, "_file_sha256", "_row"])
    return (
        f"SELECT {out} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY {key} "
        f"ORDER BY _file_order DESC, _row DESC) AS _rank FROM ({union}) AS u) AS ranked "
        f"WHERE _rank = 1"
    )


def empty_core_sql(entity_name: str) -> str:
    entity = ENTITIES[entity_name]
    cols = [
        "CAST(NULL AS BIGINT) AS organization_id",
        "CAST(NULL AS VARCHAR) AS source_code",
        "CAST(NULL AS VARCHAR) AS record_id",
    ]
    if entity.indicators:
        cols.append("CAST(NULL AS VARCHAR) AS indicator")
    cols += [f"CAST(NULL AS {SQL_TYPES[f.type]}) AS {f.name}" for f in entity.fields]
    if entity.indicators:
        cols += ["CAST(NULL AS DECIMAL(20,2)) AS value", "CAST(NULL AS VARCHAR) AS unit"]
    cols += ["CAST(NULL AS VARCHAR) AS _file_sha256", "CAST(NULL AS BIGINT) AS _row"]
    return f"SELECT {', '.join(cols)} WHERE 1 = 0"


MART_MONTHLY_SQL = (
    "SELECT organization_id, indicator, month, unit, CAST(SUM(value) AS DECIMAL(24,2)) AS value, "
    "COUNT(DISTINCT COALESCE(uscc, account_no, name, record_id)) AS units, "
    "COUNT(*) AS records FROM core.monthly_indicator WHERE month IS NOT NULL "
    "GROUP BY organization_id, indicator, month, unit"
)
MART_MONTHLY_LINEAGE_SQL = (
    "SELECT organization_id, indicator, month, source_code, record_id, _file_sha256, _row "
    "FROM core.monthly_indicator WHERE month IS NOT NULL"
)
