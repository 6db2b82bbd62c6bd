"""A paged HTTP JSON API: page or offset parameters, stop on an empty page, retries."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from ._common import sha256_file
from ._types import ConnectorError, ConnectorOptions, HttpOptions, LandedFile
from .structured import land_jsonl


def _items(page: Any, path: str) -> Any:
    node = page
    for key in [p for p in path.split(".") if p]:
        if not isinstance(node, dict) or key not in node:
            raise ConnectorError(f"the API page has no {path!r}")
        node = node[key]
    if isinstance(node, dict) and not path:
        for key in ("items", "data", "rows", "records", "results"):
            if isinstance(node.get(key), list):
                return node[key]
    if not isinstance(node, list):
        raise ConnectorError(f"the API page's {path or 'body'} is not a list")
    return node


def fetch_pages(
    http: HttpOptions, sink_path: Path, transport: httpx.BaseTransport | None = None
) -> int:
    """Write every item as one JSON line into ``sink_path``; returns the page count."""
    pages = 0
    with (
        httpx.Client(transport=transport, timeout=http.timeout_s, headers=http.headers) as client,
        open(sink_path, "wb") as out,
    ):
        position = 0 if http.offset_mode else http.first_page
        while pages < http.max_pages:
            params = {http.page_param: position, http.size_param: http.page_size}
            response = None
            for attempt in range(http.retries + 1):
                try:
                    response = client.get(http.url, params=params)
                except httpx.TransportError as exc:
                    if attempt == http.retries:
                        raise ConnectorError(
                            f"the API at {http.url} is unreachable: {exc}"
                        ) from exc
                    time.sleep(min(0.2 * 2**attempt, 5))
                    continue
                if response.status_code in (429, 500, 502, 503, 504) and attempt < http.retries:
                    time.sleep(min(0.2 * 2**attempt, 5))
                    continue
                break
            assert response is not None
            if response.status_code >= 400:
                raise ConnectorError(
                    f"the API answered {response.status_code} for page {position} of {http.url}"
                )
            try:
                items = _items(response.json(), http.items_path)
            except ValueError as exc:
                raise ConnectorError(f"page {position} of {http.url} is not JSON") from exc
            pages += 1
            if not items:
                break
            for item in items:
                out.write(orjson.dumps(item) + b"\n")
            position += len(items) if http.offset_mode else 1
    return pages


def land_http(
    options: ConnectorOptions, out_dir: Path, transport: httpx.BaseTransport | None = None
) -> LandedFile:
    http = options.http
    if http is None:
        raise ConnectorError("an HTTP source needs http options")
    staged = out_dir / f".http-{os.getpid()}.jsonl"
    try:
        fetch_pages(http, staged, transport or getattr(http, "transport", None))
        if staged.stat().st_size == 0:
            staged.write_bytes(b"")
        named = out_dir / "http.jsonl"
        os.replace(staged, named)
        if named.stat().st_size == 0:
            raise ConnectorError(f"the API at {http.url} returned no items")
        landed = land_jsonl(named, options, out_dir)
        landed.format = "http"
        landed.sha256 = sha256_file(named)
        named.unlink(missing_ok=True)
        return landed
    finally:
        staged.unlink(missing_ok=True)
