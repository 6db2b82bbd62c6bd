"""Blocking: candidate pairs from the union of several key rules, each small enough to afford.

A rule is a key per record (an integer, -1 = no key); two records are candidates when a rule
gives them the same key. The rules offered are each comparison's exact value and derived keys
(name core, brand, prefixes, year+month), pairs of keys that are too coarse alone, and min-hash
bands over character n-grams (locality-sensitive hashing) for fuzzy names and text. A rule is
kept when the pairs it makes stay under a budget proportional to the table sizes, so the
selection adapts to each data set: specific columns block alone, coarse ones only combined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IntArray = np.ndarray


@dataclass
class Rule:
    description: str
    left: IntArray
    right: IntArray
    pairs: int = 0
    family: str = ""  # the comparison(s) the key comes from
    specific: bool = True  # pairs accepted alone (else they need a second family's support)


def count_pairs(left: IntArray, right: IntArray, dedupe: bool) -> int:
    """Pairs that a key would make, from the key counts alone."""
    if dedupe:
        keys = left[left >= 0]
        _, counts = np.unique(keys, return_counts=True)
        return int((counts * (counts - 1) // 2).sum())
    kl, cl = np.unique(left[left >= 0], return_counts=True)
    kr, cr = np.unique(right[right >= 0], return_counts=True)
    _, il, ir = np.intersect1d(kl, kr, assume_unique=True, return_indices=True)
    return int((cl[il] * cr[ir]).sum())


def join(left: IntArray, right: IntArray, dedupe: bool) -> tuple[IntArray, IntArray]:
    """All (i, j) with left[i] == right[j] >= 0 (i < j when deduplicating one table)."""
    order = np.argsort(right, kind="stable")
    sorted_right = right[order]
    valid = np.flatnonzero(left >= 0)
    keys = left[valid]
    lo = np.searchsorted(sorted_right, keys, side="left")
    hi = np.searchsorted(sorted_right, keys, side="right")
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    rows_left = np.repeat(valid, counts)
    starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    rows_right = order[starts + np.arange(total)]
    if dedupe:
        keep = rows_left < rows_right
        return rows_left[keep], rows_right[keep]
    return rows_left.astype(np.int64), rows_right.astype(np.int64)


def combine(a: IntArray, b: IntArray) -> IntArray:
    """A key that is equal when both keys are equal (-1 when either is missing)."""
    missing = (a < 0) | (b < 0)
    stacked = np.stack([a, b], axis=1)
    _, inverse = np.unique(stacked, axis=0, return_inverse=True)
    out = inverse.reshape(-1).astype(np.int64)
    out[missing] = -1
    return out


def minhash_bands(
    token_sets: list[list[str]],
    codes: list[IntArray],
    bands: int = 10,
    rows: int = 2,
    seed: int = 20261128,
) -> list[list[IntArray]]:
    """Band keys (one array per band, per side) from the n-gram sets of distinct values.

    ``codes`` are the per-record value codes of each side; the signature is computed once per
    distinct value with universal hashing ``(a*x + b) mod p`` over interned n-gram ids."""
    gram_index: dict[str, int] = {}
    flat: list[int] = []
    offsets = [0]
    for grams in token_sets:
        for gram in dict.fromkeys(grams):
            flat.append(gram_index.setdefault(gram, len(gram_index)))
        offsets.append(len(flat))
    n_values = len(token_sets)
    result: list[list[IntArray]] = [[] for _ in codes]
    if not flat:
        return result
    ids = np.asarray(flat, dtype=np.int64)
    starts = np.asarray(offsets[:-1], dtype=np.int64)
    empty = np.asarray(offsets[1:], dtype=np.int64) == starts
    starts = np.minimum(starts, len(ids) - 1)
    prime = np.int64(2_147_483_647)
    generator = np.random.default_rng(seed)
    multipliers = generator.integers(1, prime, size=bands * rows, dtype=np.int64)
    increments = generator.integers(0, prime, size=bands * rows, dtype=np.int64)
    signature = np.empty((bands * rows, n_values), dtype=np.int64)
    for h in range(bands * rows):
        hashed = (multipliers[h] * ids + increments[h]) % prime
        signature[h] = np.minimum.reduceat(hashed, starts)
    for band in range(bands):
        block = signature[band * rows : (band + 1) * rows].T
        _, band_key = np.unique(block, axis=0, return_inverse=True)
        band_key = band_key.reshape(-1).astype(np.int64)
        band_key[empty] = -1
        band_key = np.append(band_key, -1)  # slot for missing values
        for side, side_codes in enumerate(codes):
            result[side].append(band_key[np.where(side_codes >= 0, side_codes, n_values)])
    return result


def select_rules(candidates: list[Rule], n_left: int, n_right: int, dedupe: bool) -> list[Rule]:
    """Sort the offered rules into specific ones (few pairs: accepted alone), coarse ones (more
    pairs: a pair needs keys of two different comparisons) and too coarse ones (dropped, but
    combined two by two into a specific or coarse rule)."""
    size = n_left if dedupe else n_left + n_right
    specific_budget = max(2_000, 2 * size)
    coarse_budget = max(50_000, 12 * size)
    kept: list[Rule] = []
    too_coarse: list[Rule] = []
    for rule in candidates:
        rule.pairs = count_pairs(rule.left, rule.right, dedupe)
        if rule.pairs == 0:
            continue
        if rule.pairs <= coarse_budget:
            rule.specific = rule.pairs <= specific_budget
            kept.append(rule)
        elif "minhash" not in rule.description:
            too_coarse.append(rule)
    for i, first in enumerate(too_coarse):
        for second in too_coarse[i + 1 :]:
            if first.family == second.family:
                continue
            left = combine(first.left, second.left)
            if dedupe:
                right = left
            else:
                both = combine(
                    np.concatenate([first.left, first.right]),
                    np.concatenate([second.left, second.right]),
                )
                left, right = both[:n_left], both[n_left:]
            rule = Rule(
                f"{first.description} + {second.description}",
                left,
                right,
                family=f"{first.family}+{second.family}",
            )
            rule.pairs = count_pairs(left, right, dedupe)
            if 0 < rule.pairs <= coarse_budget:
                rule.specific = rule.pairs <= specific_budget
                kept.append(rule)
    return kept


def candidate_pairs(rules: list[Rule], n_right: int, dedupe: bool) -> tuple[IntArray, IntArray]:
    """Pairs of any specific rule, and pairs that coarse rules of two families agree on (or of
    one family when the coarse rules all come from one comparison)."""
    width = np.int64(max(1, n_right))
    accepted: list[IntArray] = []
    by_family: dict[str, list[IntArray]] = {}
    for rule in rules:
        rows_left, rows_right = join(rule.left, rule.right, dedupe)
        encoded = rows_left * width + rows_right
        if rule.specific:
            accepted.append(encoded)
        else:
            by_family.setdefault(rule.family, []).append(encoded)
    if len(by_family) == 1:
        accepted.extend(next(iter(by_family.values())))
    elif by_family:
        per_family = [_sorted_unique(np.concatenate(parts)) for parts in by_family.values()]
        merged = np.sort(np.concatenate(per_family))
        accepted.append(_sorted_unique(merged[1:][merged[1:] == merged[:-1]]))
    if not accepted:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    unique = _sorted_unique(np.concatenate(accepted))
    return unique // width, unique % width


def _sorted_unique(values: IntArray) -> IntArray:
    """Sorted distinct values (a plain sort: faster than hashing for these integer codes)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]
