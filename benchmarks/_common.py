"""Helpers shared by the benchmark scripts: machine description, tables, docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
HEADER = "| benchmark | this | baseline | ratio | machine | date |\n| --- | --- | --- | --- | --- | --- |\n"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, Python {platform.python_version()}"


def record(name: str, this: str, baseline: str, ratio: str) -> None:
    """Replace (or add) the row of ``name`` in docs/benchmarks.md."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    if HEADER not in text:
        text = text.rstrip() + ("\n\n" if text else "# Benchmarks\n\n") + HEADER
    row = (
        f"| {name} | {this} | {baseline} | {ratio} | {machine()} | {datetime.now(UTC):%Y-%m-%d} |\n"
    )
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith(f"| {name} |")]
    text = "".join(lines)
    head, _, tail = text.partition(HEADER)
    table_end = 0
    for line in tail.splitlines(keepends=True):
        if not line.startswith("|"):
            break
        table_end += len(line)
    DOCS.write_text(head + HEADER + tail[:table_end] + row + tail[table_end:], encoding="utf-8")


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def wrk(
    url: str,
    *,
    threads: int = 2,
    connections: int = 50,
    seconds: int = 15,
    headers: dict[str, str] | None = None,
) -> tuple[float, float]:
    """Run wrk; return (requests per second, p99 latency in ms)."""
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw error responses:\n{out}")
    return rps, p99_ms
