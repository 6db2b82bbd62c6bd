"""Declaration of a background job kind (the runner lives in the ``jobs`` module)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class JobContext(Protocol):
    """What a running job can do: report progress, write its log, notice cancellation."""

    job_id: int

    def progress(self, fraction: float, message: str = "") -> None: ...

    def log(self, line: str) -> None: ...

    def cancelled(self) -> bool: ...


class JobCancelled(Exception):
    """Raised inside a job when it notices a cancellation request."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    run: Callable[[JobContext, dict[str, Any]], Any]
    title: str = ""
    max_attempts: int | None = None
