"""Pydantic models of a brain template (one model per YAML file, plus the assembled template).

Every model forbids unknown keys, so a misspelt key is an error rather than a silently ignored
setting. Checks that need one value alone live here (ranges, enums, min <= max); checks that need
the whole template or the packaged reference lists (codes exist, parents exist, no cycles) live in
:mod:`industrybrain.templates._loader`, which reports every problem with its file and path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

Stage = Literal["upstream", "midstream", "downstream", "service"]
STAGES: tuple[Stage, ...] = ("upstream", "midstream", "downstream", "service")
Datatype = Literal["decimal", "integer", "text", "enum", "boolean", "date"]
IndexKind = Literal["prosperity", "price_raw", "price_product", "output", "export"]
Direction = Literal["higher_better", "lower_better"]

MAX_CATEGORY_LEVEL = 6
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
TEMPLATE_ID = r"^[a-z][a-z0-9-]*$"
CATEGORY_CODE = r"^[A-Z]{2}\d{2}(\.\d{2})*$"
SEMVER = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Position of this item in its list in the YAML file, kept for error paths after items with
    # schema errors were dropped (so that the remaining ones can still be cross-checked).
    _source_index: int = PrivateAttr(0)

    @property
    def source_index(self) -> int:
        return self._source_index


Text = Annotated[str, Field(min_length=1)]


# --- template.yaml -------------------------------------------------------------------------------


class TemplateMeta(_Strict):
    """``template.yaml``: what the template is and where its cluster is."""

    id: str = Field(pattern=TEMPLATE_ID)
    name_zh: Text
    name_en: Text
    version: str = Field(pattern=SEMVER)
    region_code: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 county code")
    industry_classes: list[str] = Field(min_length=1, description="GB/T 4754-2017 4-digit classes")
    description_zh: str = ""
    description_en: str = ""


# --- chain.yaml ----------------------------------------------------------------------------------


class ChainNode(_Strict):
    """A node of the industry chain map (产业链节点)."""

    id: str = Field(pattern=IDENTIFIER)
    name_zh: Text
    name_en: Text
    stage: Stage
    parent: str | None = None
    industry_classes: list[str] = Field(default_factory=list)
    hs_codes: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    synonyms: list[str] = Field(default_factory=list)
    description_zh: str = ""


class SupplyEdge(_Strict):
    """``supplier`` delivers to ``buyer``; ``cost_share`` is its typical share of the buyer's cost."""

    supplier: str
    buyer: str
    cost_share: float = Field(gt=0, le=1)


class ChainFile(_Strict):
    nodes: list[ChainNode] = Field(min_length=1)
    edges: list[SupplyEdge] = Field(default_factory=list)


# --- categories.yaml -----------------------------------------------------------------------------


class Attribute(_Strict):
    """An attribute of a CPMS product category (产品主数据属性)."""

    code: str = Field(pattern=IDENTIFIER)
    name_zh: Text
    name_en: Text
    datatype: Datatype
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    enum: list[str] = Field(default_factory=list)
    required: bool = False
    synonyms: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Attribute:
        if self.datatype == "enum" and not self.enum:
            raise ValueError("an enum attribute needs its list of values in 'enum'")
        if self.datatype != "enum" and self.enum:
            raise ValueError(f"'enum' values given for datatype {self.datatype!r}")
        if len(set(self.enum)) != len(self.enum):
            raise ValueError("'enum' lists a value twice")
        numeric = self.datatype in ("decimal", "integer")
        if not numeric and (self.min is not None or self.max is not None):
            raise ValueError(f"'min'/'max' given for non-numeric datatype {self.datatype!r}")
        if not numeric and self.unit:
            raise ValueError(f"'unit' given for non-numeric datatype {self.datatype!r}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is greater than max {self.max:g}")
        return self


class ProductCategory(_Strict):
    """A CPMS product category (产品类目). ``level`` is computed from the tree on load."""

    code: str = Field(pattern=CATEGORY_CODE)
    name_zh: Text
    name_en: Text
    parent: str | None = None
    level: int = Field(0, ge=0, description="1 for a root; filled in by the loader")
    chain_node: str | None = None
    hs_codes: list[str] = Field(default_factory=list)
    industry_classes: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    attributes: list[Attribute] = Field(default_factory=list)


class CategoriesFile(_Strict):
    categories: list[ProductCategory] = Field(min_length=1)


# --- tagging.yaml --------------------------------------------------------------------------------


class TagRule(_Strict):
    """Tag an enterprise with ``node`` when its name/business scope matches (产业打标规则)."""

    node: str
    any_keywords: list[str] = Field(default_factory=list)
    all_keywords: list[str] = Field(default_factory=list)
    exclude_keywords: list[str] = Field(default_factory=list)
    industry_classes: list[str] = Field(default_factory=list)
    weight: float = Field(1.0, gt=0, le=10)

    @model_validator(mode="after")
    def _matches_something(self) -> TagRule:
        if not (self.any_keywords or self.all_keywords or self.industry_classes):
            raise ValueError(
                "a rule needs at least one of any_keywords, all_keywords or industry_classes"
            )
        return self


class TaggingFile(_Strict):
    rules: list[TagRule] = Field(default_factory=list)


# --- indices.yaml --------------------------------------------------------------------------------


