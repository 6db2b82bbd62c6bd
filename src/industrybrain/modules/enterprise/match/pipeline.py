"""The matcher: profile, align, compare, block, estimate, predict (and optionally assign 1:1)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from industrybrain.modules.enterprise.match.assign import one_to_one as assign_one_to_one
from industrybrain.modules.enterprise.match.blocking import (
    Rule,
    candidate_pairs,
    minhash_bands,
    select_rules,
)
from industrybrain.modules.enterprise.match.compare import Comparison, valid_uscc_codes
from industrybrain.modules.enterprise.match.model import FellegiSunter
from industrybrain.modules.enterprise.match.profile import KINDS, align_columns, profile_column
from industrybrain.modules.enterprise.match.table import Table

FUZZY_KINDS = ("name", "org_name_zh", "address_zh", "text")
USCC_AGREEMENT_WEIGHT = 50.0  # bits given to agreeing valid USCCs (probability 1 - 2**-50)


@dataclass
class MatchConfig:
    """Optional settings (``--config`` YAML/JSON); everything else is chosen from the data.

    ``columns``: left column -> kind or ``ignore``; ``pairs``: left column -> right column;
    ``blocking``: list of rules, each a list of comparison names whose exact values must agree;
    ``threshold``: minimum posterior probability; ``random_pairs``: pairs sampled for u."""

    columns: dict[str, str] = field(default_factory=dict)
    pairs: dict[str, str] = field(default_factory=dict)
    blocking: list[list[str]] = field(default_factory=list)
    threshold: float = 0.5
    random_pairs: int = 200_000
    seed: int = 7

    @classmethod
    def load(cls, path: Path | None) -> MatchConfig:
        if path is None:
            return cls()
        import yaml

        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        unknown = set(data) - {"columns", "pairs", "blocking", "threshold", "random_pairs", "seed"}
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(sorted(unknown))}")
        config = cls(**data)
        for column, kind in config.columns.items():
            if kind not in (*KINDS, "ignore"):
                raise ValueError(f"column {column!r}: unknown kind {kind!r}")
        return config


@dataclass
class MatchResult:
    left: Table
    right: Table
    dedupe: bool
    comparisons: list[Comparison]
    rules: list[Rule]
    model: FellegiSunter
    candidates: int
    left_rows: np.ndarray  # predicted matches
    right_rows: np.ndarray
    weights: np.ndarray
    probabilities: np.ndarray
    gamma: np.ndarray
    timings: dict[str, float]

    def rows(self) -> list[tuple[str, str, float]]:
        return [
            (self.left.ids[i], self.right.ids[j], float(p))
            for i, j, p in zip(self.left_rows, self.right_rows, self.probabilities, strict=True)
        ]

    def explanation(self, index: int) -> list[tuple[str, str, float]]:
        return self.model.explain(self.gamma[index])

    def levels_of(self, left_row: int, right_row: int) -> np.ndarray:
        rows_left = np.array([left_row], dtype=np.int64)
        rows_right = np.array([right_row], dtype=np.int64)
        stacked = np.stack([c.levels(rows_left, rows_right) for c in self.comparisons], axis=1)
        row: np.ndarray = stacked[0]
        return row

    def score_pair(self, left_row: int, right_row: int) -> tuple[np.ndarray, float, float]:
        """Levels, match weight and probability of any pair (candidate or not)."""
        levels = self.levels_of(left_row, right_row)
        weights = self.model.match_weight(levels[None, :])
        weights, probabilities = _uscc_first(
            self.comparisons,
            np.array([left_row], dtype=np.int64),
            levels[None, :],
            weights,
            self.model.probability(weights),
        )
        return levels, float(weights[0]), float(probabilities[0])

    def summary(self) -> dict[str, Any]:
        return {
            "comparisons": [f"{c.name}: {c.kind}" for c in self.comparisons],
            "blocking_rules": [f"{r.description} ({r.pairs} pairs)" for r in self.rules],
            "candidates": self.candidates,
            "matches": len(self.left_rows),
            "model": self.model.to_dict(),
            "seconds": self.timings,
        }


def build_comparisons(left: Table, right: Table | None, config: MatchConfig) -> list[Comparison]:
    other = right if right is not None else left
    if right is None:
        aligned = [(name, name) for name in left.columns]
    else:
        aligned = align_columns(left.columns, right.columns)
        aligned = [(a, config.pairs.get(a, b)) for a, b in aligned]
        for a, b in config.pairs.items():
            if a not in dict(aligned):
                aligned.append((a, b))
    comparisons: list[Comparison] = []
    for left_column, right_column in aligned:
        kind = config.columns.get(left_column)
        if kind == "ignore":
            continue
        values = left.columns[left_column] + (
            other.columns[right_column] if right is not None else []
        )
        profile = profile_column(left_column, values)
        if kind is None:
            if profile.fill < 0.05:
                continue
            if profile.kind == "category" and profile.distinct <= 1:
                continue
            kind = profile.kind
        comparison = Comparison(left_column, right_column, kind)
        comparison.prepare(
            left.columns[left_column],
            other.columns[right_column] if right is not None else left.columns[left_column],
        )
        comparisons.append(comparison)
    if not comparisons:
        raise ValueError("no columns to compare")
    return comparisons


def candidate_rules(
    comparisons: list[Comparison], n_left: int, n_right: int, dedupe: bool, config: MatchConfig
) -> list[Rule]:
    if config.blocking:
        from industrybrain.modules.enterprise.match.blocking import combine, count_pairs

        by_name = {c.name: c for c in comparisons}
        rules: list[Rule] = []
        for names in config.blocking:
            unknown = [name for name in names if name not in by_name]
            if unknown:
                raise ValueError(f"blocking rule on unknown comparisons: {unknown}")
            both = by_name[names[0]].left_codes, by_name[names[0]].right_codes
            keys = np.concatenate(both) if not dedupe else both[0]
            for name in names[1:]:
                extra = by_name[name]
                keys = combine(
                    keys,
                    np.concatenate([extra.left_codes, extra.right_codes])
                    if not dedupe
                    else extra.left_codes,
                )
            left_keys, right_keys = (keys, keys) if dedupe else (keys[:n_left], keys[n_left:])
            rule = Rule(" + ".join(names), left_keys, right_keys)
            rule.pairs = count_pairs(left_keys, right_keys, dedupe)
            rules.append(rule)
        return rules
    offered: list[Rule] = []
    for comparison in comparisons:
        for description, left_keys, right_keys in comparison.blocking_keys():
            offered.append(Rule(description, left_keys, right_keys, family=comparison.name))
        if comparison.kind in FUZZY_KINDS:
            sides = (
                [comparison.left_codes]
                if dedupe
                else [comparison.left_codes, comparison.right_codes]
            )
            bands = minhash_bands(comparison.token_sets(), sides, bands=6, rows=2)
            for band, keys in enumerate(zip(*bands, strict=True)):
                left_keys = keys[0]
                right_keys = left_keys if dedupe else keys[1]
                offered.append(
                    Rule(
                        f"{comparison.name} minhash band {band}",
                        left_keys,
                        right_keys,
                        family=comparison.name,
                    )
                )
    return select_rules(offered, n_left, n_right, dedupe)


TF_KINDS = ("name", "org_name_zh", "category", "email", "phone", "code")


def _term_frequency_adjustment(
    comparisons: list[Comparison],
    model: FellegiSunter,
    rows_left: np.ndarray,
    gamma: np.ndarray,
) -> np.ndarray:
    """Exact agreement on a rare value says more than on a common one (``smith`` vs ``zyzzyva``):
    for pairs agreeing exactly, replace the average u of the exact level by the value's own
    frequency, ``log2(u_exact / tf(value))`` bits (term-frequency adjustment, as in Splink)."""
    adjustment = np.zeros(len(gamma))
    for k, comparison in enumerate(comparisons):
        if comparison.kind not in TF_KINDS or not len(gamma):
            continue
        frequency = comparison.value_frequencies()
        exact = gamma[:, k] == 0
        codes = comparison.left_codes[rows_left[exact]]
        u_exact = float(model.u_random[k][0]) if model.u_random else float(model.u[k][0])
        tf = np.maximum(frequency[codes], 1e-9)
        # Only ever strengthen or weaken within the evidence EM gave the level.
        adjustment[exact] = np.clip(np.log2(u_exact / tf), -10.0, 10.0)
    return adjustment


def _certain_non_match_levels(comparisons: list[Comparison]) -> dict[int, int]:
    """Comparison index -> level meaning "not the same entity": two different valid USCCs."""
    return {
        k: comparison.labels.index("different valid codes")
        for k, comparison in enumerate(comparisons)
        if comparison.kind == "uscc"
    }


def _uscc_first(
    comparisons: list[Comparison],
    rows_left: np.ndarray,
    gamma: np.ndarray,
    weights: np.ndarray,
    probabilities: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Valid USCCs that agree are the same enterprise, whatever the other fields say; two
    different valid USCCs are two enterprises (a mistyped code fails its check)."""
    for k, level in _certain_non_match_levels(comparisons).items():
        if len(gamma):
            different = gamma[:, k] == level
            probabilities = np.where(different, 0.0, probabilities)
            weights = np.where(different, np.minimum(weights, -USCC_AGREEMENT_WEIGHT), weights)
    for k, comparison in enumerate(comparisons):
        if comparison.kind == "uscc" and len(gamma):
            valid = valid_uscc_codes(comparison)
            codes = comparison.left_codes[rows_left]
            sure = (gamma[:, k] == 0) & valid[np.where(codes >= 0, codes, -1)]
            probabilities = np.where(sure, 1.0, probabilities)
            weights = np.where(sure, np.maximum(weights, USCC_AGREEMENT_WEIGHT), weights)
    return weights, probabilities


