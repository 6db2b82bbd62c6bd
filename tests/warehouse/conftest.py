"""Warehouse test fixtures. While the real connectors have not landed, a CSV/JSONL-only
fallback lander (tests only) stands in for ``industrybrain.warehouse.connectors.land``."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def install_fallback() -> None:
    try:
        from industrybrain.warehouse.connectors import land  # noqa: F401
    except Exception:  # missing or half-written connectors: use the test fallback
        sys.path.insert(0, str(Path(__file__).parent))
        import _fallback_connectors as fallback

        module = importlib.import_module("industrybrain.warehouse.connectors")
        for name in ("land", "ConnectorOptions", "ConnectorError", "LandedFile"):
            setattr(module, name, getattr(fallback, name))


install_fallback()


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo cluster (100 enterprises, seed 7) generated once per session."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "industrybrain",
            "demo",
            "generate",
            "--enterprises",
            "100",
            "--seed",
            "7",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    return out
