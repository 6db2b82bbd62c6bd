"""Taxonomy coder: assign codes of any code list (GB/T 4754, HS, a CSV) to free text.

Zero-shot, every code gets a document made of its name (weighted highest), keywords,
description and, through hierarchical smoothing, its ancestors' documents. Texts and documents
become sublinear TF-IDF vectors over character n-grams (1-3 for CJK runs) and words plus
character 3-4 grams (Latin runs); the score of a code is the cosine of the two vectors. With
labelled examples the code vectors move towards their examples' centroid (Rocchio), a label
prior is added, and a multinomial logistic regression on the same features is blended in; the
temperature and the blend weights are chosen on a held-out part of the examples. Scores are
softmax probabilities over the codes, so they lie in [0, 1] and sum to at most 1 per row.

Speed comes from a fixed vocabulary (n-grams of the taxonomy and the examples; others cannot
score), pruning of n-grams that occur in most documents, one sparse matrix product per chunk
of rows, and chunks scored in parallel processes. jieba word tokens are optional
(``words=True``): they help little over character bigrams and trigrams and cost about 3x the
speed (measured in ``benchmarks/bench_chain_coder.py``).
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import scipy.sparse as sp

# --- taxonomy --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxonomyEntry:
    code: str
    name: str
    description: str = ""
    parent: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass
class Taxonomy:
    """A code list; ``candidates`` are the codes the coder may assign (leaves by default)."""

    entries: dict[str, TaxonomyEntry]
    candidates: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.candidates:
            parents = {e.parent for e in self.entries.values() if e.parent}
            self.candidates = [code for code in self.entries if code not in parents]

    def ancestors(self, code: str) -> list[str]:
        chain: list[str] = []
        seen = {code}
        parent = self.entries[code].parent
        while parent and parent in self.entries and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = self.entries[parent].parent
        return chain


class TaxonomyError(ValueError):
    pass


def gbt4754_taxonomy(level: int = 4) -> Taxonomy:
    """The packaged GB/T 4754-2017 classification; candidates are the codes of ``level``."""
    from industrybrain.reference import industry_classes

    entries = {
        c.code: TaxonomyEntry(c.code, c.name, c.description, c.parent)
        for c in industry_classes().values()
    }
    candidates = [c.code for c in industry_classes().values() if c.level == level]
    return Taxonomy(entries, candidates)


def read_taxonomy_csv(path: Path, *, all_levels: bool = False) -> Taxonomy:
    """Read ``code,name[,description,parent,keywords]`` (keywords separated by ``;`` or ``|``)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or [])
        if not {"code", "name"} <= columns:
            raise TaxonomyError(f"{path}: a taxonomy needs the columns code and name")
        entries: dict[str, TaxonomyEntry] = {}
        for line, row in enumerate(reader, start=2):
            code = (row.get("code") or "").strip()
            if not code:
                raise TaxonomyError(f"{path}:{line}: empty code")
            if code in entries:
                raise TaxonomyError(f"{path}:{line}: code {code!r} appears twice")
            keywords = tuple(
                k.strip() for k in re.split(r"[;|；]", row.get("keywords") or "") if k.strip()
            )
            entries[code] = TaxonomyEntry(
                code,
                (row.get("name") or "").strip(),
                (row.get("description") or "").strip(),
                (row.get("parent") or "").strip() or None,
                keywords,
            )
    if not entries:
        raise TaxonomyError(f"{path}: no codes")
    return Taxonomy(entries, list(entries) if all_levels else [])


def load_taxonomy(spec: str, *, all_levels: bool = False) -> Taxonomy:
    """``gbt4754`` (level-4 classes) or a CSV file path."""
    if spec.lower() in {"gbt4754", "gb/t4754", "gbt4754-2017"}:
        return gbt4754_taxonomy()
    path = Path(spec)
    if not path.is_file():
        raise TaxonomyError(f"no taxonomy {spec!r}: use gbt4754 or a CSV file")
    return read_taxonomy_csv(path, all_levels=all_levels)


