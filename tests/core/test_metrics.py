"""Metrics: hand-computed values, and equality with pytrec_eval (trec_eval) on random runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from xir_bench.core.metrics import (
    MEASURES,
    Judged,
    average_precision,
    average_precision_at_k,
    measure,
    ndcg_at_k,
    rank_distance,
    recall_at_k,
    reciprocal_rank,
    same_language_share,
)
from xir_bench.core.ranking import Pool, rank_relevant

INF = np.inf


def test_hand_computed_values() -> None:
    same = np.array([[False, True, False], [True, False, False], [False, False, True]])
    ranks = Judged.binary(np.array([[2.0, 4.0, INF], [1.0, INF, INF], [3.0, 1.0, 7.0]]), same)
    # AP: (1/2 + 2/4) / 2 ; 1/1 ; (1/1 + 2/3 + 3/7) / 3
    assert average_precision(ranks) == pytest.approx([0.5, 1.0, (1 + 2 / 3 + 3 / 7) / 3])
    idcg2 = 1 + 1 / math.log2(3)
    idcg3 = idcg2 + 0.5
    assert ndcg_at_k(ranks, 10) == pytest.approx(
        [(1 / math.log2(3) + 1 / math.log2(5)) / idcg2, 1.0, (1 + 0.5 + 1 / math.log2(8)) / idcg3]
    )
    assert ndcg_at_k(ranks, 3) == pytest.approx([(1 / math.log2(3)) / idcg2, 1.0, 1.5 / idcg3])
    assert recall_at_k(ranks, 1) == pytest.approx([0, 1, 1 / 3])
    assert recall_at_k(ranks, 4) == pytest.approx([1, 1, 2 / 3])
    assert reciprocal_rank(ranks) == pytest.approx([0.5, 1.0, 1.0])
    rd = rank_distance(ranks)
    assert rd[0] == 2 and np.isnan(rd[1]) and rd[2] == 6
    assert same_language_share(ranks).tolist() == [0.0, 1.0, 0.0]


def _ranks_for(scores: np.ndarray, qrels: list[list[int]]) -> np.ndarray:
    width = max(len(r) for r in qrels)
    relevant = np.full((len(qrels), width), -1)
    for i, rel in enumerate(qrels):
        relevant[i, : len(rel)] = rel
    n = scores.shape[1]
    pool = Pool("all", np.arange(n), ((0, n // 3), (n // 3, n)), multilingual=True, segments_are_pools=True)
    tensor = torch.from_numpy(scores.astype(np.float32))
    return rank_relevant(
        pool, relevant, lambda q: tensor[torch.from_numpy(q)], n, block_size=7, progress=False
    ).whole_pool


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equal_to_pytrec_eval_on_random_runs(seed: int) -> None:
    pytrec_eval = pytest.importorskip("pytrec_eval")
    rng = np.random.default_rng(seed)
    n_queries, n_docs = 40, 300
    scores = rng.standard_normal((n_queries, n_docs)).astype(np.float32)
    qrels = [sorted(rng.choice(n_docs, size=rng.integers(1, 12), replace=False).tolist()) for _ in range(n_queries)]
    ranks = Judged.binary(_ranks_for(scores, qrels))
    ours = {
        "map": average_precision(ranks),
        "ndcg_cut_10": ndcg_at_k(ranks, 10),
        "recall_1": recall_at_k(ranks, 1),
        "recall_10": recall_at_k(ranks, 10),
        "recall_100": recall_at_k(ranks, 100),
        "recip_rank": reciprocal_rank(ranks),
        "map_cut_10": average_precision_at_k(ranks, 10),  # mteb's map_at_10; the table's map_at_1000 at k=10
        "map_cut_1000": measure("map_at_1000").compute(ranks),
    }
    run = {f"q{i}": {f"d{j}": float(scores[i, j]) for j in range(n_docs)} for i in range(n_queries)}
    truth = {f"q{i}": {f"d{j}": 1 for j in rel} for i, rel in enumerate(qrels)}
    evaluator = pytrec_eval.RelevanceEvaluator(truth, set(ours))
    expected = evaluator.evaluate(run)
    for name, values in ours.items():
        reference = np.array([expected[f"q{i}"][name] for i in range(n_queries)])
        np.testing.assert_allclose(values, reference, rtol=0, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("seed", [0, 1])
def test_graded_top_k_measures_equal_pytrec_eval(seed: int) -> None:
    """MIRACL's case: graded qrels (0, 1, 2, 3), a top-k list that misses judged passages,
    judged non-relevant passages retrieved. The measures come from the table."""
    pytrec_eval = pytest.importorskip("pytrec_eval")
    rng = np.random.default_rng(seed)
    n_queries, n_docs, k = 30, 400, 100
    run, truth, rank_rows, gain_rows = {}, {}, [], []
    for i in range(n_queries):
        ranked = rng.permutation(n_docs)[:k]
        judged_docs = rng.choice(n_docs, size=rng.integers(1, 15), replace=False)
        grades = rng.integers(0, 4, size=len(judged_docs))
        grades[0] = max(grades[0], 1)  # at least one relevant passage, as MIRACL's checks require
        truth[f"q{i}"] = {f"d{d}": int(g) for d, g in zip(judged_docs, grades, strict=True)}
        run[f"q{i}"] = {f"d{d}": float(k - r) for r, d in enumerate(ranked)}
        position = {int(d): r + 1 for r, d in enumerate(ranked)}
        rank_rows.append([float(position.get(int(d), INF)) for d in judged_docs])
        gain_rows.append([float(g) for g in grades])
    width = max(len(r) for r in rank_rows)
    judged = Judged(
        np.array([r + [INF] * (width - len(r)) for r in rank_rows]),
        np.array([g + [0.0] * (width - len(g)) for g in gain_rows]),
    )
    names = {"ndcg_at_10": "ndcg_cut_10", "recall_at_10": "recall_10", "recall_at_100": "recall_100", "map": "map"}
    expected = pytrec_eval.RelevanceEvaluator(truth, set(names.values())).evaluate(run)
    for ours, theirs in names.items():
        reference = np.array([expected[f"q{i}"][theirs] for i in range(n_queries)])
        np.testing.assert_allclose(measure(ours).compute(judged), reference, rtol=0, atol=1e-9, err_msg=ours)
    first = [
        min((r for r, g in zip(rr, gg, strict=True) if g > 0), default=INF)
        for rr, gg in zip(rank_rows, gain_rows, strict=True)
    ]
    mrr10 = [1 / f if f <= 10 else 0.0 for f in first]
    np.testing.assert_allclose(measure("mrr_at_10").compute(judged), mrr10)


def test_the_measure_table_names_each_measure_once_with_its_cutoff() -> None:
    names = [m.name for m in MEASURES]
    assert len(names) == len(set(names))
    for m in MEASURES:
        suffix = m.name.rsplit("_at_", 1)
        assert m.cutoff == (int(suffix[1]) if len(suffix) == 2 else None), m.name
    assert [m.name for m in MEASURES if not m.higher_is_better] == ["rank_distance"]
    with pytest.raises(KeyError, match="known: map"):
        measure("ndcg@10")


def test_the_boards_columns_and_legend_come_from_the_measure_table() -> None:
    """One vocabulary: a column's key and header, and the legend's words, are the measure table's."""
    from xir_bench.core.columns import PARALLEL_COLUMNS, TOPK_COLUMNS, Column, parallel_legend
    from xir_bench.core.metrics import measure

    assert [c.key for c in PARALLEL_COLUMNS] == ["mono_map", "cross_map", "multi_map", "multi_rank_distance"]
    assert [c.header for c in PARALLEL_COLUMNS] == ["Mo mAP", "Cr mAP", "Mul mAP", "RD ↓"]
    assert [c.header for c in TOPK_COLUMNS] == ["nDCG@10", "R@100"]
    assert Column.parse("multi_same_language_share", "parallel").header == "same-lang"
    legend = parallel_legend()
    for name in ("map", "rank_distance", "same_language_share"):
        assert measure(name).description in legend
