"""Taxonomy coder: rows per second on 100,000 business scopes and accuracy, GB/T 4754-2017.

Bound (issue 8): at least 20,000 rows/s on 2 cores. Rows are business scopes of a generated
demo cluster (3,000 enterprises), each prefixed with the enterprise name, with its activity
phrases in a random order and subset plus up to two phrases of other enterprises (diversified
scopes), so that most rows are distinct text (the count is printed). Accuracy: top-1 and
top-3 on half of the demo enterprises and on the hand-written sample in tests/chain/data
(Chinese), zero-shot and trained (on the other half / the sample's training split).
Baseline, same run: the scikit-learn pipeline one would write first (TfidfVectorizer char 1-3
grams over the class names and descriptions, cosine by ``linear_kernel``, top-3 by argpartition).
"""

from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import print_table, record

ROWS = int(os.environ.get("BENCH_CODER_ROWS", "100000"))
BOUND_ROWS_PER_SECOND = 20_000
SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "chain" / "data" / "gbt4754_sample.csv"


def scopes(folder: Path) -> list[dict[str, str]]:
    from industrybrain.modules.demo.service import generate_demo

    generate_demo(folder, enterprises=3000, seed=7, months=12)
    with (folder / "truth" / "enterprises.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def shuffled_rows(enterprises: list[dict[str, str]], count: int) -> list[str]:
    """Name + the enterprise's activity phrases (shuffled subset) + 0-2 phrases of others."""
    rng = random.Random(8)
    pool = [
        [p for p in e["business_scope"].partition("。")[0].split("；") if p] for e in enterprises
    ]
    rows = []
    for _ in range(count):
        index = rng.randrange(len(enterprises))
        enterprise = enterprises[index]
        phrases = list(pool[index])
        rng.shuffle(phrases)
        kept = phrases[: rng.randint(1, len(phrases))]
        for _ in range(rng.randint(0, 2)):
            kept.append(rng.choice(rng.choice(pool)))
        tail = enterprise["business_scope"].partition("。")[2]
        rows.append(f"{enterprise['name']}：{'；'.join(kept)}。{tail}")
    return rows


def accuracy(indices: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    return float((indices[:, 0] == gold).mean()), float((indices == gold[:, None]).any(1).mean())


def timed(coder: object, texts: list[str], workers: int, repeats: int = 3) -> float:
    """Best of ``repeats`` runs (as timeit does): the machine is shared, and the best run is
    the one least disturbed by other processes."""
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in coder.code_many(texts, 3, workers=workers):  # type: ignore[attr-defined]
            pass
        best = max(best, len(texts) / (time.perf_counter() - started))
    return best


def baseline(texts: list[str], taxonomy: object) -> tuple[float, np.ndarray, list[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    codes = list(taxonomy.candidates)  # type: ignore[attr-defined]
    entries = taxonomy.entries  # type: ignore[attr-defined]
    documents = [f"{entries[c].name} {entries[c].description}" for c in codes]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents)
    started = time.perf_counter()
    tops = []
    for start in range(0, len(texts), 5000):
        similarity = linear_kernel(vectorizer.transform(texts[start : start + 5000]), matrix)
        top = np.argpartition(-similarity, 2, axis=1)[:, :3]
        order = np.argsort(-np.take_along_axis(similarity, top, axis=1), axis=1)
        tops.append(np.take_along_axis(top, order, axis=1))
    return len(texts) / (time.perf_counter() - started), np.vstack(tops), codes


def main() -> int:
    from industrybrain.modules.chain.coder import TaxonomyCoder, gbt4754_taxonomy

    with tempfile.TemporaryDirectory() as folder:
        enterprises = scopes(Path(folder))
    texts = shuffled_rows(enterprises, ROWS)
    print(
        f"{len(texts):,} rows, {len(set(texts)):,} distinct; load average {os.getloadavg()[0]:.1f}"
    )

    zero = TaxonomyCoder(gbt4754_taxonomy())
    rates = {
        "zero-shot, 2 workers": timed(zero, texts, 2),
        "zero-shot, 1 worker": timed(zero, texts, 1),
    }

    half = len(enterprises) // 2
    train, test = enterprises[:half], enterprises[half:]
    test_texts = [e["business_scope"] for e in test]
    test_gold = np.asarray([zero.code_index[e["industry_class"]] for e in test])
    results = {"demo zero-shot": accuracy(zero.top_k_indices(test_texts, 3)[0], test_gold)}
    with SAMPLE.open(encoding="utf-8") as handle:
        sample = [r for r in csv.DictReader(handle) if r["lang"] == "zh"]
    sample_train = [r for r in sample if r["split"] == "train"]
    sample_test = [r for r in sample if r["split"] == "test"]
    sample_gold = np.asarray([zero.code_index[r["code"]] for r in sample_test])
    sample_texts = [r["text"] for r in sample_test]
    results["hand-written zero-shot"] = accuracy(
        zero.top_k_indices(sample_texts, 3)[0], sample_gold
    )

    started = time.perf_counter()
    trained = TaxonomyCoder(gbt4754_taxonomy()).fit(
        [e["business_scope"] for e in train], [e["industry_class"] for e in train]
    )
    fit_seconds = time.perf_counter() - started
    results["demo trained"] = accuracy(trained.top_k_indices(test_texts, 3)[0], test_gold)
    rates["trained, 2 workers"] = timed(trained, texts, 2)
    sample_coder = TaxonomyCoder(gbt4754_taxonomy()).fit(
        [r["text"] for r in sample_train], [r["code"] for r in sample_train]
    )
    results["hand-written trained"] = accuracy(
        sample_coder.top_k_indices(sample_texts, 3)[0], sample_gold
    )

    jieba_coder = TaxonomyCoder(gbt4754_taxonomy(), words=True)
    rates["zero-shot + jieba words, 2 workers"] = timed(jieba_coder, texts[:20_000], 2, 1)
    results["demo zero-shot + jieba"] = accuracy(
        jieba_coder.top_k_indices(test_texts, 3)[0], test_gold
    )

    base_rate, _, base_codes = baseline(texts, zero.taxonomy)
    base_index = {code: i for i, code in enumerate(base_codes)}
    _, base_demo_top = baseline(test_texts, zero.taxonomy)[:2]
    base_gold = np.asarray([base_index[e["industry_class"]] for e in test])
    results["baseline demo zero-shot"] = accuracy(base_demo_top, base_gold)
    rates["baseline sklearn tf-idf + linear_kernel, 1 process"] = base_rate

    print_table(["run", "rows/s"], [[name, f"{rate:,.0f}"] for name, rate in rates.items()])
    print_table(
        ["accuracy", "top-1", "top-3", "rows"],
        [
            [
                name,
                f"{top1:.3f}",
                f"{top3:.3f}",
                str(len(test) if "demo" in name else len(sample_test)),
            ]
            for name, (top1, top3) in results.items()
        ],
    )
    print(f"training on {len(train):,} examples took {fit_seconds:.1f} s")
    load = os.getloadavg()[0]
    ours = rates["zero-shot, 2 workers"]
    z1, z3 = results["demo zero-shot"]
    t1, t3 = results["demo trained"]
    h1, h3 = results["hand-written zero-shot"]
    ht1, ht3 = results["hand-written trained"]
    b1, b3 = results["baseline demo zero-shot"]
    record(
        "chain taxonomy coder, GB/T 4754 (1,380 classes), 100k business scopes",
        f"{ours:,.0f} rows/s zero-shot, {rates['trained, 2 workers']:,.0f} trained (2 workers, "
        f"best of 3, load avg {load:.1f}); top-1/top-3 demo {z1:.2f}/{z3:.2f} zero-shot, {t1:.2f}/{t3:.2f} "
        f"trained; hand-written {h1:.2f}/{h3:.2f} zero-shot, {ht1:.2f}/{ht3:.2f} trained",
        f"sklearn TfidfVectorizer char 1-3 + linear_kernel: {base_rate:,.0f} rows/s, demo "
        f"{b1:.2f}/{b3:.2f}",
        f"{ours / base_rate:.1f}x faster; bound {BOUND_ROWS_PER_SECOND:,} rows/s",
    )
    return 0 if ours >= BOUND_ROWS_PER_SECOND else 1


if __name__ == "__main__":
    raise SystemExit(main())