# --- text features ---------------------------------------------------------------------------

# Registry boilerplate that every Chinese business scope carries; it says nothing of the trade.
_BOILERPLATE = re.compile(
    r"[(（][^()（）\0]*依法须经批准[^()（）\0]*[)）]|"
    r"除依法须经批准的项目外[^。；;\0]*|一般项目[:：]|许可项目[:：]|"
    r"具体经营项目以[^。；;\0]*为准|依法须经批准的项目[^。；;\0]*"
)
_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:[-.][a-z0-9]+)*")
_CJK_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_RUNS = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
_HAS_LATIN = re.compile(r"[a-z0-9]")
_FEATURE_CHAR = re.compile(r"[A-Za-z0-9\u3400-\u9fff\uf900-\ufaff]")
_CJK_START = "\u3400"


@lru_cache(maxsize=1)
def _nfkc() -> tuple[dict[int, str], re.Pattern[str]]:
    """NFKC mappings of single characters that change the features (letters, digits, hanzi).

    Full-width punctuation maps to ASCII punctuation, and both only separate runs, so it is left
    alone; what remains (full-width letters and digits, compatibility ideographs, circled and
    squared forms) is rare, and a text without any of it skips translation entirely.
    """
    table: dict[int, str] = {}
    for point in [*range(0xA0, 0x3400), *range(0xF900, 0xFB00), *range(0xFE00, 0x10000)]:
        char = chr(point)
        mapped = unicodedata.normalize("NFKC", char)
        if mapped != char and _FEATURE_CHAR.search(mapped):
            table[point] = mapped
    pattern = re.compile("[" + "".join(re.escape(chr(point)) for point in table) + "]")
    return table, pattern


def normalise(text: str) -> str:
    """Lower case, NFKC of feature characters, registry boilerplate removed."""
    if not text.isascii():
        table, pattern = _nfkc()
        if pattern.search(text):
            text = text.translate(table)
    return _BOILERPLATE.sub(" ", text.lower())


def char_features(text: str) -> list[str]:
    """CJK character 1-3 grams; Latin words and the 3-4 grams of ``<word>``."""
    out: list[str] = []
    text = normalise(text)
    for run in _CJK_RUNS.findall(text):
        n = len(run)
        out.extend(run)
        out.extend([run[i : i + 2] for i in range(n - 1)])
        out.extend([run[i : i + 3] for i in range(n - 2)])
    out.extend(_latin_features(text))
    return out


def _latin_features(normalised: str) -> list[str]:
    out: list[str] = []
    for run in _LATIN_RUNS.findall(normalised):
        out.append("w:" + run)
        if len(run) > 3 and not run.isdigit():
            padded = f"<{run}>"
            n = len(padded)
            out.extend(["c:" + padded[i : i + 3] for i in range(n - 2)])
            out.extend(["c:" + padded[i : i + 4] for i in range(n - 3)])
    return out


def word_features(text: str) -> list[str]:
    """Character features plus jieba words of the CJK runs (slower, optional)."""
    import jieba

    out = char_features(text)
    for run in _RUNS.findall(normalise(text)):
        if run[0] >= _CJK_START and len(run) > 1:
            out.extend(["j:" + w for w in jieba.cut(run, HMM=False) if len(w) > 1])
    return out


def _init_jieba() -> None:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()


# --- the coder -------------------------------------------------------------------------------

NAME_WEIGHT = 3.0
KEYWORD_WEIGHT = 2.0
DESCRIPTION_WEIGHT = 1.0
PARENT_SMOOTHING = 0.4  # share of the parent's vector added to a child's (recursively)
MAX_DOC_FREQUENCY = 0.02  # n-grams in more code documents than this carry little signal
UNIGRAM_WEIGHT = 1.7  # a rare single hanzi (泵, 阀) often names the product on its own
ZERO_SHOT_TEMPERATURE = 0.05
# Weights below this in a code's unit vector (mostly far ancestors' n-grams) are dropped: they
# barely move a score but make every text touch most codes (measured: 6x fewer candidates).
PRUNE_BELOW = 0.04