class IndexDefinition(_Strict):
    """An index the brain computes monthly (景气指数 / 价格指数 ...).

    ``params`` by kind:
    - ``prosperity``: ``components: [{series, weight}]`` (weights sum to 1), ``threshold``
      (diffusion: share of enterprises whose series grew; 50 = neutral).
    - ``price_raw``: ``materials: [{code, weight}]``, codes of ``demo.raw_materials``.
    - ``price_product``: ``categories: [{code, weight}]``, CPMS category codes.
    - ``output`` / ``export``: ``series`` name and optional ``nodes``.
    """

    id: str = Field(pattern=IDENTIFIER)
    kind: IndexKind
    name_zh: Text
    name_en: Text
    description_zh: str = ""
    frequency: Literal["monthly", "quarterly"] = "monthly"
    base_period: str = Field("2024-01", pattern=r"^\d{4}-\d{2}$")
    base_value: float = Field(100.0, gt=0)
    params: dict[str, Any] = Field(default_factory=dict)


class IndicesFile(_Strict):
    indices: list[IndexDefinition] = Field(default_factory=list)


# --- evaluation.yaml -----------------------------------------------------------------------------


class EvaluationIndicator(_Strict):
    """An indicator of the evaluation indicator system (评价指标体系)."""

    id: str = Field(pattern=IDENTIFIER)
    name_zh: Text
    name_en: Text
    dimension: str = ""
    weight: float = Field(gt=0, le=1)
    unit: str = ""
    direction: Direction = "higher_better"
    target: float | None = None
    description_zh: str = ""


class EvaluationFile(_Strict):
    indicators: list[EvaluationIndicator] = Field(default_factory=list)


# --- demo.yaml -----------------------------------------------------------------------------------


class RawMaterial(_Strict):
    code: str = Field(pattern=IDENTIFIER)
    name_zh: Text
    unit: Text
    base_price: float = Field(gt=0, description="CNY per unit at the index base period")
    hs_code: str | None = None
    volatility: float = Field(0.03, ge=0, le=1, description="monthly standard deviation, share")


class MonthlyParameters(_Strict):
    base_growth: float = Field(ge=-0.5, le=1, description="yearly growth of the median enterprise")
    seasonality: float = Field(ge=0, le=1, description="amplitude of the yearly cycle, share")
    spring_festival_dip: float = Field(ge=0, le=1, description="output drop in the festival month")
    decline_share: float = Field(ge=0, le=1, description="share of enterprises in decline")
    closure_share: float = Field(ge=0, le=1, description="share closing within the demo span")


class DemoParameters(_Strict):
    """Parameters of the synthetic demo cluster."""

    county_code: str = Field(pattern=r"^\d{6}$")
    town_weights: dict[str, float] = Field(min_length=1)
    above_scale_share: float = Field(gt=0, lt=1)
    node_weights: dict[str, float] = Field(min_length=1)
    brand_words: list[str] = Field(min_length=1)
    industry_words: dict[str, list[str]] = Field(default_factory=dict)
    scope_phrases: dict[str, list[str]] = Field(default_factory=dict)
    products_per_enterprise: tuple[int, int]
    raw_materials: list[RawMaterial] = Field(default_factory=list)
    monthly: MonthlyParameters

    @field_validator("town_weights", "node_weights")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for key, weight in value.items():
            if weight <= 0:
                raise ValueError(f"weight of {key!r} must be positive, got {weight:g}")
        return value

    @field_validator("products_per_enterprise")
    @classmethod
    def _range(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if low < 1 or low > high:
            raise ValueError(f"need 1 <= min <= max, got [{low}, {high}]")
        return value


# --- the assembled template ----------------------------------------------------------------------


class Chain(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nodes: list[ChainNode]
    edges: list[SupplyEdge]

    def by_stage(self) -> dict[str, list[ChainNode]]:
        result: dict[str, list[ChainNode]] = {stage: [] for stage in STAGES}
        for node in self.nodes:
            result[node.stage].append(node)
        return result


class BrainTemplate(BaseModel):
    """A validated brain template. Build it with :func:`industrybrain.templates.load_template`."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name_zh: str
    name_en: str
    version: str
    region_code: str
    industry_classes: list[str]
    description_zh: str = ""
    description_en: str = ""
    path: Path
    chain: Chain
    categories: list[ProductCategory]
    tagging_rules: list[TagRule]
    indices: list[IndexDefinition]
    indicators: list[EvaluationIndicator]
    demo: DemoParameters

    def node(self, node_id: str) -> ChainNode:
        for node in self.chain.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"template {self.id} has no chain node {node_id!r}")

    def category(self, code: str) -> ProductCategory:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(f"template {self.id} has no product category {code!r}")

    def ancestors(self, code: str) -> list[ProductCategory]:
        """The category's ancestors, root first (the category itself excluded)."""
        chain: list[ProductCategory] = []
        parent = self.category(code).parent
        while parent is not None:
            category = self.category(parent)
            chain.append(category)
            parent = category.parent
        return list(reversed(chain))

    def attributes_of(self, code: str) -> list[Attribute]:
        """Attributes of a category including those inherited from its ancestors (root first)."""
        result: list[Attribute] = []
        for category in [*self.ancestors(code), self.category(code)]:
            result.extend(category.attributes)
        return result

    def children_of(self, code: str | None) -> list[ProductCategory]:
        return [category for category in self.categories if category.parent == code]

    def leaf_categories(self) -> list[ProductCategory]:
        parents = {category.parent for category in self.categories}
        return [category for category in self.categories if category.code not in parents]
