"""Whatever a template author writes, the loader answers with a valid template or a
TemplateError listing file/path/reason: never another exception."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from industrybrain.templates import PACKAGED_TEMPLATES_DIR, TemplateError
from industrybrain.templates._loader import read_template

SOURCE = PACKAGED_TEMPLATES_DIR / "pumps-valves"
FILES = sorted(path.name for path in SOURCE.glob("*.yaml"))

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _containers(node: Any, found: list[Any]) -> None:
    if isinstance(node, dict | list):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, found)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_edits_never_crash_the_loader(tmp_path: Path, data: st.DataObject) -> None:
    folder = tmp_path / "pumps-valves"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(SOURCE, folder)
    name = data.draw(st.sampled_from(FILES))
    document = yaml.load((folder / name).read_text("utf-8"), Loader=yaml.CSafeLoader)
    for _ in range(data.draw(st.integers(1, 4))):
        containers: list[Any] = []
        _containers(document, containers)
        target = data.draw(st.sampled_from(containers))
        if isinstance(target, dict) and target:
            key = data.draw(st.sampled_from(sorted(target, key=str)))
            target[key] = data.draw(values)
        elif isinstance(target, list) and target:
            target[data.draw(st.integers(0, len(target) - 1))] = data.draw(values)
    (folder / name).write_text(
        yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True), encoding="utf-8"
    )
    try:
        read_template(folder)
    except TemplateError as exc:
        assert exc.issues
        for issue in exc.issues:
            assert issue.file in FILES and issue.reason