@dataclass(frozen=True)
class CodeMatch:
    code: str
    name: str
    score: float
    rank: int


class TaxonomyCoder:
    """Fit on a taxonomy (and optionally examples), then ``top_k`` texts."""

    def __init__(self, taxonomy: Taxonomy, *, words: bool = False) -> None:
        self.taxonomy = taxonomy
        self.words = words
        self.codes: list[str] = list(taxonomy.candidates)
        if not self.codes:
            raise TaxonomyError("the taxonomy has no codes to assign")
        self.code_index = {code: i for i, code in enumerate(self.codes)}
        self.vocabulary: dict[str, int] = {}
        self.idf = np.zeros(0)
        self.code_matrix: sp.csr_matrix  # features x codes, columns L2-normalised
        self.temperature = ZERO_SHOT_TEMPERATURE
        self.log_prior = np.zeros(len(self.codes))
        self.prior_weight = 0.0
        self.model_weight = 0.0
        self.model_coef: np.ndarray | None = None  # model columns x trained classes
        self.model_intercept: np.ndarray | None = None
        self.model_classes: np.ndarray | None = None  # indices into self.codes
        self.model_columns = np.zeros(0, dtype=np.int64)  # vocabulary columns the model uses
        self._full_coef: np.ndarray | None = None
        self.trained_on = 0
        if words:
            _init_jieba()
        self._fit_zero_shot()

    # features
    def analyse(self, text: str) -> list[str]:
        return word_features(text) if self.words else char_features(text)

    def _counts(self, texts: Sequence[str], *, grow: bool) -> sp.csr_matrix:
        """Sublinear term frequencies (1 + log tf) over the vocabulary."""
        vocabulary = self.vocabulary
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        log = math.log
        for text in texts:
            counts: dict[int, int] = {}
            for gram in self.analyse(text):
                column = vocabulary.get(gram)
                if column is None:
                    if not grow:
                        continue
                    column = vocabulary[gram] = len(vocabulary)
                counts[column] = counts.get(column, 0) + 1
            indices.extend(counts)
            data.extend([1.0 + log(c) for c in counts.values()])
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.asarray(data), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(texts), len(vocabulary)),
        )

    def _fast_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sublinear term frequencies over the fixed vocabulary, vectorised with NumPy.

        CJK n-grams become 63-bit keys of their code points (21 bits each) computed on the
        whole chunk at once and looked up by binary search; only Latin runs (and jieba words)
        go through Python.
        """
        if self.words:
            return self._counts(texts, grow=False)
        self._ensure_keys()
        # One normalisation over the whole chunk: NUL separates rows and survives NFKC.
        joined = normalise("\0".join(text.replace("\0", " ") for text in texts))
        raw = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        points: np.ndarray = np.append(raw, np.uint32(0)).astype(np.int64)
        separators = points == 0
        row_of = np.cumsum(separators) - separators
        cjk = ((points >= 0x3400) & (points <= 0x9FFF)) | ((points >= 0xF900) & (points <= 0xFAFF))
        keys: list[np.ndarray] = [points[cjk]]
        rows: list[np.ndarray] = [row_of[cjk]]
        pair = cjk[:-1] & cjk[1:]
        keys.append(points[:-1][pair] | (points[1:][pair] << 21))
        rows.append(row_of[:-1][pair])
        triple = pair[:-1] & cjk[2:]
        keys.append(points[:-2][triple] | (points[1:-1][triple] << 21) | (points[2:][triple] << 42))
        rows.append(row_of[:-2][triple])
        all_keys = np.concatenate(keys)
        all_rows = np.concatenate(rows)
        found_columns = self._key_table.lookup(all_keys)
        found = found_columns >= 0
        columns = [found_columns[found]]
        row_parts = [all_rows[found]]
        vocabulary_get = self.vocabulary.get
        for row, text in enumerate(joined.split("\0") if _HAS_LATIN.search(joined) else ()):
            if _HAS_LATIN.search(text) is None:
                continue
            latin = [c for c in map(vocabulary_get, _latin_features(text)) if c is not None]
            if latin:
                columns.append(np.asarray(latin, dtype=np.int64))
                row_parts.append(np.full(len(latin), row, dtype=np.int64))
        matrix = sp.csr_matrix(
            (
                np.ones(sum(len(c) for c in columns)),
                (np.concatenate(row_parts), np.concatenate(columns)),
            ),
            shape=(len(texts), len(self.vocabulary)),
        )
        matrix.sum_duplicates()
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1.0
        return matrix

    def _ensure_keys(self) -> None:
        if getattr(self, "_keys_for", -1) == len(self.vocabulary):
            return
        keys: list[int] = []
        columns: list[int] = []
        for gram, column in self.vocabulary.items():
            if gram[0] >= _CJK_START and len(gram) <= 3:
                key = 0
                for shift, char in enumerate(gram):
                    key |= ord(char) << (21 * shift)
                keys.append(key)
                columns.append(column)
        self._key_table = _KeyTable(
            np.asarray(keys, dtype=np.int64), np.asarray(columns, dtype=np.int64)
        )
        self._keys_for = len(self.vocabulary)

    @staticmethod
    def _normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)

    def _fit_zero_shot(self) -> None:
        taxonomy = self.taxonomy
        all_codes = list(taxonomy.entries)
        names = [taxonomy.entries[c].name for c in all_codes]
        descriptions = [taxonomy.entries[c].description for c in all_codes]
        keywords = [" ".join(taxonomy.entries[c].keywords) for c in all_codes]
        name_tf = self._counts(names, grow=True)
        description_tf = self._counts(descriptions, grow=True)
        keyword_tf = self._counts(keywords, grow=True)
        size = len(self.vocabulary)
        own = (
            NAME_WEIGHT * _resize(name_tf, size)
            + DESCRIPTION_WEIGHT * _resize(description_tf, size)
            + KEYWORD_WEIGHT * _resize(keyword_tf, size)
        ).tocsr()
        # Document frequency over every code's own text; idf as in scikit-learn (smooth).
        df = np.bincount(own.indices, minlength=size)
        n_docs = own.shape[0]
        self.idf = np.log((1 + n_docs) / (1 + df)) + 1.0
        self._keep = (df <= max(2, MAX_DOC_FREQUENCY * n_docs)).astype(np.float64)
        unigrams = np.fromiter(
            (len(g) == 1 for g in self.vocabulary), dtype=bool, count=len(self.vocabulary)
        )
        self._keep[unigrams] *= UNIGRAM_WEIGHT
        own_vectors = self._normalise_rows(self._weigh(own))
        # Hierarchical smoothing: child = own + a * parent (parent already smoothed).
        row_of = {code: i for i, code in enumerate(all_codes)}
        smoothed: dict[str, sp.csr_matrix] = {}

        def vector(code: str, depth: int = 0) -> sp.csr_matrix:
            if code in smoothed:
                return smoothed[code]
            result = own_vectors[row_of[code]]
            parent = taxonomy.entries[code].parent
            if parent in row_of and depth < 20:
                result = result + PARENT_SMOOTHING * vector(parent, depth + 1)
            smoothed[code] = sp.csr_matrix(result)
            return smoothed[code]

        self._zero_shot = self._normalise_rows(
            sp.vstack([vector(code) for code in self.codes]).tocsr()
        )
        self.code_matrix = _pruned(self._zero_shot.T)

    def _weigh(self, tf: sp.csr_matrix) -> sp.csr_matrix:
        size = len(self.idf)
        tf = _resize(tf, size)
        weights = self.idf * self._keep
        return sp.csr_matrix(tf @ sp.diags(weights))

    def vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._normalise_rows(self._weigh(self._fast_counts(texts)))

    # training
    def fit(self, texts: Sequence[str], codes: Sequence[str], *, seed: int = 0) -> TaxonomyCoder:
        """Learn from labelled examples (codes outside the taxonomy's candidates are refused)."""
        unknown = sorted({c for c in codes if c not in self.code_index})
        if unknown:
            raise TaxonomyError(
                f"{len(unknown)} training codes are not in the taxonomy: {', '.join(unknown[:5])}"
            )
        if len(texts) != len(codes):
            raise ValueError("texts and codes differ in length")
        labels = np.asarray([self.code_index[c] for c in codes])
        # Grow the vocabulary with the examples' n-grams (idf of new n-grams: rare, i.e. max).
        old_size = len(self.vocabulary)
        example_tf = self._counts(texts, grow=True)
        grown = len(self.vocabulary) - old_size
        if grown:
            # n-grams that only the examples use get their idf from the examples.
            df = np.bincount(example_tf.indices, minlength=len(self.vocabulary))[old_size:]
            new_idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
            self.idf = np.concatenate([self.idf, new_idf])
            self._keep = np.concatenate([self._keep, np.ones(grown)])
            self._zero_shot = _resize(self._zero_shot, len(self.vocabulary))
        examples = self.vectors(texts)
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(labels))
        holdout = order[: len(labels) // 5] if len(labels) >= 25 else order[:0]
        train = order[len(holdout) :]
        if len(holdout):
            self._learn(examples[train], labels[train])
            self._tune(examples[holdout], labels[holdout])
        self._learn(examples, labels)
        self.trained_on = len(labels)
        return self

    def _learn(self, examples: sp.csr_matrix, labels: np.ndarray) -> None:
        n_codes = len(self.codes)
        membership = sp.csr_matrix(
            (np.ones(len(labels)), (labels, np.arange(len(labels)))),
            shape=(n_codes, len(labels)),
        )
        counts = np.asarray(membership.sum(axis=1)).ravel()
        centroids = self._normalise_rows(sp.csr_matrix(membership @ examples))
        # Rocchio: the examples outweigh the code's own text once there are a few of them.
        weight = np.minimum(counts, 5.0) / 2.0
        codes = self._normalise_rows(sp.csr_matrix(self._zero_shot + sp.diags(weight) @ centroids))
        self.code_matrix = _pruned(codes.T)
        self.log_prior = np.log((counts + 1.0) / (counts.sum() + n_codes))
        self.log_prior -= self.log_prior.max()
        classes = np.unique(labels)
        if len(classes) >= 2:
            from sklearn.linear_model import LogisticRegression

            # Only n-grams that some example uses can get a weight: fit on those columns
            # (a few thousand rather than the whole vocabulary; lbfgs is then fast).
            self.model_columns = np.unique(examples.indices)
            model = LogisticRegression(C=20.0, max_iter=300)
            with warnings.catch_warnings():
                # Few examples per code is the normal case here, not a sign of regression.
                warnings.simplefilter("ignore", UserWarning)
                model.fit(examples[:, self.model_columns], labels)
            self._full_coef = None
            self.model_coef = np.asarray(model.coef_.T, dtype=np.float64)
            self.model_intercept = np.asarray(model.intercept_, dtype=np.float64)
            self.model_classes = np.asarray(model.classes_)
            if len(classes) == 2:  # scikit-learn keeps one column for two classes
                self.model_coef = np.hstack([-self.model_coef, self.model_coef])
                self.model_intercept = np.hstack([-self.model_intercept, self.model_intercept])

    def _tune(self, examples: sp.csr_matrix, labels: np.ndarray) -> None:
        best: tuple[float, float, float, float] | None = None
        similarity = np.asarray((examples @ self.code_matrix).todense())
        model_probability = self._model_probability(examples)
        for temperature in (0.02, 0.05, 0.1):
            for prior_weight in (0.0, 0.02, 0.05):
                base = _softmax(
                    similarity / temperature + prior_weight / temperature * self.log_prior
                )
                for model_weight in (
                    (0.0, 0.25, 0.5, 0.75) if model_probability is not None else (0.0,)
                ):
                    p = (
                        base
                        if model_probability is None
                        else ((1 - model_weight) * base + model_weight * model_probability)
                    )
                    likelihood = float(np.mean(np.log(p[np.arange(len(labels)), labels] + 1e-9)))
                    if best is None or likelihood > best[0]:
                        best = (likelihood, temperature, prior_weight, model_weight)
        assert best is not None
        _, self.temperature, self.prior_weight, self.model_weight = best

    def _class_position(self) -> np.ndarray:
        """Code index -> column of the model's classes, -1 for codes without examples."""
        position = np.full(len(self.codes), -1, dtype=np.int64)
        if self.model_classes is not None:
            position[self.model_classes] = np.arange(len(self.model_classes))
        return position

    def _model_class_probability(self, examples: sp.csr_matrix) -> np.ndarray | None:
        """Logistic-model probabilities over its own classes only (rows x trained classes)."""
        if self.model_coef is None or self.model_classes is None:
            return None
        vocabulary_size = examples.shape[1]
        if vocabulary_size * self.model_coef.shape[1] <= 20_000_000:
            # Scatter the weights over the whole vocabulary once: a CSR x dense product is much
            # faster than slicing the examples' columns on every chunk.
            cached = getattr(self, "_full_coef", None)
            if cached is None or cached.shape[0] != vocabulary_size:
                cached = np.zeros((vocabulary_size, self.model_coef.shape[1]))
                cached[self.model_columns] = self.model_coef
                self._full_coef = cached
            logits = np.asarray(examples @ cached)
        else:
            logits = np.asarray(examples[:, self.model_columns] @ self.model_coef)
        logits += self.model_intercept
        return _softmax(logits)

    def _model_probability(self, examples: sp.csr_matrix) -> np.ndarray | None:
        class_probability = self._model_class_probability(examples)
        if class_probability is None:
            return None
        probability = np.zeros((examples.shape[0], len(self.codes)))
        probability[:, self.model_classes] = class_probability
        return probability

    # scoring
    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        examples = self.vectors(texts)
        similarity = (examples @ self.code_matrix).toarray()
        logits = similarity / self.temperature
        if self.prior_weight:
            logits += self.prior_weight / self.temperature * self.log_prior
        probability = _softmax(logits)
        if self.model_weight:
            model_probability = self._model_probability(examples)
            assert model_probability is not None
            probability = (1 - self.model_weight) * probability + (
                self.model_weight * model_probability
            )
        # A text with no known n-gram has no evidence: every score is then 0.
        probability[examples.getnnz(axis=1) == 0] = 0.0
        return probability

    def top_k_indices(
        self, texts: Sequence[str], k: int, *, dense: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Code indices and scores, best first; index -1 (score 0) where no code has evidence.

        Without the logistic model the scores come from a sparse computation; ``dense`` forces
        the plain rows x codes computation (the tests compare the two).
        """
        k = max(1, min(k, len(self.codes)))
        if not dense:
            return self._sparse_top_k(texts, k)
        probability = self.probabilities(texts)
        top = np.argpartition(-probability, k - 1, axis=1)[:, :k]
        top_scores = np.take_along_axis(probability, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        top_scores = np.take_along_axis(top_scores, order, axis=1)
        top[top_scores <= 0] = -1
        return top, top_scores

    def _sparse_top_k(self, texts: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Softmax top-k without a dense rows x codes matrix.

        A code with zero similarity has logit ``prior`` only, so the softmax denominator is a
        constant over all codes plus a correction over each row's non-zero similarities.
        """
        examples = self.vectors(texts)
        similarity = sp.csr_matrix(examples @ self.code_matrix)
        n_rows = similarity.shape[0]
        prior_logit = self.prior_weight / self.temperature * self.log_prior
        base = np.exp(prior_logit)
        model_probability = self._model_class_probability(examples) if self.model_weight else None
        # Codes that may win without any similarity (high prior, the model's favourites) become
        # candidates through a negligible explicit similarity, on rows that have evidence.
        extra_rows: list[np.ndarray] = []
        extra_columns: list[np.ndarray] = []
        if self.prior_weight:
            best_prior = np.argsort(-prior_logit)[:k]
            extra_rows.append(np.repeat(np.arange(n_rows), len(best_prior)))
            extra_columns.append(np.tile(best_prior, n_rows))
        if model_probability is not None and self.model_classes is not None:
            kk = min(k, model_probability.shape[1])
            favourites = np.argpartition(-model_probability, kk - 1, axis=1)[:, :kk]
            extra_rows.append(np.repeat(np.arange(n_rows), kk))
            extra_columns.append(self.model_classes[favourites].ravel())
        if extra_rows:
            has_evidence = examples.getnnz(axis=1) > 0
            rows_extra = np.concatenate(extra_rows)
            keep = has_evidence[rows_extra]
            extra = sp.csr_matrix(
                (
                    np.full(int(keep.sum()), 1e-12),
                    (rows_extra[keep], np.concatenate(extra_columns)[keep]),
                ),
                shape=similarity.shape,
            )
            similarity = sp.csr_matrix(similarity + extra)
        columns = similarity.indices
        row_lengths = np.diff(similarity.indptr)
        row_of = np.repeat(np.arange(n_rows), row_lengths)
        if self.prior_weight:
            logit = similarity.data / self.temperature + prior_logit[columns]
            exp_logit = np.exp(logit)
            correction = exp_logit - base[columns]
        else:  # every base term is exp(0) = 1: skip the gathers
            logit = similarity.data / self.temperature
            exp_logit = np.exp(logit)
            correction = exp_logit - 1.0
        denominator = base.sum() + np.bincount(row_of, weights=correction, minlength=n_rows)
        if model_probability is not None:
            # Blend with the model's probability; selection then runs on the blend.
            position_of = self._class_position()
            class_at = position_of[columns]
            blended = exp_logit / denominator[row_of] * (1 - self.model_weight)
            trained = class_at >= 0
            blended[trained] += (
                self.model_weight * model_probability[row_of[trained], class_at[trained]]
            )
            logit = blended
            exp_logit = blended
            denominator = np.ones(n_rows)
        top = np.full((n_rows, k), -1, dtype=np.int64)
        top_scores = np.zeros((n_rows, k))
        # k passes of a per-row maximum of the logits (O(k * nnz)) rather than sorting every
        # candidate; probabilities are computed for the winners only.
        nonempty = np.flatnonzero(row_lengths > 0)
        if not len(nonempty):
            return top, top_scores
        starts = similarity.indptr[nonempty]
        remaining = logit.copy()
        best_of_row = np.full(n_rows, np.inf)
        for rank in range(k):
            best_of_row[nonempty] = np.maximum.reduceat(remaining, starts)
            at_best = np.flatnonzero(remaining == best_of_row[row_of])
            rows_at_best = row_of[at_best]
            # at_best is in CSR order, so the first position of each row is where rows change.
            first = np.ones(len(at_best), dtype=bool)
            first[1:] = rows_at_best[1:] != rows_at_best[:-1]
            position, rows_at_best = at_best[first], rows_at_best[first]
            valid = remaining[position] > -np.inf
            position, rows_at_best = position[valid], rows_at_best[valid]
            top[rows_at_best, rank] = columns[position]
            top_scores[rows_at_best, rank] = exp_logit[position] / denominator[rows_at_best]
            remaining[position] = -np.inf
        return top, top_scores

    def top_k(self, texts: Sequence[str], k: int = 3) -> list[list[CodeMatch]]:
        indices, scores = self.top_k_indices(texts, k)
        entries = self.taxonomy.entries
        return [
            [
                CodeMatch(self.codes[i], entries[self.codes[i]].name, float(s), rank + 1)
                for rank, (i, s) in enumerate(zip(row_i, row_s, strict=True))
                if i >= 0
            ]
            for row_i, row_s in zip(indices, scores, strict=True)
        ]

    def code_many(
        self, texts: Sequence[str], k: int = 3, *, workers: int = 1, chunk_size: int = 5000
    ) -> Iterable[tuple[np.ndarray, np.ndarray]]:
        """(indices, scores) per chunk, in order; ``workers > 1`` scores chunks in processes."""
        chunks = [texts[i : i + chunk_size] for i in range(0, len(texts), chunk_size)]
        if workers <= 1 or len(chunks) <= 1:
            for chunk in chunks:
                yield self.top_k_indices(chunk, k)
            return
        global _WORKER_CODER
        self._ensure_keys()  # built once here rather than in every worker
        _WORKER_CODER = self  # inherited by the forked workers, never pickled
        try:
            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
                yield from pool.map(_score_chunk, chunks, [k] * len(chunks))
        finally:
            _WORKER_CODER = None


_WORKER_CODER: TaxonomyCoder | None = None


class _KeyTable:
    """Open-addressing hash table from positive int64 keys to columns, probed with NumPy.

    A vectorised lookup costs one or two random reads per key, against about 16 for a binary
    search over the sorted keys (measured: the lookup was a fifth of the coding time).
    """

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, keys: np.ndarray, columns: np.ndarray) -> None:
        bits = max(4, int(np.ceil(np.log2(max(1, len(keys)) * 3))))
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self.keys = np.full(1 << bits, -1, dtype=np.int64)
        self.columns = np.full(1 << bits, -1, dtype=np.int64)
        slot = self._slot(keys)
        pending = np.arange(len(keys))
        while len(pending):
            # Claim free slots; keys that collide (on a slot or with each other) move on.
            candidate = slot[pending]
            free = self.keys[candidate] == -1
            unique_slots, first = np.unique(candidate[free], return_index=True)
            winners = pending[free][first]
            self.keys[unique_slots] = keys[winners]
            self.columns[unique_slots] = columns[winners]
            placed = np.zeros(len(keys), dtype=bool)
            placed[winners] = True
            pending = pending[~placed[pending]]
            slot[pending] = (slot[pending] + 1) & self._mask

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            hashed = keys.astype(np.uint64) * self._MULTIPLIER
        return (hashed >> self._shift).astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Column of each key, -1 where absent."""
        result = np.full(len(keys), -1, dtype=np.int64)
        slot = self._slot(keys)
        pending = np.arange(len(keys))
        while len(pending):
            stored = self.keys[slot[pending]]
            hit = stored == keys[pending]
            result[pending[hit]] = self.columns[slot[pending[hit]]]
            # Keep probing only where the slot holds another key (an empty slot ends the chain).
            pending = pending[~hit & (stored != -1)]
            slot[pending] = (slot[pending] + 1) & self._mask
        return result


def _score_chunk(texts: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    assert _WORKER_CODER is not None
    return _WORKER_CODER.top_k_indices(texts, k)


def _pruned(matrix: sp.spmatrix) -> sp.csr_matrix:
    result = sp.csr_matrix(matrix, copy=True)
    result.data[np.abs(result.data) < PRUNE_BELOW] = 0.0
    result.eliminate_zeros()
    return result


def _resize(matrix: sp.spmatrix, columns: int) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix)
    if matrix.shape[1] == columns:
        return matrix
    return sp.csr_matrix(
        (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], columns)
    )


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted: np.ndarray = logits - logits.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted
