"""Brain templates: the industry knowledge one brain is configured with.

A template is a folder of YAML files (``template.yaml``, ``chain.yaml``, ``categories.yaml``,
``tagging.yaml``, ``indices.yaml``, ``evaluation.yaml``, ``demo.yaml``). Plugins ship template
folders through the ``register_brain_templates`` hook; the built-in ``brain_template`` module
registers the folders next to this file (``pumps-valves``, ``smart-electrical``,
``sewing-equipment``).

Public API::

    from industrybrain.templates import load_template, list_templates, TemplateError
    template = load_template("pumps-valves")     # validated BrainTemplate, cached
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from threading import Lock

import yaml

from industrybrain.templates._loader import TemplateError, TemplateIssue, read_template
from industrybrain.templates._schema import (
    STAGES,
    Attribute,
    BrainTemplate,
    Chain,
    ChainNode,
    DemoParameters,
    EvaluationIndicator,
    IndexDefinition,
    MonthlyParameters,
    ProductCategory,
    RawMaterial,
    SupplyEdge,
    TagRule,
)

__all__ = [
    "PACKAGED_TEMPLATES_DIR",
    "STAGES",
    "Attribute",
    "BrainTemplate",
    "Chain",
    "ChainNode",
    "DemoParameters",
    "EvaluationIndicator",
    "IndexDefinition",
    "MonthlyParameters",
    "ProductCategory",
    "RawMaterial",
    "SupplyEdge",
    "TagRule",
    "TemplateError",
    "TemplateIssue",
    "TemplateSummary",
    "clear_template_cache",
    "list_templates",
    "load_template",
    "template_folders",
]

PACKAGED_TEMPLATES_DIR = Path(__file__).parent


@dataclass(frozen=True)
class TemplateSummary:
    """What ``template.yaml`` says, read without validating the rest of the folder."""

    id: str
    name_zh: str
    name_en: str
    version: str
    region_code: str
    path: Path


def template_folders() -> dict[str, Path]:
    """Template id (= folder name) -> folder, over every plugin's ``register_brain_templates``."""
    from industrybrain.plugins import collect

    folders: dict[str, Path] = {}
    for root in collect("register_brain_templates"):
        root = Path(root)
        if (root / "template.yaml").is_file():  # a plugin may register one template folder
            candidates = [root]
        else:
            candidates = sorted(p for p in root.iterdir() if (p / "template.yaml").is_file())
        for folder in candidates:
            # The first plugin to register an id wins; a later duplicate cannot shadow it.
            folders.setdefault(folder.name, folder)
    return folders


def list_templates() -> list[TemplateSummary]:
    """Every registered template, sorted by id (only ``template.yaml`` is read)."""
    summaries = []
    for template_id, folder in sorted(template_folders().items()):
        try:
            data = yaml.safe_load((folder / "template.yaml").read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        summaries.append(
            TemplateSummary(
                id=template_id,
                name_zh=str(data.get("name_zh", "")),
                name_en=str(data.get("name_en", "")),
                version=str(data.get("version", "")),
                region_code=str(data.get("region_code", "")),
                path=folder,
            )
        )
    return summaries


_cache: dict[Path, tuple[tuple[tuple[str, int], ...], BrainTemplate]] = {}
_cache_lock = Lock()


def _signature(folder: Path) -> tuple[tuple[str, int], ...]:
    return tuple((path.name, path.stat().st_mtime_ns) for path in sorted(folder.glob("*.yaml")))


def _resolve(id_or_path: str | Path) -> Path:
    if isinstance(id_or_path, Path) or "/" in id_or_path or id_or_path.startswith("."):
        folder = Path(id_or_path)
        if not folder.is_dir():
            raise TemplateError("", "", f"no template folder at {folder}")
        return folder.resolve()
    folders = template_folders()
    if id_or_path not in folders:
        known = ", ".join(sorted(folders)) or "none"
        raise TemplateError("", "", f"no template {id_or_path!r} (registered: {known})")
    return folders[id_or_path].resolve()


def load_template(id_or_path: str | Path) -> BrainTemplate:
    """Load and validate a template by id or folder path (cached until a file changes).

    Raises :class:`TemplateError` listing every problem (file, path, reason) when it is invalid.
    The returned object is shared between callers: treat it as read-only.
    """
    folder = _resolve(id_or_path)
    signature = _signature(folder)
    with _cache_lock:
        cached = _cache.get(folder)
        if cached is not None and cached[0] == signature:
            return cached[1]
    template = read_template(folder)
    with _cache_lock:
        _cache[folder] = (signature, template)
    return template


def clear_template_cache() -> None:
    with _cache_lock:
        _cache.clear()
