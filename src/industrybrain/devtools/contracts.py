"""Architecture contract that import-linter cannot express: a module never reaches into another
module's tables. Module ``a`` may use module ``b`` only through ``b``'s public surface (its
package, ``service``, ``schemas``, ``actions``, ``permissions``, ``events``), never through ``b.models`` or
``b.repository``.

Run with ``python -m industrybrain.devtools.contracts [SRC_ROOT]``; exits 1 and lists each
violation (file, line, import) when broken.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PRIVATE_PARTS = {"models", "repository"}
PACKAGE = "industrybrain.modules"


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: module '{self.importer}' imports '{self.imported}': "
            "use that module's service instead of its tables"
        )


def _imported_names(tree: ast.AST, current: str) -> list[tuple[int, str]]:
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = current.split(".")
                base = base[: len(base) - node.level]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.append((node.lineno, module))
            names.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return names


def check(src_root: Path) -> list[Violation]:
    modules_dir = src_root / "industrybrain" / "modules"
    violations: list[Violation] = []
    for path in sorted(modules_dir.rglob("*.py")):
        relative = path.relative_to(src_root).with_suffix("")
        dotted = ".".join(relative.parts)
        parts = dotted.split(".")
        if len(parts) < 3:
            continue
        owner = parts[2]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imported_names(tree, dotted):
            if not name.startswith(PACKAGE + "."):
                continue
            target = name.split(".")
            if len(target) < 4:
                continue
            if target[2] != owner and target[3] in PRIVATE_PARTS:
                violations.append(Violation(path, line, owner, name))
    # one violation per (file, line)
    unique: dict[tuple[Path, int], Violation] = {}
    for violation in violations:
        unique.setdefault((violation.path, violation.line), violation)
    return list(unique.values())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    src_root = Path(args[0]) if args else Path(__file__).resolve().parents[2]
    violations = check(src_root)
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} contract violation(s)")
        return 1
    print("module table contract kept")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
