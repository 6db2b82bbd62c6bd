"""Demo cluster generator at volume: at least 1,000,000 source records (all sources' rows plus
catalogue rows) written to disk with their ground truth, on this machine's cores.

Bound (issue 4): at most 120 s for 1,000,000 source records on 2 cores. The baseline column
states that bound; the ratio is bound / measured time (above 1 = within the bound).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import print_table, record

ENTERPRISES = int(os.environ.get("BENCH_DEMO_ENTERPRISES", "7600"))
MIN_RECORDS = 1_000_000
BOUND_SECONDS = 120.0


def main() -> int:
    from industrybrain.modules.demo.service import generate_demo

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        manifest = generate_demo(Path(folder) / "demo", enterprises=ENTERPRISES, seed=7)
        seconds = time.perf_counter() - started
    records = manifest["source_records"]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_table(
        ["enterprises", "records", "seconds", "records/s", "peak RSS"],
        [
            [
                f"{ENTERPRISES:,}",
                f"{records:,}",
                f"{seconds:.1f}",
                f"{records / seconds:,.0f}",
                f"{peak_mib:,.0f} MiB",
            ]
        ],
    )
    if records < MIN_RECORDS:
        print(f"only {records:,} records: raise BENCH_DEMO_ENTERPRISES")
        return 1
    record(
        "demo generate, ≥1M source records (incl. truth, xlsx catalogues)",
        f"{records:,} records in {seconds:.1f} s ({records / seconds:,.0f}/s), peak RSS {peak_mib:,.0f} MiB",
        f"bound: {BOUND_SECONDS:.0f} s",
        f"{BOUND_SECONDS / seconds:.2f}x under bound",
    )
    return 0 if seconds <= BOUND_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
