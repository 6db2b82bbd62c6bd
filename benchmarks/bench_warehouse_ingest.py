"""Warehouse connectors at volume: CSV (UTF-8 and GBK) and a 1,000,000-row xlsx workbook.

Targets (issue 5):
- land() of a 1 GB UTF-8 CSV (10 columns of enterprise-like data) at least 50% of DuckDB's bare
  ``CREATE TABLE AS SELECT * FROM read_csv(...)`` measured in the same run;
- a 100 MB GBK CSV end to end (detection, transcoding, Parquet) at 80 MB/s or more;
- an xlsx workbook of 1,000,000 rows: land() time, compared with python-calamine's bare read.

Each measurement runs in its own child process so its peak RSS is its own. The machine is
shared: wall time is noisy under load, so CPU seconds are shown too. Sizes can be reduced with
BENCH_CSV_MB / BENCH_GBK_MB / BENCH_XLSX_ROWS for a quick run.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import print_table, record

CSV_MB = int(os.environ.get("BENCH_CSV_MB", "1024"))
GBK_MB = int(os.environ.get("BENCH_GBK_MB", "100"))
XLSX_ROWS = int(os.environ.get("BENCH_XLSX_ROWS", "1000000"))
PARTS = set(os.environ.get("BENCH_PARTS", "csv,gbk,xlsx").split(","))
HEADER = "id,uscc,name,town,founded,capital_wan,employees,industry,phone,status\n"
TOWNS = ["大溪镇", "泽国镇", "城东街道", "新河镇", "温峤镇", "箬横镇", "松门镇", "石塘镇", "滨海镇"]
WORDS = "泵阀机电科技制造铸造精密流体水泵电机五金液压动力阀门管业"
SUFFIXES = ["有限公司", "股份有限公司", "制造厂", "机械厂"]
STATUS = ["存续", "在业", "注销", "吊销"]


def enterprise_lines(start: int, n: int, rnd: random.Random) -> str:
    out = []
    for i in range(start, start + n):
        name = "温岭市" + "".join(rnd.choices(WORDS, k=rnd.randint(2, 6))) + rnd.choice(SUFFIXES)
        out.append(
            f"{i},91331081MA{rnd.randrange(10**8):08d},{name},{rnd.choice(TOWNS)},"
            f"{rnd.randint(1990, 2024)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d},"
            f"{rnd.random() * 5000:.2f},{rnd.randint(1, 2000)},C{rnd.randint(3400, 3599)},"
            f"0576-{rnd.randrange(10**8):08d},{rnd.choice(STATUS)}\n"
        )
    return "".join(out)


def write_csv(path: Path, target_bytes: int, encoding: str) -> int:
    """Write distinct rows until ``target_bytes``; a pool of blocks keeps generation quick."""
    rnd = random.Random(7)
    blocks = [enterprise_lines(0, 20_000, rnd) for _ in range(8)]
    size, rows = 0, 0
    with open(path, "wb") as fh:
        fh.write(HEADER.encode(encoding))
        while size < target_bytes:
            block = blocks[rows // 20_000 % len(blocks)]
            # renumber the ids so every row differs from the block it came from
            lines = block.split("\n")[:-1]
            text = "".join(f"{rows + k + 1}{ln[ln.index(',') :]}\n" for k, ln in enumerate(lines))
            data = text.encode(encoding)
            fh.write(data)
            size += len(data)
            rows += len(lines)
    return rows


def write_xlsx(path: Path, rows: int) -> float:
    import openpyxl

    started = time.perf_counter()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("企业")
    ws.append(HEADER.strip().split(","))
    rnd = random.Random(3)
    block = [ln.split(",") for ln in enterprise_lines(1, 5000, rnd).strip().split("\n")]
    for i in range(rows):
        r = block[i % len(block)]
        ws.append([i + 1, r[1], r[2], r[3], r[4], float(r[5]), int(r[6]), r[7], r[8], r[9]])
    wb.save(path)
    return time.perf_counter() - started


# ------------------------------------------------------------------ child measurements


def child(kind: str, path: str, out_dir: str) -> None:
    import duckdb

    started = time.perf_counter()
    cpu0 = time.process_time()
    info: dict[str, object] = {}
    if kind == "bare":
        con = duckdb.connect()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
        info["rows"] = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    elif kind == "land":
        from industrybrain.warehouse.connectors import ConnectorOptions, land

        landed = land(path, ConnectorOptions(), Path(out_dir))
        info.update(
            rows=landed.rows_landed, quarantined=len(landed.quarantine), encoding=landed.encoding
        )
    elif kind == "calamine":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(path)
        n = 0
        for _ in wb.get_sheet_by_index(0).iter_rows():
            n += 1
        info["rows"] = n - 1
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    info.update(
        wall=time.perf_counter() - started,
        cpu=time.process_time() - cpu0 + children.ru_utime + children.ru_stime,
        peak_mib=max(me.ru_maxrss, children.ru_maxrss) / 1024,
    )
    print(json.dumps(info))


def run_child(kind: str, path: Path, out_dir: Path) -> dict[str, float | str | int]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), str(out_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    rows_out: list[list[str]] = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-wh-") as folder:
        tmp = Path(folder)
        out = tmp / "out"
        # ---- 1 GB UTF-8 CSV: land() vs DuckDB bare read_csv into a table
        big = tmp / "enterprises.csv"
        if "csv" in PARTS:
            ok &= bench_csv(big, out, rows_out)
        if "gbk" in PARTS:
            ok &= bench_gbk(tmp, out, rows_out)
        if "xlsx" in PARTS:
            bench_xlsx(tmp, out, rows_out)
    print_table(["input", "land()", "baseline", "ratio", "peak RSS", "load avg"], rows_out)
    return 0 if ok else 1


def bench_csv(big: Path, out: Path, rows_out: list[list[str]]) -> bool:
    n = write_csv(big, CSV_MB * 2**20, "utf-8")
    size_mb = big.stat().st_size / 1e6
    load_before = load()
    bare = run_child("bare", big, out)
    landed = run_child("land", big, out)
    bare2 = run_child("bare", big, out)  # again, to even out the machine's load
    bare_wall = min(float(bare["wall"]), float(bare2["wall"]))
    bare_mbs = size_mb / bare_wall
    land_mbs = size_mb / float(landed["wall"])
    ratio = land_mbs / bare_mbs
    cpu_ratio = float(bare["cpu"]) / float(landed["cpu"])
    assert landed["rows"] == n and bare["rows"] == n, (landed, bare, n)
    ok = ratio >= 0.5
    rows_out.append(
        [
            f"UTF-8 CSV {size_mb:,.0f} MB, {n:,} rows",
            f"{land_mbs:.0f} MB/s",
            f"bare DuckDB {bare_mbs:.0f} MB/s",
            f"{ratio:.2f} (cpu {cpu_ratio:.2f})",
            f"{float(landed['peak_mib']):,.0f} MiB",
            load_before,
        ]
    )
    record(
        "warehouse land 1 GB UTF-8 CSV vs DuckDB bare read_csv",
        f"{land_mbs:.0f} MB/s ({size_mb:,.0f} MB, {n:,} rows, peak RSS "
        f"{float(landed['peak_mib']):,.0f} MiB; load {load_before})",
        f"DuckDB CREATE TABLE AS read_csv: {bare_mbs:.0f} MB/s",
        f"{ratio:.2f} of bare wall time (target ≥ 0.50); {cpu_ratio:.2f} in CPU seconds",
    )
    big.unlink()
    for p in out.glob("*"):
        p.unlink()
    return ok


def bench_gbk(tmp: Path, out: Path, rows_out: list[list[str]]) -> bool:
    gbk = tmp / "enterprises_gbk.csv"
    n = write_csv(gbk, GBK_MB * 2**20, "gbk")
    size_mb = gbk.stat().st_size / 1e6
    load_before = load()
    res = run_child("land", gbk, out)
    assert res["rows"] == n and res["encoding"] == "gb18030", res
    gbk_mbs = size_mb / float(res["wall"])
    ok = gbk_mbs >= 80
    rows_out.append(
        [
            f"GBK CSV {size_mb:,.0f} MB, {n:,} rows",
            f"{gbk_mbs:.0f} MB/s",
            "target 80 MB/s",
            f"{gbk_mbs / 80:.2f}",
            f"{float(res['peak_mib']):,.0f} MiB",
            load_before,
        ]
    )
    record(
        "warehouse land 100 MB GBK CSV end to end",
        f"{gbk_mbs:.0f} MB/s ({size_mb:,.0f} MB, {n:,} rows, cpu {float(res['cpu']):.1f} s, "
        f"peak RSS {float(res['peak_mib']):,.0f} MiB; load {load_before})",
        "target: 80 MB/s",
        f"{gbk_mbs / 80:.2f}x target",
    )
    gbk.unlink()
    for p in out.glob("*"):
        p.unlink()
    return ok


def bench_xlsx(tmp: Path, out: Path, rows_out: list[list[str]]) -> None:
    book = tmp / "enterprises.xlsx"
    write_s = write_xlsx(book, XLSX_ROWS)
    load_before = load()
    res = run_child("land", book, out)
    assert res["rows"] == XLSX_ROWS, res
    try:
        cal = run_child("calamine", book, out)
        cal_text = f"python-calamine bare read {float(cal['wall']):.1f} s"
        cal_ratio = f"{float(cal['wall']) / float(res['wall']):.2f} of calamine speed"
    except RuntimeError as exc:
        cal_text, cal_ratio = f"calamine unavailable ({str(exc)[-80:]})", "n/a"
    rows_out.append(
        [
            f"xlsx {XLSX_ROWS:,} rows x 10 (written in {write_s:.0f} s)",
            f"{float(res['wall']):.1f} s",
            cal_text,
            cal_ratio,
            f"{float(res['peak_mib']):,.0f} MiB",
            load_before,
        ]
    )
    record(
        "warehouse land xlsx 1,000,000 rows",
        f"{float(res['wall']):.1f} s ({XLSX_ROWS / float(res['wall']):,.0f} rows/s, python-calamine cells "
        f"+ XML scan; peak RSS {float(res['peak_mib']):,.0f} MiB; load {load_before})",
        cal_text,
        cal_ratio,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        raise SystemExit(main())
