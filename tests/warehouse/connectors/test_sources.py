"""SQL tables, paged HTTP APIs, uploads and large transcoded files."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
import sqlalchemy as sa

from industrybrain.warehouse.connectors import (
    ConnectorError,
    ConnectorOptions,
    HttpOptions,
    _encoding,
    land,
    receive_upload,
)
from industrybrain.warehouse.connectors.httpsource import land_http


def rows_of(path: Path) -> list[tuple[object, ...]]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{path}') ORDER BY _row").fetchall()


def test_sql_table_in_chunks(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'src.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE ent (id INTEGER PRIMARY KEY, name TEXT, cap REAL)")
        conn.exec_driver_sql(
            "INSERT INTO ent VALUES "
            + ",".join(f"({i}, '企业𠮷{i}', {i}.5)" for i in range(1, 251))
        )
    engine.dispose()
    landed = land(
        "",
        ConnectorOptions(format="sql", sql_url=url, sql_table="ent", sql_chunk_rows=40),
        tmp_path / "out",
    )
    assert (landed.rows_in, landed.rows_landed, landed.quarantine) == (250, 250, [])
    rows = rows_of(landed.parquet_path)
    assert rows[0] == ("1", "企业𠮷1", "1.5", 1)
    assert rows[-1] == ("250", "企业𠮷250", "250.5", 250)
    with pytest.raises(ConnectorError, match="does not exist"):
        land("", ConnectorOptions(format="sql", sql_url=url, sql_table="nope"), tmp_path / "o")


def api(total: int, fail_first: int = 0) -> tuple[httpx.MockTransport, list[dict[str, str]]]:
    calls: list[dict[str, str]] = []
    failures = {"left": fail_first}

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        calls.append(params)
        if failures["left"] > 0:
            failures["left"] -= 1
            return httpx.Response(503)
        page, size = int(params["page"]), int(params["size"])
        start = (page - 1) * size
        items = [
            {"id": i, "name": f"企业{i}"} for i in range(start + 1, min(start + size, total) + 1)
        ]
        if page == 2:
            items.append("not an object")  # type: ignore[arg-type]
        return httpx.Response(200, json={"data": {"list": items}})

    return httpx.MockTransport(handler), calls


def test_paged_http_api_with_retry(tmp_path: Path) -> None:
    transport, calls = api(23, fail_first=2)
    opts = ConnectorOptions(
        http=HttpOptions(
            url="http://api.test/ents", size_param="size", page_size=10, items_path="data.list"
        )
    )
    landed = land_http(opts, tmp_path, transport=transport)
    assert landed.rows_landed == 23 and len(landed.quarantine) == 1
    assert landed.rows_in == 24
    assert landed.quarantine[0].reason == "not a JSON object"
    assert [c["page"] for c in calls] == ["1", "1", "1", "2", "3", "4"]  # 2 retries, empty page 4
    rows = rows_of(landed.parquet_path)
    assert [r[0] for r in rows] == [str(i) for i in range(1, 24)]
    assert rows[4][1] == "企业5"


def test_http_api_error_is_clear(tmp_path: Path) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(404))
    opts = ConnectorOptions(http=HttpOptions(url="http://api.test/x", retries=0))
    with pytest.raises(ConnectorError, match="answered 404"):
        land_http(opts, tmp_path, transport=transport)


def test_upload_size_limit_and_cut_off(tmp_path: Path) -> None:
    data = "编号,名称\n1,温岭\n".encode() * 100
    ok = receive_upload(
        io.BytesIO(data),
        max_bytes=10_000,
        expected_size=len(data),
        directory=tmp_path,
        suffix=".csv",
    )
    assert ok.read_bytes() == data
    with pytest.raises(ConnectorError, match="larger than the limit"):
        receive_upload(io.BytesIO(data), max_bytes=100, directory=tmp_path)
    with pytest.raises(ConnectorError, match="cut off: received 1,000 of 1,700"):
        receive_upload(
            [data[:600], data[600:1000]], max_bytes=10_000, expected_size=1700, directory=tmp_path
        )
    with pytest.raises(ConnectorError, match="empty"):
        receive_upload(io.BytesIO(b""), max_bytes=10, directory=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [ok.name]  # failed uploads removed


def test_cut_off_upload_of_a_workbook_is_refused(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    for i in range(2000):
        wb.active.append([i, f"企业{i}"])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    part = receive_upload(
        io.BytesIO(data[: len(data) // 2]), max_bytes=10**8, directory=tmp_path, suffix=".xlsx"
    )  # size unknown to the sender
    with pytest.raises(ConnectorError, match="not a complete xlsx"):
        land(part, ConnectorOptions(), tmp_path / "out")


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16-le"])
def test_big_transcoded_file_round_trips_across_chunks(
    tmp_path: Path, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several 4 MB chunks and (for GB) two worker processes: every character survives."""
    monkeypatch.setattr(_encoding, "PARALLEL_MIN", 2**20)
    rnd = random.Random(5)
    chars = (
        "温岭泵阀大溪镇泽国镇箬横镇𠮷" if encoding == "gb18030" else "温岭泵阀大溪镇泽国镇箬横镇"
    )
    target = 10 * 2**20 if encoding != "utf-16-le" else 5 * 2**20
    lines = ["id,name,note\r\n"]
    size = 0
    i = 0
    while size < target:
        i += 1
        name = "".join(rnd.choice(chars) for _ in range(rnd.randint(1, 30)))
        line = f'{i},{name},"x\r\n{i % 7}"\r\n' if i % 1000 == 0 else f"{i},{name},{i % 7}\r\n"
        lines.append(line)
        size += len(line) * 2
    text = "".join(lines)
    src = tmp_path / "big.csv"
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b""
    src.write_bytes(bom + text.encode(encoding))
    landed = land(src, ConnectorOptions(), tmp_path / "out")
    assert landed.quarantine == [] and landed.rows_landed == i
    got = duckdb.sql(
        f"SELECT string_agg(concat_ws(',', id, name, CASE WHEN note LIKE 'x%' THEN '\"' || note "
        f"|| '\"' ELSE note END), '\n' ORDER BY _row) FROM read_parquet('{landed.parquet_path}')"
    ).fetchall()[0]
    expected = "\n".join(text.replace("\r\n", "\n").split("\n")[1:]).rstrip("\n")
    assert got[0] == expected
    rows = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{landed.parquet_path}') WHERE CAST(id AS INT) != _row"
    ).fetchall()
    assert rows == [(0,)]


