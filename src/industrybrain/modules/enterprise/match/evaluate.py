"""Precision, recall and F1 of predicted pairs against true pairs or true clusters."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from industrybrain.modules.enterprise.match.table import decode, sniff_separator

CLUSTER_COLUMNS = ("cluster", "cluster_id", "entity_id", "enterprise_id", "true_id", "match_id")


@dataclass(frozen=True)
class Scores:
    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.actual if self.actual else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    import csv
    import io

    text = decode(Path(path).read_bytes())
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=sniff_separator(text.split("\n", 1)[0])
    )
    header = [name.strip() for name in next(reader)]
    return header, [[cell.strip() for cell in row] for row in reader if row]


def read_pairs(path: Path) -> set[tuple[str, str]]:
    """The first two columns of a pairs file (``left_id,right_id,...``)."""
    _, rows = _rows(path)
    return {(row[0], row[1]) for row in rows if len(row) >= 2}


def read_truth(path: Path) -> tuple[set[tuple[str, str]], bool]:
    """True pairs and whether they are unordered (a cluster file: ``id,cluster``)."""
    header, rows = _rows(path)
    lowered = [name.lower() for name in header]
    cluster_column = next((lowered.index(c) for c in CLUSTER_COLUMNS if c in lowered), None)
    if cluster_column is None:
        return {(row[0], row[1]) for row in rows if len(row) >= 2}, False
    id_column = 0 if cluster_column != 0 else 1
    members: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        members[row[cluster_column]].append(row[id_column])
    pairs: set[tuple[str, str]] = set()
    for ids in members.values():
        for a, b in itertools.combinations(sorted(set(ids)), 2):
            pairs.add((a, b))
    return pairs, True


def score(predicted: set[tuple[str, str]], truth: set[tuple[str, str]], unordered: bool) -> Scores:
    if unordered:
        predicted = {tuple(sorted(pair)) for pair in predicted}  # type: ignore[misc]
        truth = {tuple(sorted(pair)) for pair in truth}  # type: ignore[misc]
    return Scores(len(predicted & truth), len(predicted), len(truth))
