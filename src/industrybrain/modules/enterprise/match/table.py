"""Reading delimited files of unknown encoding and delimiter into columns of strings."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

_NULLS = frozenset({"", "nan", "null", "none", "na", "n/a", "-", "--", "\\n"})


@dataclass
class Table:
    """A table as read: the id column and every other column, values stripped (None = missing)."""

    name: str
    ids: list[str]
    columns: dict[str, list[str | None]]

    def __len__(self) -> int:
        return len(self.ids)


def decode(data: bytes) -> str:
    """Decode bytes written by Chinese and Western tools: BOMs first, then UTF-8, then GB18030."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def sniff_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";", "|")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def read_table(path: Path, id_column: str | None, sep: str | None = None) -> Table:
    """Read ``path``; ``id_column`` None numbers the rows from 0."""
    text = decode(Path(path).read_bytes())
    first_line = text.split("\n", 1)[0]
    separator = sep or sniff_separator(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration as error:
        raise ValueError(f"{path}: empty file") from error
    if id_column is not None and id_column not in header:
        raise ValueError(f"{path}: no column {id_column!r} (columns: {', '.join(header)})")
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    width = len(header)
    values: list[list[str | None]] = [[] for _ in header]
    for row in rows:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        for index in range(width):
            cell = row[index].strip()
            values[index].append(None if cell.lower() in _NULLS else cell)
    columns = dict(zip(header, values, strict=True))
    if id_column is None:
        ids = [str(index) for index in range(len(rows))]
    else:
        ids = [value or "" for value in columns.pop(id_column)]
    return Table(Path(path).stem, ids, columns)
