"""Component declarations for the capability center (能力中心).

A component is a reusable piece a brain offers to others: ``knowledge`` (知识组件: a chain
ontology, a product standard), ``tool`` (工具组件: a matcher, a forecaster) or ``application``
(应用组件: an SME app). It is a Pydantic config model plus metadata; dependencies name other
components with a version range (PEP 440 specifiers over semantic versions, e.g. ``>=1.2,<2``).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version
from pydantic import BaseModel, ConfigDict, Field, field_validator

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
COMPONENT_ID = re.compile(r"^[a-z][a-z0-9_.-]*$")

ComponentKind = Literal["knowledge", "tool", "application"]


class EmptyConfig(BaseModel):
    """Config of a component that takes none."""

    model_config = ConfigDict(extra="forbid")


class Dependency(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    versions: str = Field("", description="PEP 440 specifier set, e.g. '>=1.0,<2'")

    @field_validator("versions")
    @classmethod
    def _valid_range(cls, value: str) -> str:
        try:
            SpecifierSet(value)
        except InvalidSpecifier as exc:
            raise ValueError(f"invalid version range {value!r}: {exc}") from exc
        return value

    def admits(self, version: str) -> bool:
        return Version(version) in SpecifierSet(self.versions)


class ComponentSpec(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    kind: ComponentKind
    id: str
    version: str
    title_zh: str
    title_en: str
    description_zh: str = ""
    description_en: str = ""
    provider: str = "Industry Brain"
    input_schema: dict[str, Any] = Field(default_factory=dict)
    output_schema: dict[str, Any] = Field(default_factory=dict)
    config_model: type[BaseModel] = EmptyConfig
    dependencies: tuple[Dependency, ...] = ()

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        if not SEMVER.match(value):
            raise ValueError(f"version {value!r} is not a semantic version MAJOR.MINOR.PATCH")
        return value

    @field_validator("id")
    @classmethod
    def _component_id(cls, value: str) -> str:
        if not COMPONENT_ID.match(value):
            raise ValueError(
                f"component id {value!r} must be lower-case letters, digits, '.', '_' or '-'"
            )
        return value

    def config_schema(self) -> dict[str, Any]:
        return self.config_model.model_json_schema()

    def title(self, locale: str) -> str:
        return self.title_zh if locale.startswith("zh") else self.title_en


class ComponentError(ValueError):
    """Components are inconsistent (duplicate ids, unmet dependencies)."""


def check_components(components: list[ComponentSpec]) -> None:
    """Raise when an id is declared twice or a dependency is missing or out of range."""
    by_id: dict[str, ComponentSpec] = {}
    for component in components:
        if component.id in by_id:
            raise ComponentError(f"component {component.id!r} is declared twice")
        by_id[component.id] = component
    for component in components:
        for dependency in component.dependencies:
            target = by_id.get(dependency.id)
            if target is None:
                raise ComponentError(
                    f"{component.id} depends on {dependency.id}, which no plugin provides"
                )
            if not dependency.admits(target.version):
                raise ComponentError(
                    f"{component.id} needs {dependency.id} {dependency.versions}, found {target.version}"
                )
