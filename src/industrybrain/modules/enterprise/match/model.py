"""The Fellegi–Sunter model: m and u probabilities per comparison level, estimated without labels.

- u (the chance of a level among non-matches) from random record pairs, where matches are rare;
- m (the chance among matches) and the match share lambda by expectation–maximisation over the
  candidate pairs, with u held fixed (as Splink does), on the distinct agreement patterns
  weighted by their counts — a few hundred rows however many pairs there are.

The match weight of a pair is ``log2(lambda/(1-lambda)) + sum of log2(m/u)`` over its non-missing
comparisons; the posterior probability is its logistic transform. Each term is reported by
:meth:`FellegiSunter.explain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

FLOOR = 1e-5


@dataclass
class FellegiSunter:
    names: list[str]
    labels: list[list[str]]
    m: list[np.ndarray] = field(default_factory=list)
    u: list[np.ndarray] = field(default_factory=list)
    prior: float = 0.01  # lambda: share of matches among candidate pairs
    iterations: int = 0
    u_random: list[np.ndarray] = field(default_factory=list)

    def estimate_u(self, gamma: np.ndarray) -> None:
        """u from the levels of random pairs (columns = comparisons)."""
        self.u = []
        for k, labels in enumerate(self.labels):
            column = gamma[:, k]
            column = column[column >= 0]
            counts = np.bincount(column, minlength=len(labels)).astype(float) + 0.5
            self.u.append(np.maximum(counts / counts.sum(), FLOOR))
        self.u_random = [u.copy() for u in self.u]

    def estimate_m(
        self,
        gamma: np.ndarray,
        max_iterations: int = 200,
        tolerance: float = 1e-6,
        fix_u: bool = False,
        random_match_share: float = 0.0,
        non_match_levels: dict[int, int] | None = None,
    ) -> None:
        """EM over the distinct rows of ``gamma`` (candidate pairs x comparisons).

        ``non_match_levels`` (comparison -> level) marks levels that are certain non-matches
        (two different valid USCCs): their pairs count as non-matches whatever the rest says.

        u starts from the random-pair estimate; unless ``fix_u``, it is re-estimated among the
        candidates too, because blocking makes the non-matches that reach EM agree more often
        than random pairs do (on the blocked fields above all)."""
        # One integer per agreement pattern (mixed radix) makes the grouping a 1-D unique.
        radix = [len(labels) + 1 for labels in self.labels]
        code = np.zeros(len(gamma), dtype=np.int64)
        for k, base in enumerate(radix):
            code = code * base + (gamma[:, k].astype(np.int64) + 1)
        _, first, counts = np.unique(code, return_index=True, return_counts=True)
        patterns = gamma[first]
        counts = counts.astype(float)
        self.m = []
        for labels in self.labels:
            # Start: matches mostly agree exactly.
            n = len(labels)
            start = np.array([0.8 * 0.5**i for i in range(n)])
            start[-1] = max(start[-1], 0.05)
            self.m.append(start / start.sum())
        prior = 0.1
        for iteration in range(max_iterations):
            log_m = np.zeros(len(patterns))
            log_u = np.zeros(len(patterns))
            for k in range(len(self.labels)):
                level = patterns[:, k]
                present = level >= 0
                log_m[present] += np.log(self.m[k][level[present]])
                log_u[present] += np.log(self.u[k][level[present]])
            logit = np.log(prior) - np.log1p(-prior) + log_m - log_u
            posterior = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
            for k, certain in (non_match_levels or {}).items():
                posterior[patterns[:, k] == certain] = 0.0
            weight = posterior * counts
            new_prior = float(np.clip(weight.sum() / counts.sum(), 1e-9, 1 - 1e-9))
            change = abs(new_prior - prior)
            for k, labels in enumerate(self.labels):
                level = patterns[:, k]
                present = level >= 0
                totals = np.bincount(level[present], weights=weight[present], minlength=len(labels))
                new_m = np.maximum(totals / max(totals.sum(), 1e-12), FLOOR)
                new_m /= new_m.sum()
                change = max(change, float(np.abs(new_m - self.m[k]).max()))
                self.m[k] = new_m
                if fix_u and random_match_share > 0:
                    # Random pairs contain matches too (a share that matters for small tables):
                    # remove their expected contribution from the random-pair frequencies.
                    share = min(random_match_share * new_prior, 0.5)
                    corrected = (self.u_random[k] - share * new_m) / (1 - share)
                    self.u[k] = np.maximum(corrected, FLOOR) / np.maximum(corrected, FLOOR).sum()
                elif not fix_u:
                    totals = np.bincount(
                        level[present],
                        weights=(1 - posterior[present]) * counts[present],
                        minlength=len(labels),
                    )
                    new_u = np.maximum(totals / max(totals.sum(), 1e-12), FLOOR)
                    self.u[k] = new_u / new_u.sum()
            prior = new_prior
            self.iterations = iteration + 1
            if change < tolerance:
                break
        self.prior = prior

    def assume_m(self, prior: float, informative: list[bool], ratio: float = 0.1) -> None:
        """m without estimation: level ``l`` gets a share proportional to ``ratio**l``; a
        comparison that never varies among the candidates gets m = u (it weighs nothing)."""
        self.m = []
        for k, labels in enumerate(self.labels):
            if not informative[k]:
                self.m.append(self.u[k].copy())
                continue
            shape = ratio ** np.arange(len(labels), dtype=float)
            self.m.append(shape / shape.sum())
        self.prior = float(np.clip(prior, 1e-6, 0.5))
        self.iterations = 0

    def level_weights(self) -> list[np.ndarray]:
        """log2(m/u) of every level of every comparison."""
        return [np.log2(m / u) for m, u in zip(self.m, self.u, strict=True)]

    def match_weight(self, gamma: np.ndarray) -> np.ndarray:
        weights = self.level_weights()
        total = np.full(len(gamma), np.log2(self.prior / (1 - self.prior)))
        for k, table in enumerate(weights):
            level = gamma[:, k]
            present = level >= 0
            total[present] += table[level[present]]
        return total

    @staticmethod
    def probability(match_weight: np.ndarray) -> np.ndarray:
        result: np.ndarray = 1.0 / (1.0 + np.exp2(-np.clip(match_weight, -1000, 1000)))
        return result

    def explain(self, levels: np.ndarray) -> list[tuple[str, str, float]]:
        """(comparison, level label, weight in bits) of one pair; missing values weigh 0."""
        weights = self.level_weights()
        rows = []
        for k, name in enumerate(self.names):
            level = int(levels[k])
            if level < 0:
                rows.append((name, "missing", 0.0))
            else:
                rows.append((name, self.labels[k][level], float(weights[k][level])))
        return rows

    def to_dict(self) -> dict[str, object]:
        return {
            "prior": self.prior,
            "em_iterations": self.iterations,
            "comparisons": [
                {
                    "name": name,
                    "levels": [
                        {
                            "label": label,
                            "m": float(m),
                            "u": float(u),
                            "weight": float(np.log2(m / u)),
                        }
                        for label, m, u in zip(labels, self.m[k], self.u[k], strict=True)
                    ],
                }
                for k, (name, labels) in enumerate(zip(self.names, self.labels, strict=True))
            ],
        }
