"""Enterprise supply graph: upstream/downstream walks to depth 3 on 1,000,000 edges.

Bound (issue 8): p95 under 100 ms. The graph has 200,000 enterprises and heavy-tailed degrees
(both ends drawn with Pareto weights, so a few enterprises supply or buy from thousands, as in
real invoice data). Ours: CSR arrays saved as .npy and memory-mapped (``SupplyGraph.load``).
Baseline, same run, same queries: a recursive CTE in DuckDB over an indexed edge table (what a
data team would write first), on a subset of the queries because it is slow.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import print_table, record

EDGES = int(os.environ.get("BENCH_CHAIN_EDGES", "1000000"))
ENTERPRISES = EDGES // 5
QUERIES = 200
BASELINE_QUERIES = 20
DEPTH = 3
BOUND_MS = 100.0


def make_edges(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    weights = rng.pareto(1.3, ENTERPRISES) + 1.0
    weights /= weights.sum()
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < EDGES:
        need = int((EDGES - len(keys)) * 1.2) + 1000
        source = rng.choice(ENTERPRISES, need, p=weights)
        target = rng.choice(ENTERPRISES, need, p=weights[rng.permutation(ENTERPRISES)])
        fresh = source[source != target] * ENTERPRISES + target[source != target]
        keys = np.unique(np.concatenate([keys, fresh]))
    keys = rng.permutation(keys)[:EDGES]
    return keys // ENTERPRISES, keys % ENTERPRISES


def percentile_ms(samples: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples) * 1000.0, q))


def main() -> int:
    import duckdb

    from industrybrain.modules.chain.graph import SupplyGraph

    rng = np.random.default_rng(8)
    source, target = make_edges(rng)
    ids = [f"E{i:07d}" for i in range(ENTERPRISES)]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        graph = SupplyGraph.from_positions(ids, source, target, np.ones(len(source)))
        graph.save(Path(folder) / "graph")
        build_seconds = time.perf_counter() - started
        graph = SupplyGraph.load(Path(folder) / "graph")  # memory-mapped
        connected = np.flatnonzero((np.diff(graph.out_indptr) > 0) | (np.diff(graph.in_indptr) > 0))
        starts = rng.choice(connected, QUERIES, replace=False)
        ours: list[float] = []
        reached_counts: list[int] = []
        for index, start in enumerate(starts):
            direction = "up" if index % 2 else "down"
            began = time.perf_counter()
            positions, _ = graph.walk_positions(int(start), direction, DEPTH)
            ours.append(time.perf_counter() - began)
            reached_counts.append(len(positions))

        # The hardest starts: the 20 enterprises with the most trading partners.
        degree = np.diff(graph.out_indptr) + np.diff(graph.in_indptr)
        hub_times: list[float] = []
        hub_reached: list[int] = []
        for index, start in enumerate(np.argsort(-degree)[:20]):
            began = time.perf_counter()
            positions, _ = graph.walk_positions(int(start), "up" if index % 2 else "down", DEPTH)
            hub_times.append(time.perf_counter() - began)
            hub_reached.append(len(positions))

        con = duckdb.connect()
        con.execute("CREATE TABLE edges (supplier INTEGER, buyer INTEGER)")
        con.register(
            "edge_frame", {"supplier": source.astype(np.int32), "buyer": target.astype(np.int32)}
        )
        con.execute("INSERT INTO edges SELECT * FROM edge_frame")
        con.execute("CREATE INDEX edges_supplier ON edges (supplier)")
        con.execute("CREATE INDEX edges_buyer ON edges (buyer)")
        baseline: list[float] = []
        mismatches = 0
        for index, start in enumerate(starts[:BASELINE_QUERIES]):
            direction = "up" if index % 2 else "down"
            near, far = ("buyer", "supplier") if direction == "up" else ("supplier", "buyer")
            sql = f"""
                WITH RECURSIVE walk(node, depth) AS (
                    SELECT ?::INTEGER, 0
                    UNION
                    SELECT e.{far}, w.depth + 1 FROM walk w JOIN edges e ON e.{near} = w.node
                    WHERE w.depth < {DEPTH}
                )
                SELECT node FROM walk WHERE node <> ? GROUP BY node
            """
            began = time.perf_counter()
            rows = con.execute(sql, [int(start), int(start)]).fetchall()
            baseline.append(time.perf_counter() - began)
            mismatches += int(len(rows) != reached_counts[index])

    p50, p95, worst = (percentile_ms(ours, q) for q in (50, 95, 100))
    b50, b95 = percentile_ms(baseline, 50), percentile_ms(baseline, 95)
    load = os.getloadavg()[0]
    print_table(
        ["engine", "queries", "p50 ms", "p95 ms", "max ms", "mean reached"],
        [
            [
                "SupplyGraph (CSR, mmap)",
                str(QUERIES),
                f"{p50:.2f}",
                f"{p95:.2f}",
                f"{worst:.2f}",
                f"{np.mean(reached_counts):,.0f}",
            ],
            [
                "DuckDB recursive CTE",
                str(len(baseline)),
                f"{b50:.1f}",
                f"{b95:.1f}",
                f"{percentile_ms(baseline, 100):.1f}",
                f"{np.mean(reached_counts[:BASELINE_QUERIES]):,.0f}",
            ],
        ],
    )
    print(
        f"hubs (20 most connected): max {max(hub_times) * 1000:.1f} ms, "
        f"mean reached {np.mean(hub_reached):,.0f} enterprises"
    )
    print(
        f"{EDGES:,} edges, {ENTERPRISES:,} enterprises, build+save {build_seconds:.1f} s, "
        f"result mismatches vs DuckDB: {mismatches}, load average {load:.1f}"
    )
    record(
        "chain supply graph, up/down depth 3, 1M edges (p95)",
        f"p95 {p95:.1f} ms, p50 {p50:.1f} ms ({QUERIES} queries, mean {np.mean(reached_counts):,.0f}"
        f" enterprises reached; 20 hubs: max {max(hub_times) * 1000:.0f} ms for "
        f"{np.mean(hub_reached):,.0f} reached; load avg {load:.1f})",
        f"DuckDB recursive CTE p95 {b95:.0f} ms, p50 {b50:.0f} ms ({len(baseline)} queries)",
        f"{b95 / p95:.0f}x faster at p95; bound {BOUND_MS:.0f} ms",
    )
    return 0 if p95 < BOUND_MS and mismatches == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
