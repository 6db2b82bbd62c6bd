"""CSV / delimited text: encoding detection, transcoding, DuckDB ``read_csv`` into Parquet."""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from pathlib import Path

import duckdb

from . import _encoding
from ._common import PARQUET, Hasher, connect, count_rows, normalise_headers, sql_ident, sql_str
from ._types import ROW_COLUMN, ConnectorError, ConnectorOptions, LandedFile, QuarantinedRow

SHORT_LINES = 2 * 2**20
SEPARATORS = [",", "\t", ";", "|"]
REASONS = {
    "MISSING COLUMNS": "ragged row (too few fields)",
    "TOO MANY COLUMNS": "ragged row (too many fields)",
    "UNQUOTED VALUE": "broken quotes",
    "INVALID ENCODING": "undecodable bytes",
    "LINE SIZE OVER MAXIMUM": "row longer than the field size limit",
    "INVALID STATE": "malformed row",
}


def sniff_separator(text: str) -> str:
    lines = [ln for ln in text.split("\n")[:50] if ln.strip()]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # possibly cut in the middle
    best, best_score = ",", -1.0
    for sep in SEPARATORS:
        counts = [len(next(csv.reader([ln], delimiter=sep))) - 1 for ln in lines]
        if not counts or max(counts) == 0:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode == 0:
            continue
        score = freq / len(counts) * 10 + min(mode, 50) / 50
        if score > best_score:
            best, best_score = sep, score
    return best


def _join_header(parts: list[str]) -> str:
    out: list[str] = []
    for p in parts:
        p = p.strip()
        if p and (not out or out[-1] != p):
            out.append(p)
    return "/".join(out)


