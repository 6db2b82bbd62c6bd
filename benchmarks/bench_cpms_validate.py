"""Validate 1,000,000 product records with per-row, per-attribute errors: the CPMS validator
(Polars expressions) side by side with Pydantic v2 per-row ``model_validate`` and pandera on
Polars, all enforcing the same 13 rules on the same text input (as read from a file).

Rules: model required; flow_rate, head, power required decimals in range; speed and voltage
integers in range; phase, frequency, protection_class in their enum; GTIN check digit and
unique; handle form ``88.<industry>.<enterprise>/<suffix>``; HS code in HS 2022.

Each engine runs in its own process reading the same Parquet file; peak memory is the
process's peak resident set minus its resident set after loading the input.

    .venv/bin/python -m benchmarks.bench_cpms_validate [--rows 1000000] [--no-record]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

CATEGORY = "PV01.01.01"
RULES = 13


def make_records(rows: int, seed: int = 7) -> pl.DataFrame:
    """Clean records with about 3% of the cells spoiled (type, range, enum, identifiers)."""
    rng = np.random.default_rng(seed)
    bodies = np.char.add("69", np.char.zfill(np.arange(rows).astype(str), 10))
    body_digits = (np.arange(rows)[:, None] // 10 ** np.arange(9, -1, -1)[None, :]) % 10
    full = np.concatenate([np.tile([6, 9], (rows, 1)), body_digits], axis=1)
    weights = np.array([1, 3] * 6)  # 12-digit body: rightmost gets 3
    check = (10 - (full * weights).sum(axis=1) % 10) % 10
    gtin = np.char.add(bodies, check.astype(str))
    frame = pl.DataFrame(
        {
            "category": [CATEGORY] * rows,
            "model": np.char.add("QJ-", np.arange(rows).astype(str)),
            "flow_rate": np.round(rng.uniform(0.5, 500, rows), 1).astype(str),
            "head": np.round(rng.uniform(1, 300, rows), 1).astype(str),
            "power": np.round(rng.uniform(0.1, 100, rows), 2).astype(str),
            "speed": rng.choice(["1450", "2850", "960"], rows),
            "voltage": rng.choice(["220", "380"], rows),
            "phase": rng.choice(["单相", "三相"], rows),
            "frequency": rng.choice(["50Hz", "60Hz"], rows),
            "protection_class": rng.choice(["IP44", "IP54", "IP68"], rows),
            "gtin": gtin,
            "handle": np.char.add("88.118.8/", np.arange(rows).astype(str)),
            "hs_code": rng.choice(["841370", "841360", "8413"], rows),
        }
    )
    spoil = {
        "model": None,
        "flow_rate": "待定",
        "head": "99999",
        "power": None,
        "speed": "2850.5",
        "voltage": "abc",
        "phase": "两相",
        "frequency": "55Hz",
        "protection_class": "IP99",
        "gtin": "6900000000000",
        "handle": "86.1/x",
        "hs_code": "123456",
    }
    columns = []
    for name, bad in spoil.items():
        mask = rng.random(rows) < 0.0025
        columns.append(
            pl.when(pl.Series(mask)).then(pl.lit(bad, dtype=pl.Utf8)).otherwise(pl.col(name))
            .alias(name)
        )  # fmt: skip
    return frame.with_columns(columns)


# --- the three engines -----------------------------------------------------------------------


def run_cpms(frame: pl.DataFrame) -> int:
    from industrybrain.modules.cpms.document import StandardDocument, from_template

    full = from_template("pumps-valves")
    keep = set(frame.columns)
    chain = [*full.ancestors(CATEGORY), full.category(CATEGORY)]
    document = StandardDocument.model_validate(
        {
            "categories": [
                {
                    **c.model_dump(),
                    "attributes": [a.model_dump() for a in c.attributes if a.code in keep],
                }
                for c in chain
            ]
        }
    )
    from industrybrain.modules.cpms.validate import validate_frame

    return validate_frame(frame, document, with_values=False).errors.height


def run_pydantic(frame: pl.DataFrame) -> int:
    from collections import Counter
    from typing import Annotated, Literal

    from pydantic import AfterValidator, BaseModel, Field, ValidationError

    from industrybrain import reference
    from industrybrain.kit.ids import is_valid_gtin
    from industrybrain.modules.cpms.validate import HANDLE_PATTERN

    hs = frozenset(c for c, e in reference.hs_codes().items() if e.level >= 4)

    def gtin_ok(value: str) -> str:
        if not is_valid_gtin(value):
            raise ValueError("bad GTIN")
        return value

    def hs_ok(value: str) -> str:
        if not (value[:6] in hs or value[:4] in hs):
            raise ValueError("bad HS code")
        return value

    class Record(BaseModel):
        model: str
        flow_rate: Annotated[float, Field(ge=0.1, le=50000)]
        head: Annotated[float, Field(ge=0.5, le=2500)]
        power: Annotated[float, Field(ge=0.01, le=5000)]
        speed: Annotated[int, Field(ge=300, le=20000)] | None = None
        voltage: Annotated[int, Field(ge=12, le=10000)] | None = None
        phase: Literal["单相", "三相"] | None = None
        frequency: Literal["50Hz", "60Hz"] | None = None
        protection_class: Literal["IP44", "IP54", "IP55", "IP56", "IP65", "IP66", "IP68"] | None = (
            None
        )
        gtin: Annotated[str, AfterValidator(gtin_ok)] | None = None
        handle: Annotated[str, Field(pattern=HANDLE_PATTERN)] | None = None
        hs_code: Annotated[str, AfterValidator(hs_ok)] | None = None

    errors = 0
    for row in frame.drop("category").iter_rows(named=True):
        try:
            Record.model_validate(row)
        except ValidationError as exc:
            errors += len({e["loc"][0] for e in exc.errors()})
    counts = Counter(frame.get_column("gtin").to_list())
    # a duplicate is an error of its own only where the GTIN is otherwise valid
    errors += sum(n for g, n in counts.items() if n > 1 and g is not None and is_valid_gtin(g))
    return errors


def run_pandera(frame: pl.DataFrame) -> int:
    import pandera.polars as pa
    from pandera.errors import SchemaErrors

    from industrybrain import reference
    from industrybrain.modules.cpms.validate import HANDLE_PATTERN

    hs = list(frozenset(c for c, e in reference.hs_codes().items() if e.level >= 4))

    def number(low: float, high: float, integer: bool = False) -> pa.Check:
        def check(data: pa.PolarsData) -> pl.LazyFrame:
            value = pl.col(data.key).cast(pl.Float64, strict=False)
            ok = value.is_between(low, high)
            if integer:
                ok = ok & (value == value.round(0))
            return data.lazyframe.select(ok.fill_null(False))

        return pa.Check(check)

    def gtin(data: pa.PolarsData) -> pl.LazyFrame:
        raw = pl.col(data.key)
        padded = raw.str.zfill(14)
        digits = [padded.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(14)]
        total = pl.sum_horizontal([d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13])])
        ok = raw.str.contains(r"^\d+$") & (((10 - total % 10) % 10) == digits[13])
        return data.lazyframe.select(ok.fill_null(False))

    def hs_code(data: pa.PolarsData) -> pl.LazyFrame:
        raw = pl.col(data.key)
        ok = raw.str.slice(0, 6).is_in(hs) | raw.str.slice(0, 4).is_in(hs)
        return data.lazyframe.select(ok)

    schema = pa.DataFrameSchema(
        {
            "model": pa.Column(str, nullable=False),
            "flow_rate": pa.Column(str, number(0.1, 50000), nullable=False),
            "head": pa.Column(str, number(0.5, 2500), nullable=False),
            "power": pa.Column(str, number(0.01, 5000), nullable=False),
            "speed": pa.Column(str, number(300, 20000, True), nullable=True),
            "voltage": pa.Column(str, number(12, 10000, True), nullable=True),
            "phase": pa.Column(str, pa.Check.isin(["单相", "三相"]), nullable=True),
            "frequency": pa.Column(str, pa.Check.isin(["50Hz", "60Hz"]), nullable=True),
            "protection_class": pa.Column(
                str,
                pa.Check.isin(["IP44", "IP54", "IP55", "IP56", "IP65", "IP66", "IP68"]),
                nullable=True,
            ),
            "gtin": pa.Column(str, pa.Check(gtin), nullable=True, unique=True),
            "handle": pa.Column(str, pa.Check.str_matches(HANDLE_PATTERN), nullable=True),
            "hs_code": pa.Column(str, pa.Check(hs_code), nullable=True),
        }
    )
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        return int(cases.select(["index", "column"]).unique().height)
    return 0


ENGINES = {"cpms": run_cpms, "pydantic": run_pydantic, "pandera": run_pandera}


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child(engine: str, path: str) -> None:
    import threading

    frame = pl.read_parquet(path)
    ENGINES[engine](frame.head(1000))  # imports and schema building out of the timing
    before = _rss_kib()
    samples = [before]
    running = True

    def sample() -> None:  # the process's peak RSS is set by reading the input: sample instead
        while running:
            samples.append(_rss_kib())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    errors = ENGINES[engine](frame)
    seconds = time.perf_counter() - start
    running = False
    sampler.join()
    peak = max(samples)
    print(
        json.dumps(
            {
                "engine": engine,
                "seconds": seconds,
                "errors": errors,
                "rows": frame.height,
                "peak_mib": max(0, peak - before) / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from benchmarks._common import print_table, record

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "records.parquet")
        make_records(args.rows).write_parquet(path)
        results = {}
        for engine in ENGINES:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.bench_cpms_validate", "--child", engine, path],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[engine] = json.loads(out.strip().splitlines()[-1])
    rows = []
    for engine, r in results.items():
        rows.append(
            [
                engine,
                f"{r['seconds']:.2f}",
                f"{r['rows'] / r['seconds'] / 1e3:,.0f}k",
                f"{r['errors']:,}",
                f"{r['peak_mib']:,.0f}",
            ]
        )
    print_table(["engine", "seconds", "rows/s", "error cells", "peak MiB over input"], rows)
    print(f"load average at start: {load:.2f}; {RULES} rules, {args.rows:,} records")
    cpms, pandera, pydantic = results["cpms"], results["pandera"], results["pydantic"]
    if not args.no_record:
        record(
            "cpms validate 1M records (13 rules, per-row per-attribute errors)",
            f"{cpms['rows'] / cpms['seconds'] / 1e6:.2f}M rows/s, {cpms['peak_mib']:.0f} MiB",
            f"pandera-polars {pandera['rows'] / pandera['seconds'] / 1e6:.2f}M rows/s "
            f"({pandera['peak_mib']:.0f} MiB); Pydantic per row "
            f"{pydantic['rows'] / pydantic['seconds'] / 1e3:.0f}k rows/s "
            f"({pydantic['peak_mib']:.0f} MiB)",
            f"{pandera['seconds'] / cpms['seconds']:.2f}× pandera, "
            f"{pydantic['seconds'] / cpms['seconds']:.1f}× Pydantic",
        )


if __name__ == "__main__":
    main()
