"""Retrieval metrics as pure functions of the ranks of the relevant candidates.

Full-pool metrics need no ranked list: with binary relevance every metric is a function
of the 1-based ranks of a query's relevant candidates in the pool. ``ranks`` is a float
array (queries x max relevant), padded with ``inf`` where a query has fewer relevant
candidates; a query needs at least one finite rank. Relevant candidates may share a rank
(the ``reference`` tie rule of :mod:`xir_bench.core.ranking` gives a tie block the rank of its
last member): each metric then reads the shared rank as is, so AP equals scikit-learn's
``average_precision_score`` and a tie between answers in two languages splits the
same-language credit. Names follow the literature and
pytrec_eval/trec_eval (``map`` has no cutoff, as in LAReQA), and the test suite checks
them against pytrec_eval.
"""

from __future__ import annotations

import numpy as np

RECALL_CUTOFFS: tuple[int, ...] = (1, 10, 100)


def _n_relevant(ranks: np.ndarray) -> np.ndarray:
    return np.isfinite(ranks).sum(axis=1)


def average_precision(ranks: np.ndarray, n_relevant: np.ndarray | None = None) -> np.ndarray:
    """AP over the whole pool: mean over relevant items of (relevant items ranked at or above it / rank).

    With distinct ranks the numerator is the item's position among the relevant ones; with
    relevant items sharing a rank it counts all of them, which is scikit-learn's precision
    at that threshold. ``n_relevant`` (default: the finite ranks) counts relevant items that
    were never ranked, e.g. outside a top-k; they add 0 to the sum, as in trec_eval.
    """
    ordered = np.sort(ranks, axis=1)
    position = (ordered[:, None, :] <= ordered[:, :, None]).sum(axis=2).astype(np.float64)
    precision = np.where(np.isfinite(ordered), position / ordered, 0.0)
    return precision.sum(axis=1) / (_n_relevant(ranks) if n_relevant is None else n_relevant)


def ndcg_at_k(ranks: np.ndarray, k: int = 10) -> np.ndarray:
    """nDCG@k with binary gains and the log2(rank + 1) discount (trec_eval's ndcg_cut)."""
    gains = np.where(ranks <= k, 1.0 / np.log2(ranks + 1.0), 0.0).sum(axis=1)
    discounts = np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))])
    ideal = discounts[np.minimum(_n_relevant(ranks), k)]
    return gains / ideal


def recall_at_k(ranks: np.ndarray, k: int) -> np.ndarray:
    """Share of a query's relevant candidates ranked in the top ``k``."""
    return (ranks <= k).sum(axis=1) / _n_relevant(ranks)


def reciprocal_rank(ranks: np.ndarray) -> np.ndarray:
    """1 / rank of the first relevant candidate (MRR without cutoff)."""
    return 1.0 / ranks.min(axis=1)


def per_query_metrics(ranks: np.ndarray) -> dict[str, np.ndarray]:
    """Every standard metric for each query, keyed by its MTEB-style name."""
    scores = {
        "map": average_precision(ranks),
        "ndcg_at_10": ndcg_at_k(ranks, 10),
        "mrr": reciprocal_rank(ranks),
    }
    for k in RECALL_CUTOFFS:
        scores[f"recall_at_{k}"] = recall_at_k(ranks, k)
    return scores


def rank_distance(ranks: np.ndarray) -> np.ndarray:
    """Language bias per query: max minus min rank of its parallel relevant candidates.

    Computed in the multilingual pool, where a query's relevant candidates are its answers
    in every language; 0 means all answers sit together, a large value means the model
    ranks some languages' answers far below others. NaN for a query with one answer.
    """
    finite = np.isfinite(ranks)
    spread = np.where(finite, ranks, -np.inf).max(axis=1) - np.where(finite, ranks, np.inf).min(axis=1)
    return np.where(finite.sum(axis=1) >= 2, spread, np.nan)


def same_language_first(ranks: np.ndarray, same_language: np.ndarray) -> np.ndarray:
    """1.0 where the best-ranked relevant candidate is in the query's own language.

    ``same_language`` marks, per (query, relevant) cell, candidates in the query's
    language. Where several relevant candidates share the best rank, the credit is the
    share of them in the query's language. NaN for a query without a relevant candidate
    in its own language.
    """
    best = ranks == ranks.min(axis=1, keepdims=True)
    hit = (best & same_language).sum(axis=1) / np.maximum(best.sum(axis=1), 1)
    has_own = (same_language & np.isfinite(ranks)).any(axis=1)
    return np.where(has_own, hit, np.nan)