def parse_header(text: str, sep: str, header_rows: int | None) -> tuple[list[str], int, int]:
    """(raw column names, lines to skip before data, header rows used) from the file start."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    records: list[tuple[list[str], int]] = []
    try:
        for rec in reader:
            records.append((rec, reader.line_num))
            if len(records) >= 60:
                break
    except csv.Error:
        pass
    if not records:
        raise ConnectorError("the file has no rows")
    nonblank = [r for r, _ in records if any(f.strip() for f in r)]
    width = Counter(len(r) for r in nonblank[:50]).most_common(1)[0][0] if nonblank else 1
    i = 0
    # leading blank lines and title lines (one filled cell while the table is wider)
    while i < len(records) - 1:
        rec = records[i][0]
        filled = sum(1 for f in rec if f.strip())
        if filled == 0 or (width > 1 and filled == 1 and len(rec) < width):
            i += 1
            continue
        break
    skip_before = records[i - 1][1] if i else 0
    n_header = 1 if header_rows is None else header_rows
    if n_header == 0:
        return [f"col_{k}" for k in range(1, width + 1)], skip_before, 0
    head = [r for r, _ in records[i : i + n_header]]
    if len(head) < n_header:
        head = head + [[]] * (n_header - len(head))
    ncols = max(len(r) for r in head)
    names = [_join_header([r[c] if c < len(r) else "" for r in head]) for c in range(ncols)]
    skip = records[i + n_header - 1][1] if i + n_header - 1 < len(records) else len(text)
    return names, skip, n_header


def _scan(path: Path, needle: bytes, limit: int) -> list[int]:
    """Offsets of ``needle`` (two bytes or more) in the first ``limit`` bytes of ``path``."""
    out: list[int] = []
    overlap = len(needle) - 1
    with open(path, "rb") as fh:
        base = 0
        tail = b""
        while base < limit:
            chunk = fh.read(min(1 << 22, limit - base))
            if not chunk:
                break
            buf = tail + chunk
            start = base - len(tail)
            pos = buf.find(needle)
            while pos >= 0:
                out.append(start + pos)
                pos = buf.find(needle, pos + 1)
            tail = buf[-overlap:] if overlap else b""
            base += len(chunk)
    return sorted(set(out))


def land_csv(path: Path, options: ConnectorOptions, out_dir: Path, size: int) -> LandedFile:
    hasher = Hasher(path)
    if options.encoding:
        try:
            encoding, bom = _encoding.canonical(options.encoding), 0
        except LookupError as exc:
            raise ConnectorError(f"unknown encoding {options.encoding!r}") from exc
        with open(path, "rb") as fh:
            start = fh.read(4)
        for mark, codec in (
            (b"\xef\xbb\xbf", "utf-8"),
            (b"\xff\xfe", "utf-16-le"),
            (b"\xfe\xff", "utf-16-be"),
        ):
            if start.startswith(mark) and encoding.startswith(codec[:6]):
                bom = len(mark)
                if encoding == "utf-16":
                    encoding = codec
    else:
        encoding, bom = _encoding.detect(path, size)
    # DuckDB reads UTF-8 with \n line ends directly; anything else is transcoded first
    # (a carriage return past the first megabyte is noticed by the hasher: then retry)
    with open(path, "rb") as fh:
        head = fh.read(_encoding.SAMPLE)
    direct = encoding == "utf-8" and b"\r" not in head
    work = out_dir / f".{path.name}.{os.getpid()}.utf8.csv"
    try:
        if direct:
            try:
                return _land_text(path, path, options, out_dir, encoding, hasher, True, None)
            except _RetryNormalised:
                pass
        nul = _encoding.transcode(path, work, encoding, bom, size)
        return _land_text(path, work, options, out_dir, encoding, hasher, False, nul)
    finally:
        work.unlink(missing_ok=True)


class _RetryNormalised(Exception):
    pass


def _land_text(
    path: Path,
    read_path: Path,
    options: ConnectorOptions,
    out_dir: Path,
    encoding: str,
    hasher: Hasher,
    direct: bool,
    has_nul: bool | None,
) -> LandedFile:
    with open(read_path, "rb") as fh:
        raw_head = fh.read(_encoding.SAMPLE)
    if raw_head.startswith(b"\xef\xbb\xbf"):
        raw_head = raw_head[3:]
    text = raw_head.decode("utf-8", "replace")
    if len(raw_head) == _encoding.SAMPLE:  # drop a possibly cut last line
        text = text[: text.rfind("\n") + 1] or text
    if not text.strip():
        raise ConnectorError(f"{path.name} holds no text rows")
    sep = options.sep or sniff_separator(text)
    raw_names, skip, header_rows = parse_header(text, sep, options.header_rows)
    names = normalise_headers(raw_names)
    spec = ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names)
    tmp = out_dir / f".{path.name}.{os.getpid()}.tmp.parquet"
    quote = '"'
    cols = ", ".join(sql_ident(n) for n in names)
    # DuckDB sizes its read buffers from max_line_size (32 MB lines cost about 2.5 GB of memory
    # on a 1 GB file), so read with 2 MB lines first and only retry when a longer row exists.
    line_size = min(SHORT_LINES, options.max_field_bytes)
    while True:
        con = connect(options)
        reader = (
            f"read_csv({sql_str(str(read_path))}, columns={{{spec}}}, auto_detect=false, "
            f"header=false, skip={skip}, delim={sql_str(sep)}, quote={sql_str(quote)}, "
            f"escape={sql_str(quote)}, new_line='\\n', strict_mode=true, store_rejects=true, "
            f"max_line_size={int(line_size)}, rejects_scan='ib_scan', "
            "rejects_table='ib_rejects')"
        )
        try:
            con.execute(
                f"COPY (SELECT {cols}, row_number() OVER () AS {ROW_COLUMN} FROM {reader}) "
                f"TO {sql_str(str(tmp))} ({PARQUET})"
            )
            rejects = con.execute(
                "SELECT line, min(byte_position), min(error_type::VARCHAR), "
                "min(csv_line), min(error_message) FROM ib_rejects GROUP BY line ORDER BY line"
            ).fetchall()
            landed = count_rows(con, tmp)
        except duckdb.Error as exc:
            con.close()
            tmp.unlink(missing_ok=True)
            if direct:
                raise _RetryNormalised() from exc
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConnectorError(f"cannot parse {path.name} as CSV: {first}") from exc
        too_long = any(r[2] == "LINE SIZE OVER MAXIMUM" for r in rejects)
        if too_long and line_size < options.max_field_bytes:
            con.close()
            line_size = options.max_field_bytes
            continue
        break
    quarantine: list[QuarantinedRow] = []
    if rejects:
        last = max(int(r[1] or 0) for r in rejects)
        blanks = [p + 1 for p in _scan(read_path, b"\n\n", last + 1)]
        positions: dict[int, int] = {}
        for j, (line, bpos, etype, raw, msg) in enumerate(rejects, start=1):
            nblank = sum(1 for b in blanks if b < int(bpos or 0) and b >= 0)
            ordinal = int(line) - skip - nblank
            reason = REASONS.get(str(etype), str(etype).lower())
            if etype in ("MISSING COLUMNS", "TOO MANY COLUMNS") and msg:
                reason = f"{reason}: {msg}"
            if etype == "INVALID ENCODING":
                reason = f"{reason}: not valid {encoding}"
            quarantine.append(QuarantinedRow(ordinal, str(raw or "").strip("\n"), reason))
            positions[ordinal - j] = j
        con.execute("CREATE TABLE ib_pos (p BIGINT, c BIGINT)")
        con.executemany("INSERT INTO ib_pos VALUES (?, ?)", sorted(positions.items()))
        tmp2 = out_dir / f".{path.name}.{os.getpid()}.tmp2.parquet"
        con.execute(
            f"COPY (SELECT t.* EXCLUDE ({ROW_COLUMN}), t.{ROW_COLUMN} + coalesce(p.c, 0) "
            f"AS {ROW_COLUMN} FROM read_parquet({sql_str(str(tmp))}) t "
            f"ASOF LEFT JOIN ib_pos p ON t.{ROW_COLUMN} > p.p ORDER BY t.{ROW_COLUMN}) "
            f"TO {sql_str(str(tmp2))} ({PARQUET})"
        )
        os.replace(tmp2, tmp)
    if direct:
        hasher.result()
        if hasher.has_cr:
            con.close()
            tmp.unlink(missing_ok=True)
            raise _RetryNormalised()
        has_nul = hasher.has_nul
    if has_nul:
        landed = _move_nul_rows(con, tmp, names, quarantine, out_dir, path)
    con.close()
    digest = hasher.result()
    final = out_dir / f"{path.stem}-{digest[:12]}.parquet"
    os.replace(tmp, final)
    quarantine.sort(key=lambda q: q.row_number)
    return LandedFile(
        parquet_path=final,
        rows_in=landed + len(quarantine),
        rows_landed=landed,
        quarantine=quarantine,
        sha256=digest,
        format="csv",
        encoding=encoding,
        columns=names,
        header_rows=header_rows,
        source_columns=raw_names,
    )


def _move_nul_rows(
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    names: list[str],
    quarantine: list[QuarantinedRow],
    out_dir: Path,
    path: Path,
) -> int:
    has_nul = " OR ".join(f"contains(coalesce({sql_ident(n)}, ''), chr(0))" for n in names)
    src = f"read_parquet({sql_str(str(tmp))})"
    bad = con.execute(
        f"SELECT {ROW_COLUMN}, concat_ws(',', {', '.join(sql_ident(n) for n in names)}) "
        f"FROM {src} WHERE {has_nul} ORDER BY {ROW_COLUMN}"
    ).fetchall()
    for row, raw in bad:
        quarantine.append(
            QuarantinedRow(int(row), str(raw).replace("\x00", "\\0"), "NUL byte in row")
        )
    tmp2 = out_dir / f".{path.name}.{os.getpid()}.nul.parquet"
    con.execute(
        f"COPY (SELECT * FROM {src} WHERE NOT ({has_nul}) ORDER BY {ROW_COLUMN}) "
        f"TO {sql_str(str(tmp2))} ({PARQUET})"
    )
    os.replace(tmp2, tmp)
    return int(con.execute(f"SELECT count(*) FROM {src}").fetchone()[0])  # type: ignore[index]
