"""The random ranker's exact expected score of each measure, for one query: a pool of ``n``
candidates of which ``r`` are relevant, ranked by a uniformly random permutation (no ties).

- AP: position k holds a relevant candidate with probability r/n, and then the top k hold
  1 + (k-1)(r-1)/(n-1) relevant ones on average, so
  E[AP] = (1/n) * sum_k (1 + (k-1)(r-1)/(n-1)) / k = (H_n + (r-1)/(n-1) * (n - H_n)) / n;
- nDCG@10: E[DCG@10] = (r/n) * sum_{k<=10} 1/log2(k+1), over the (constant) ideal DCG;
- Recall@k: min(k, n)/n; MRR: sum_k P(first relevant at k)/k, with
  P(first at k) = C(n-k, r-1) / C(n, r);
- rank distance: the expected range of r uniform draws without replacement from 1..n,
  (r-1)(n+1)/(r+1).

Each is the ``expected`` of its row in :data:`xir_bench.core.metrics.MEASURES`.
``tests/core/test_reference.py`` checks each against a simulation.
"""

from __future__ import annotations

from functools import cache

import numpy as np


@cache
def _harmonic(n: int) -> float:
    return float(np.sum(1.0 / np.arange(1, n + 1)))


def expected_ap(n: int, r: int, k: int | None = None) -> float:
    """E[AP] (at cutoff ``k``): (1/r) sum_{t<=k} P(rank t relevant) E[relevant in 1..t | t relevant] / t."""
    if n == 1:
        return 1.0
    m = n if k is None else min(k, n)
    return (_harmonic(m) + (r - 1) / (n - 1) * (m - _harmonic(m))) / n


def expected_ndcg(n: int, r: int, k: int = 10) -> float:
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    return float(r / n * discounts[: min(k, n)].sum() / discounts[: min(r, k)].sum())


@cache
def expected_reciprocal_rank(n: int, r: int, k: int | None = None) -> float:
    """sum_t P(first relevant at rank t) / t (t <= ``k``), the probabilities built by their ratio
    (no big binomials)."""
    ks = np.arange(1, n - r + 2, dtype=np.float64)
    ratios = (n - ks[:-1] - r + 1) / (n - ks[:-1])  # P(k+1) / P(k)
    probabilities = (r / n) * np.concatenate([[1.0], np.cumprod(ratios)])
    keep = ks <= (k if k is not None else n)
    return float(np.sum((probabilities / ks)[keep]))


def expected_rank_distance(n: int, r: int) -> float:
    return (r - 1) * (n + 1) / (r + 1)


def expected_recall(n: int, r: int, k: int) -> float:
    return min(k, n) / n
