"""Declaration of a step of the demo brain build (``industrybrain demo build``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class DemoContext:
    data_dir: Path
    enterprises: int
    seed: int
    template: str
    report: Callable[[str], None]
    """Lines kept for the final summary (e.g. the demo accounts)."""
    extra: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[str], None] = field(default=lambda _message: None)
    """Transient status of the running step, shown on the progress bar."""


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    run: Callable[[DemoContext], None]
