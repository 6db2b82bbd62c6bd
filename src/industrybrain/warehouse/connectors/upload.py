"""Receiving a web upload into a file with a size limit and a completeness check."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ._types import ConnectorError


def _chunks(stream: BinaryIO | Iterable[bytes]) -> Iterator[bytes]:
    read = getattr(stream, "read", None)
    if read is not None:
        while chunk := read(1 << 20):
            yield chunk
    else:
        yield from stream


def receive_upload(
    stream: BinaryIO | Iterable[bytes],
    max_bytes: int,
    expected_size: int | None = None,
    directory: Path | None = None,
    suffix: str = "",
) -> Path:
    """Copy ``stream`` into a new file; ConnectorError if it is too big, empty or cut off."""
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=directory)
    path = Path(name)
    total = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(stream):
                total += len(chunk)
                if total > max_bytes:
                    raise ConnectorError(
                        f"the upload is larger than the limit of {max_bytes:,} bytes"
                    )
                out.write(chunk)
        if expected_size is not None and total != expected_size:
            raise ConnectorError(
                f"the upload was cut off: received {total:,} of {expected_size:,} bytes"
            )
        if total == 0:
            raise ConnectorError("the upload is empty (0 bytes)")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


async def receive_upload_async(
    stream: AsyncIterator[bytes],
    max_bytes: int,
    expected_size: int | None = None,
    directory: Path | None = None,
    suffix: str = "",
) -> Path:
    """The same for an async byte stream (e.g. Starlette's ``request.stream()``)."""
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=directory)
    path = Path(name)
    total = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in stream:
                total += len(chunk)
                if total > max_bytes:
                    raise ConnectorError(
                        f"the upload is larger than the limit of {max_bytes:,} bytes"
                    )
                out.write(chunk)
        if expected_size is not None and total != expected_size:
            raise ConnectorError(
                f"the upload was cut off: received {total:,} of {expected_size:,} bytes"
            )
        if total == 0:
            raise ConnectorError("the upload is empty (0 bytes)")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
