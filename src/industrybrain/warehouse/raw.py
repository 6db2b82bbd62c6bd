"""The raw zone on disk: every landed file stored once, content-addressed by the sha256 of the
file as received (and a digest of the connector options), immutable once written.

``data_dir/raw/<sha[:2]>/<sha>/<options digest>/`` holds ``data.parquet`` (all-text columns and
``_row``), ``quarantine.parquet`` (rows the connector could not land: ``_row``, ``_raw_text``,
``_reason``) and ``meta.json``. A directory appears by one rename, so a crash never leaves a
half-written entry behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from industrybrain.warehouse.faults import checkpoint

LINEAGE_COLUMNS = ("_row",)


@dataclass(frozen=True)
class RawFile:
    sha256: str
    relative_dir: str
    rows_in: int
    rows_landed: int
    rows_quarantined: int
    columns: tuple[str, ...]
    encoding: str | None
    format: str
    options_digest: str

    def parquet_path(self, data_dir: Path) -> Path:
        return data_dir / self.relative_dir / "data.parquet"

    def quarantine_path(self, data_dir: Path) -> Path:
        return data_dir / self.relative_dir / "quarantine.parquet"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def options_digest(options: dict[str, Any]) -> str:
    clean = {k: v for k, v in sorted(options.items()) if v not in (None, "", "auto")}
    return hashlib.sha256(json.dumps(clean, sort_keys=True).encode()).hexdigest()[:16]


def _read_meta(folder: Path) -> RawFile:
    data = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    data["columns"] = tuple(data["columns"])
    return RawFile(**data)


def land_file(path: Path, options: dict[str, Any], data_dir: Path) -> RawFile:
    """Land ``path`` into the raw zone (once per content and options) and describe it.

    Raises the connectors' ``ConnectorError`` for a file that cannot be read at all.
    """
    from industrybrain.warehouse.connectors import ConnectorOptions, land

    sha = file_sha256(path)
    digest = options_digest(options)
    relative = Path("raw") / sha[:2] / sha / digest
    target = data_dir / relative
    if (target / "meta.json").exists():
        return _read_meta(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.parent / f".tmp-{uuid.uuid4().hex}"
    work = temp / "work"
    work.mkdir(parents=True)
    try:
        known = {f.name for f in dataclasses.fields(ConnectorOptions)}
        landed = land(
            path, ConnectorOptions(**{k: v for k, v in options.items() if k in known}), work
        )
        checkpoint("land")
        shutil.move(str(landed.parquet_path), temp / "data.parquet")
        rows = [(int(r), str(t), str(reason)) for r, t, reason in landed.quarantine]
        table = pa.table(
            {
                "_row": pa.array([r[0] for r in rows], pa.int64()),
                "_raw_text": pa.array([r[1] for r in rows], pa.string()),
                "_reason": pa.array([r[2] for r in rows], pa.string()),
            }
        )
        pq.write_table(table, temp / "quarantine.parquet")
        schema = pq.read_schema(temp / "data.parquet")
        if landed.rows_in != landed.rows_landed + len(rows):
            raise RuntimeError(f"connector accounting broken for {path}")
        meta = RawFile(
            sha256=sha,
            relative_dir=relative.as_posix(),
            rows_in=int(landed.rows_in),
            rows_landed=int(landed.rows_landed),
            rows_quarantined=len(rows),
            columns=tuple(name for name in schema.names if name not in LINEAGE_COLUMNS),
            encoding=landed.encoding,
            format=str(landed.format),
            options_digest=digest,
        )
        shutil.rmtree(work)
        (temp / "meta.json").write_text(json.dumps(dataclasses.asdict(meta)), encoding="utf-8")
        for item in temp.iterdir():
            _fsync(item)
            item.chmod(0o444)
        try:
            os.replace(temp, target)
        except OSError:
            # Landed concurrently by another process: theirs is identical.
            shutil.rmtree(temp, ignore_errors=True)
        _fsync(target.parent)
        return _read_meta(target)
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
