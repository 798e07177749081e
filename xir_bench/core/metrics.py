"""Retrieval measures as pure functions of where a query's relevant items were ranked.

No measure needs the ranked list itself: each is a function of a :class:`Judged` — per
query, the 1-based ranks of its relevant items and their gains. ``ranks`` is a float array
(queries x max relevant); ``inf`` is a relevant item that was not retrieved (outside a
top-k) or padding; ``gains`` marks which cells are relevant items (> 0) and their grade.

- The parallel tasks rank the whole pool: every relevant item has a finite rank, the gains
  are binary. Relevant items may share a rank (the ``reference`` tie rule of
  :mod:`xir_bench.core.ranking` gives a tie block the rank of its last member): each measure
  reads the shared rank as is, so AP equals scikit-learn's ``average_precision_score`` and a
  tie between answers in two languages splits the same-language credit.
- MIRACL is a top-k search with graded qrels: judged passages outside the top k have rank
  ``inf`` and still count in the denominators, as in trec_eval.

:data:`MEASURES` is the one table of measures: the board's columns, the CLI summary, the
results schema (which scores are shares), ``compare`` and the mteb tasks all read it. Names
follow the literature and pytrec_eval/trec_eval (``map`` has no cutoff, as in LAReQA); per-query
columns carry the same names as subset scores. The tests check them against pytrec_eval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import numpy as np

from xir_bench.core.expectations import (
    expected_ap,
    expected_ndcg,
    expected_rank_distance,
    expected_recall,
    expected_reciprocal_rank,
)

#: Which evaluations compute a measure: the full-pool parallel settings, MIRACL's top-k
#: search, or only the multilingual pool of the parallel tasks (the language-bias measures).
Scope = Literal["parallel", "topk", "multi"]


@dataclass(frozen=True)
class Judged:
    """Per query: the ranks of its relevant items (``inf``: not retrieved or padding) and their gains."""

    ranks: np.ndarray
    gains: np.ndarray
    #: Per cell, whether the item is in the query's own language (the bias measures need it).
    same_language: np.ndarray | None = None

    @classmethod
    def binary(cls, ranks: np.ndarray, same_language: np.ndarray | None = None) -> Judged:
        """A full-pool ranking: every finite rank is a relevant item of gain 1."""
        return cls(ranks, np.isfinite(ranks).astype(np.float64), same_language)

    @classmethod
    def from_rows(
        cls, ranks: list[list[float]], gains: list[list[float]], same_language: list[list[bool]] | None = None
    ) -> Judged:
        """Ragged per-query rows (queries judge different numbers of items), padded to one width
        with cells that count for nothing: rank ``inf``, gain 0, another language."""
        width = max((len(row) for row in ranks), default=1) or 1

        def pad(rows: list[list[Any]], fill: Any, dtype: Any) -> np.ndarray:
            return np.array([row + [fill] * (width - len(row)) for row in rows], dtype=dtype).reshape(-1, width)

        same = None if same_language is None else pad(same_language, False, bool)
        return cls(pad(ranks, np.inf, np.float64), pad(gains, 0.0, np.float64), same)

    @property
    def relevant(self) -> np.ndarray:
        return self.gains > 0

    @property
    def n_relevant(self) -> np.ndarray:
        return self.relevant.sum(axis=1)

    def retrieved_ranks(self) -> np.ndarray:
        """Ranks of the relevant items, ``inf`` elsewhere."""
        return np.where(self.relevant, self.ranks, np.inf)


def average_precision(judged: Judged) -> np.ndarray:
    """AP: mean over relevant items of (relevant items ranked at or above it / its rank).

    With distinct ranks the numerator is the item's position among the relevant ones; with
    relevant items sharing a rank it counts all of them, which is scikit-learn's precision
    at that threshold. A relevant item never retrieved adds 0 (trec_eval's ``map``).
    """
    ordered = np.sort(judged.retrieved_ranks(), axis=1)
    position = (ordered[:, None, :] <= ordered[:, :, None]).sum(axis=2).astype(np.float64)
    precision = np.where(np.isfinite(ordered), position / ordered, 0.0)
    return precision.sum(axis=1) / judged.n_relevant


def average_precision_at_k(judged: Judged, k: int) -> np.ndarray:
    """AP counting only relevant items in the top ``k`` (trec_eval's ``map_cut_k``, mteb's ``map_at_k``):
    the full-pool AP whenever ``k`` reaches the pool size."""
    ranks = np.where(judged.ranks <= k, judged.ranks, np.inf)
    return average_precision(Judged(ranks, judged.gains, judged.same_language))


def ndcg_at_k(judged: Judged, k: int = 10) -> np.ndarray:
    """nDCG@k with linear gains and the log2(rank + 1) discount (trec_eval's ndcg_cut.k).

    The ideal ranking puts all judged relevant items first, best grade first."""
    ranks = judged.retrieved_ranks()
    gains = np.where(ranks <= k, judged.gains / np.log2(ranks + 1.0), 0.0).sum(axis=1)
    best = -np.sort(-np.where(judged.relevant, judged.gains, 0.0), axis=1)[:, :k]
    ideal = (best / np.log2(np.arange(2, best.shape[1] + 2))).sum(axis=1)
    return np.divide(gains, ideal, out=np.zeros_like(gains), where=ideal > 0)


def recall_at_k(judged: Judged, k: int) -> np.ndarray:
    """Share of a query's relevant items ranked in the top ``k``."""
    return (judged.retrieved_ranks() <= k).sum(axis=1) / judged.n_relevant


def reciprocal_rank(judged: Judged, k: int | None = None) -> np.ndarray:
    """1 / rank of the first relevant item; 0 when none is ranked (within ``k``, if given)."""
    first = judged.retrieved_ranks().min(axis=1)
    if k is not None:
        first = np.where(first <= k, first, np.inf)
    return 1.0 / first


def rank_distance(judged: Judged) -> np.ndarray:
    """Language bias per query: max minus min rank of its parallel relevant items.

    Computed in the multilingual pool, where a query's relevant items are its answers in
    every language; 0 means all answers sit together, a large value means the model ranks
    some languages' answers far below others. NaN for a query with one answer.
    """
    ranks = judged.retrieved_ranks()
    finite = np.isfinite(ranks)
    spread = np.where(finite, ranks, -np.inf).max(axis=1) - np.where(finite, ranks, np.inf).min(axis=1)
    return np.where(finite.sum(axis=1) >= 2, spread, np.nan)


def same_language_share(judged: Judged) -> np.ndarray:
    """1.0 where the best-ranked relevant item is in the query's own language.

    Where several relevant items share the best rank, the credit is the share of them in the
    query's language; the subset score is the mean, the share of queries. NaN for a query
    without a relevant item in its own language.
    """
    if judged.same_language is None:
        raise ValueError("same_language_share needs Judged.same_language")
    ranks = judged.retrieved_ranks()
    best = ranks == ranks.min(axis=1, keepdims=True)
    hit = (best & judged.same_language).sum(axis=1) / np.maximum(best.sum(axis=1), 1)
    has_own = (judged.same_language & np.isfinite(ranks)).any(axis=1)
    return np.where(has_own, hit, np.nan)


@dataclass(frozen=True)
class Measure:
    """One measure: its name in results, how the board labels it, and what it is computed from."""

    name: str
    label: str
    compute: Callable[[Judged], np.ndarray]
    cutoff: int | None
    scopes: frozenset[Scope]
    higher_is_better: bool = True
    #: A share in [0, 1]; the rank distance is a count of ranks, >= 0 with no upper bound.
    bounded: bool = True
    #: Decimals the board shows.
    digits: int = 4
    #: The random ranker's exact expectation for a query with ``r`` relevant in a pool of ``n``
    #: (None: it depends on more than the pool's size, as the same-language share does).
    expected: Callable[[int, int], float] | None = None
    #: What the measure is, for a reader of the board's legend.
    description: str = ""

    @property
    def header(self) -> str:
        """The label with the direction a reader must know when lower is better."""
        return self.label if self.higher_is_better else f"{self.label} ↓"


_PARALLEL: frozenset[Scope] = frozenset({"parallel"})
_BOTH: frozenset[Scope] = frozenset({"parallel", "topk"})


def _cut(
    name: str,
    label: str,
    compute: Callable[..., np.ndarray],
    expected: Callable[..., float],
    k: int,
    scopes: frozenset[Scope],
) -> Measure:
    """A measure at cutoff ``k``: its computation and its random-ranker expectation, both cut at ``k``."""
    return Measure(name, label, partial(compute, k=k), k, scopes, expected=partial(expected, k=k))


MEASURES: tuple[Measure, ...] = (
    Measure("map", "mAP", average_precision, None, _PARALLEL, expected=expected_ap, description="full-pool mAP"),
    _cut("map_at_1000", "mAP@1000", average_precision_at_k, expected_ap, 1000, _PARALLEL),
    _cut("ndcg_at_10", "nDCG@10", ndcg_at_k, expected_ndcg, 10, _BOTH),
    Measure("mrr", "MRR", reciprocal_rank, None, _PARALLEL, expected=expected_reciprocal_rank),
    _cut("mrr_at_10", "MRR@10", reciprocal_rank, expected_reciprocal_rank, 10, _BOTH),
    _cut("recall_at_1", "R@1", recall_at_k, expected_recall, 1, _PARALLEL),
    _cut("recall_at_10", "R@10", recall_at_k, expected_recall, 10, _BOTH),
    _cut("recall_at_100", "R@100", recall_at_k, expected_recall, 100, _BOTH),
    Measure(
        "rank_distance",
        "RD",
        rank_distance,
        None,
        frozenset({"multi"}),
        higher_is_better=False,
        bounded=False,
        digits=1,
        expected=expected_rank_distance,
        description="rank distance in the multilingual pool (max − min rank of a query's parallel answers; mean "
        "per query language, then over languages; lower is less language-biased)",
    ),
    Measure(
        "same_language_share",
        "same-lang",
        same_language_share,
        None,
        frozenset({"multi"}),
        digits=3,
        description="share of queries whose best-ranked answer is in their own language",
    ),
)
BY_NAME: dict[str, Measure] = {measure.name: measure for measure in MEASURES}


def measure(name: str) -> Measure:
    """The measure called ``name``; a KeyError lists the known ones."""
    if name not in BY_NAME:
        raise KeyError(f"no measure {name!r}; known: {', '.join(BY_NAME)}")
    return BY_NAME[name]


def measures_for(scope: Scope) -> tuple[Measure, ...]:
    return tuple(m for m in MEASURES if scope in m.scopes)


def per_query_scores(judged: Judged, scope: Scope) -> dict[str, np.ndarray]:
    """Every measure of ``scope`` for each query, keyed by its name."""
    return {m.name: m.compute(judged) for m in measures_for(scope)}
