"""The architecture contracts hold, and they fail the build when a module breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from industrybrain.devtools import contracts

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy_tree(tmp_path: Path) -> Path:
    """A copy of the package and its contract configuration, to break on purpose."""
    shutil.copytree(
        ROOT / "src" / "industrybrain",
        tmp_path / "src" / "industrybrain",
        ignore=shutil.ignore_patterns("__pycache__", "vendor", "*.csv", "*.xlsx"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_contracts_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_table_contract_kept() -> None:
    assert contracts.check(ROOT / "src") == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "code", "contract"),
    [
        ("modules/zz_violation/__init__.py", "import industrybrain.web\n", "no module imports web"),
        (
            "kit/zz_violation.py",
            "from industrybrain.modules import jobs\n",
            "kit imports no module",
        ),
    ],
)
def test_import_contract_breaks_build(tmp_path: Path, where: str, code: str, contract: str) -> None:
    project = _copy_tree(tmp_path)
    target = project / "src" / "industrybrain" / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(code, encoding="utf-8")
    result = _lint_imports(project)
    assert result.returncode != 0
    assert contract in result.stdout
    assert "BROKEN" in result.stdout


def test_table_contract_breaks_build(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "industrybrain" / "modules" / "alpha").mkdir(parents=True)
    (src / "industrybrain" / "modules" / "beta").mkdir(parents=True)
    (src / "industrybrain" / "modules" / "alpha" / "service.py").write_text(
        "from industrybrain.modules.beta.models import Thing\n"
        "from industrybrain.modules.beta import repository\n"
        "from industrybrain.modules.beta.service import allowed\n"
        "from ..beta import models\n"
        "from .models import Own\n",
        encoding="utf-8",
    )
    violations = contracts.check(src)
    assert sorted(v.line for v in violations) == [1, 2, 4]
    assert all(v.importer == "alpha" for v in violations)
    result = subprocess.run(
        [sys.executable, "-m", "industrybrain.devtools.contracts", str(src)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "use that module's service" in result.stdout