def test_parallel_transcode_splits_only_at_newlines(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_bytes(("温岭𠮷\n" * 3_000_000).encode("gb18030"))
    points = _encoding._split_points(src, 0, src.stat().st_size, 4)
    data = src.read_bytes()
    assert all(data[p - 1 : p] == b"\n" for p in points[1:-1])


def test_row_numbers_stay_exact_in_a_parallel_scan_with_rejects(tmp_path: Path) -> None:
    """A 30 MB file read by several DuckDB threads: rejects and blank lines keep numbering."""
    rnd = random.Random(11)
    lines = ["id,name,town\n"]
    bad: list[int] = []
    ordinal = 0
    for i in range(1, 1_200_001):
        ordinal += 1
        if rnd.random() < 0.0005:
            bad.append(ordinal)
            lines.append(f"{i},缺列\n")
            continue
        if rnd.random() < 0.0003:
            lines.append("\n")
        name = f'"多\n行{i}"' if i % 150_000 == 0 else f"企业{i}"
        lines.append(f"{i},{name},大溪镇\n")
    src = tmp_path / "big.csv"
    src.write_text("".join(lines), encoding="utf-8")
    landed = land(src, ConnectorOptions(threads=2), tmp_path / "out")
    assert [q.row_number for q in landed.quarantine] == bad
    assert all(q.raw_text.endswith(",缺列") for q in landed.quarantine)
    assert landed.rows_in == 1_200_000 == landed.rows_landed + len(bad)
    mismatched = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{landed.parquet_path}') WHERE CAST(id AS INT) != _row"
    ).fetchall()
    assert mismatched == [(0,)]


def test_carriage_returns_after_the_sample_are_normalised(tmp_path: Path) -> None:
    src = tmp_path / "late_cr.csv"
    src.write_bytes(b"a,b\n" + b"1,x\n" * 400_000 + b"2,y\r\n3,z\r\n")
    landed = land(src, ConnectorOptions(), tmp_path / "out")
    tail = duckdb.sql(
        f"SELECT a, b FROM read_parquet('{landed.parquet_path}') ORDER BY _row DESC LIMIT 2"
    ).fetchall()
    assert tail == [("3", "z"), ("2", "y")]


def _run_async(coroutine: Any) -> Any:
    """Run a coroutine on a fresh loop in its own thread: the session's Playwright fixture may
    already run an event loop in the main thread, where ``asyncio.run`` is refused."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_async_upload_is_checked_the_same_way(tmp_path: Path) -> None:

    from industrybrain.warehouse.connectors.upload import receive_upload_async

    async def stream(parts: list[bytes]):  # type: ignore[no-untyped-def]
        for p in parts:
            yield p

    ok = _run_async(receive_upload_async(stream([b"a,b\n", b"1,2\n"]), 100, 8, tmp_path))
    assert ok.read_bytes() == b"a,b\n1,2\n"
    with pytest.raises(ConnectorError, match="cut off"):
        _run_async(receive_upload_async(stream([b"a,b\n"]), 100, 8, tmp_path))
    with pytest.raises(ConnectorError, match="limit"):
        _run_async(receive_upload_async(stream([b"x" * 60, b"y" * 60]), 100, None, tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == [ok.name]


def test_url_goes_to_the_http_connector(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="unreachable"):
        land(
            "http://127.0.0.1:9/none",
            ConnectorOptions(http=HttpOptions(url="http://127.0.0.1:9/none", retries=0)),
            tmp_path,
        )