def run_match(
    left: Table,
    right: Table | None = None,
    config: MatchConfig | None = None,
    one_to_one: bool = False,
) -> MatchResult:
    """Link ``left`` with ``right`` (or deduplicate ``left`` when ``right`` is None)."""
    config = config or MatchConfig()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    dedupe = right is None
    other = left if right is None else right
    if one_to_one and dedupe:
        raise ValueError("--one-to-one needs two tables (--right)")
    comparisons = build_comparisons(left, right, config)
    lap("profile and normalise")
    n_left, n_right = len(left), len(other)
    rules = candidate_rules(comparisons, n_left, n_right, dedupe, config)
    rows_left, rows_right = candidate_pairs(rules, n_right, dedupe)
    lap("blocking")

    def gamma_of(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.stack([c.levels(a, b) for c in comparisons], axis=1)

    gamma = gamma_of(rows_left, rows_right)
    lap("compare candidates")
    generator = np.random.default_rng(config.seed)
    n_random = int(min(config.random_pairs, max(1, n_left * n_right)))
    random_left = generator.integers(0, n_left, n_random)
    random_right = generator.integers(0, n_right, n_random)
    if dedupe:
        keep = random_left != random_right
        random_left, random_right = random_left[keep], random_right[keep]
    model = FellegiSunter([c.name for c in comparisons], [c.labels for c in comparisons])
    model.estimate_u(gamma_of(random_left, random_right))
    lap("estimate u (random pairs)")
    if len(gamma):
        # A mixture of two classes is identifiable from three or more independent comparisons;
        # with fewer, u must come from the random pairs alone.
        # u is re-estimated among the candidates (starting from the random pairs): blocking
        # makes the non-matches that reach EM agree more often than random pairs do.
        varies = [len(np.unique(gamma[:, k])) > 1 for k in range(gamma.shape[1])]
        if sum(varies) >= 2:
            model.estimate_m(gamma, non_match_levels=_certain_non_match_levels(comparisons))
        else:
            # One informative comparison cannot identify a two-class mixture (any split of
            # its levels fits the counts equally well), so EM's answer would be arbitrary.
            # Fall back to a stated prior: m falls geometrically over the levels, u from the
            # random pairs, and each record of the smaller table has about one match.
            model.assume_m(prior=min(n_left, n_right) / len(gamma), informative=varies)
    lap("estimate m (EM)")
    weights = model.match_weight(gamma) if len(gamma) else np.empty(0)
    weights = weights + _term_frequency_adjustment(comparisons, model, rows_left, gamma)
    probabilities = model.probability(weights)
    weights, probabilities = _uscc_first(comparisons, rows_left, gamma, weights, probabilities)
    chosen = np.flatnonzero(probabilities >= config.threshold)
    if one_to_one and len(chosen):
        chosen = chosen[assign_one_to_one(rows_left[chosen], rows_right[chosen], weights[chosen])]
    lap("predict")
    return MatchResult(
        left=left,
        right=other,
        dedupe=dedupe,
        comparisons=comparisons,
        rules=rules,
        model=model,
        candidates=len(rows_left),
        left_rows=rows_left[chosen],
        right_rows=rows_right[chosen],
        weights=weights[chosen],
        probabilities=probabilities[chosen],
        gamma=gamma[chosen],
        timings=timings,
    )
