"""Taxonomy coder: zero-shot and trained accuracy on labelled samples, scores, CSV taxonomies."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from industrybrain.modules.chain.coder import (
    Taxonomy,
    TaxonomyCoder,
    TaxonomyEntry,
    TaxonomyError,
    char_features,
    gbt4754_taxonomy,
    normalise,
    read_taxonomy_csv,
)

DATA = Path(__file__).parent / "data"

# English product descriptions against HS 2022 headings (English text only), written by hand
# for this test and not used to design the coder.
HS_SAMPLE = [
    ("8413", "submersible water pump for wells and centrifugal pumps for liquids"),
    ("8481", "brass ball valves and gate valves for water pipes"),
    ("8501", "three phase electric motors 7.5 kw"),
    ("8544", "insulated copper cable for electric power"),
    ("6403", "men's leather shoes with rubber soles"),
    ("8703", "passenger cars, sedan motor vehicles"),
    ("8517", "smartphones and mobile telephones"),
    ("1006", "long grain white rice, milled"),
    ("2523", "portland cement in bags"),
    ("9403", "office furniture: desks and wooden cabinets"),
    ("8450", "front loading household washing machines"),
    ("6109", "knitted cotton t-shirts"),
    ("8415", "split air conditioning units for homes"),
    ("4011", "new pneumatic rubber tyres for trucks"),
    ("9018", "surgical instruments and dental appliances"),
]


@pytest.fixture(scope="module")
def gbt_coder() -> TaxonomyCoder:
    return TaxonomyCoder(gbt4754_taxonomy())


def _sample() -> list[dict[str, str]]:
    with (DATA / "gbt4754_sample.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _accuracy(coder: TaxonomyCoder, texts: list[str], codes: list[str]) -> tuple[float, float]:
    indices, _ = coder.top_k_indices(texts, 3)
    gold = np.asarray([coder.code_index[code] for code in codes])
    return float((indices[:, 0] == gold).mean()), float((indices == gold[:, None]).any(1).mean())


def test_gbt4754_candidates_are_level_four_classes(gbt_coder: TaxonomyCoder) -> None:
    assert len(gbt_coder.codes) == 1380
    assert all(len(code) == 4 for code in gbt_coder.codes)


def test_chinese_sample_zero_shot_and_lift_from_training() -> None:
    rows = _sample()
    train = [r for r in rows if r["split"] == "train"]
    test_zh = [r for r in rows if r["split"] == "test" and r["lang"] == "zh"]
    test_en = [r for r in rows if r["split"] == "test" and r["lang"] == "en"]
    coder = TaxonomyCoder(gbt4754_taxonomy())
    zh_top1, zh_top3 = _accuracy(coder, [r["text"] for r in test_zh], [r["code"] for r in test_zh])
    en_top1, en_top3 = _accuracy(coder, [r["text"] for r in test_en], [r["code"] for r in test_en])
    # Measured: zh 0.625 / 0.80. GB/T 4754 has Chinese text only, so English cannot match
    # zero-shot (0 / 0); labelled English examples bring it up.
    assert zh_top3 >= 0.75 and zh_top1 >= 0.55
    assert en_top3 <= 0.1
    coder.fit([r["text"] for r in train], [r["code"] for r in train])
    zh_top1_t, zh_top3_t = _accuracy(
        coder, [r["text"] for r in test_zh], [r["code"] for r in test_zh]
    )
    en_top1_t, en_top3_t = _accuracy(
        coder, [r["text"] for r in test_en], [r["code"] for r in test_en]
    )
    # Measured: zh 0.85 / 0.95, en 0.675 / 0.80.
    assert zh_top3_t >= 0.9 and zh_top1_t >= zh_top1 + 0.1
    assert en_top3_t >= 0.7 and en_top1_t >= en_top1 + 0.5


def test_demo_business_scopes_zero_shot_and_trained(tmp_path: Path) -> None:
    from industrybrain.modules.demo.service import generate_demo

    generate_demo(tmp_path, enterprises=300, seed=11)
    with (tmp_path / "truth" / "enterprises.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    half = len(rows) // 2
    texts = [r["business_scope"] for r in rows]
    codes = [r["industry_class"] for r in rows]
    coder = TaxonomyCoder(gbt4754_taxonomy())
    _, zero_top3 = _accuracy(coder, texts[half:], codes[half:])
    coder.fit(texts[:half], codes[:half])
    trained_top1, trained_top3 = _accuracy(coder, texts[half:], codes[half:])
    # Seed 7 measured 0.68 / 0.89 zero-shot and 0.96 / 0.97 trained.
    assert zero_top3 >= 0.75
    assert trained_top1 >= 0.9 and trained_top3 >= zero_top3


def test_english_taxonomy_zero_shot(tmp_path: Path) -> None:
    from industrybrain.reference import hs_codes

    path = tmp_path / "hs.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "parent"])
        for code in hs_codes().values():
            if code.level in (2, 4):
                writer.writerow([code.code, code.description, code.parent or ""])
    taxonomy = read_taxonomy_csv(path)
    assert len(taxonomy.candidates) == 1229  # headings; chapters are parents
    coder = TaxonomyCoder(taxonomy)
    top1, top3 = _accuracy(coder, [t for _, t in HS_SAMPLE], [c for c, _ in HS_SAMPLE])
    assert top3 >= 0.8 and top1 >= 0.6


def _tiny() -> Taxonomy:
    entries = [
        TaxonomyEntry("M", "machinery 机械"),
        TaxonomyEntry("M1", "pumps 泵", "centrifugal, submersible", "M", ("离心泵", "潜水泵")),
        TaxonomyEntry("M2", "valves 阀门", "gate and ball valves", "M", ("闸阀", "球阀")),
        TaxonomyEntry("F", "food 食品"),
        TaxonomyEntry("F1", "rice milling 大米加工", "", "F"),
        TaxonomyEntry("F2", "edible oil 食用油", "", "F"),
    ]
    return Taxonomy({e.code: e for e in entries})


def test_leaves_are_candidates_and_keywords_count() -> None:
    coder = TaxonomyCoder(_tiny())
    assert coder.codes == ["M1", "M2", "F1", "F2"]
    matches = coder.top_k(["潜水泵制造", "闸阀销售", "大米", "Ball Valves"], 2)
    assert [m[0].code for m in matches] == ["M1", "M2", "F1", "M2"]
    for row in matches:
        assert all(0.0 <= m.score <= 1.0 for m in row)
        assert sum(m.score for m in row) <= 1.0 + 1e-9
        assert [m.rank for m in row] == list(range(1, len(row) + 1))


def test_text_without_known_ngram_gets_no_code() -> None:
    coder = TaxonomyCoder(_tiny())
    assert coder.top_k(["", "zzzz qqqq"], 3) == [[], []]


def test_parent_text_smooths_children() -> None:
    # "machinery" appears only in the parent's name: both children inherit it, foods do not.
    coder = TaxonomyCoder(_tiny())
    codes = {m.code for m in coder.top_k(["machinery"], 4)[0]}
    assert codes == {"M1", "M2"}


def test_sparse_and_dense_scores_agree(gbt_coder: TaxonomyCoder) -> None:
    texts = [r["text"] for r in _sample() if r["lang"] == "zh"]
    sparse_idx, sparse_scores = gbt_coder.top_k_indices(texts, 3)
    dense_idx, dense_scores = gbt_coder.top_k_indices(texts, 3, dense=True)
    # The sparse path lists only codes with some similarity; the dense path ranks every code.
    listed = sparse_idx >= 0
    assert listed[:, 0].mean() > 0.9
    assert np.allclose(sparse_scores[listed], dense_scores[listed], atol=1e-9)
    assert (sparse_idx[listed] == dense_idx[listed]).mean() > 0.99


def test_parallel_chunks_give_the_same_result(gbt_coder: TaxonomyCoder) -> None:
    texts = [r["text"] for r in _sample()] * 3
    one = list(gbt_coder.code_many(texts, 3, workers=1, chunk_size=50))
    two = list(gbt_coder.code_many(texts, 3, workers=2, chunk_size=50))
    assert len(one) == len(two) == 10
    for (a_idx, a_sc), (b_idx, b_sc) in zip(one, two, strict=True):
        assert (a_idx == b_idx).all() and np.allclose(a_sc, b_sc)


def test_training_refuses_unknown_codes() -> None:
    coder = TaxonomyCoder(_tiny())
    with pytest.raises(TaxonomyError, match="not in the taxonomy"):
        coder.fit(["x"], ["Z9"])


def test_taxonomy_csv_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,label\n1,a\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="code and name"):
        read_taxonomy_csv(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("code,name\nA,a\nA,b\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="twice"):
        read_taxonomy_csv(twice)


def test_features_normalise_width_case_and_boilerplate() -> None:
    assert normalise("ＰＶＣ管") == "pvc管"
    assert "依" not in char_features(
        "阀门制造（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
    )
    features = char_features("水泵 Pumps")
    assert {"水", "泵", "水泵", "w:pumps", "c:<pu"} <= set(features)


def test_trained_sparse_and_dense_scores_agree() -> None:
    rows = [r for r in _sample() if r["lang"] == "zh"]
    train = [r for r in rows if r["split"] == "train"]
    coder = TaxonomyCoder(gbt4754_taxonomy())
    coder.fit([r["text"] for r in train], [r["code"] for r in train])
    coder.prior_weight, coder.model_weight = 0.05, 0.5  # exercise both blends whatever tuning chose
    texts = [r["text"] for r in rows]
    sparse_idx, sparse_scores = coder.top_k_indices(texts, 3)
    dense_idx, dense_scores = coder.top_k_indices(texts, 3, dense=True)
    assert (sparse_idx[:, 0] >= 0).all()
    listed = sparse_idx >= 0
    assert np.allclose(sparse_scores[listed], dense_scores[listed], atol=1e-9)
    # Codes may differ only between ties: each listed code has exactly its score in the full
    # probability matrix.
    full = coder.probabilities(texts)
    rows = np.nonzero(listed)[0]
    assert np.allclose(full[rows, sparse_idx[listed]], sparse_scores[listed], atol=1e-9)
    assert (sparse_idx[listed] == dense_idx[listed]).mean() > 0.9
