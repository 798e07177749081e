"""The random ranker as a reference point: exact expected scores of every metric, per query.

A number on the board means little without its floor. For a pool of N candidates of which
R are relevant, ranked by a uniformly random permutation (no ties), every metric has a
closed-form expectation, so ``xir-bench run --model random`` writes exact expectations,
not one noisy draw:

- AP: position k holds a relevant candidate with probability R/N, and then the top k hold
  1 + (k-1)(R-1)/(N-1) relevant ones on average, so
  E[AP] = (1/N) * sum_k (1 + (k-1)(R-1)/(N-1)) / k = (H_N + (R-1)/(N-1) * (N - H_N)) / N;
- nDCG@10: E[DCG@10] = (R/N) * sum_{k<=10} 1/log2(k+1), over the (constant) ideal DCG;
- Recall@k: min(k, N)/N; MRR: sum_k P(first relevant at k)/k, with
  P(first at k) = C(N-k, R-1) / C(N, R);
- rank distance: the expected range of R uniform draws without replacement from 1..N,
  (R-1)(N+1)/(R+1);
- same-language share: the best-ranked answer is each relevant one with probability 1/R,
  so the share of the query's own-language answers among its R.

``tests/test_reference.py`` checks each against a simulation.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from xir_bench.core.collection import ParallelCollection
from xir_bench.core.metrics import measures_for
from xir_bench.core.settings import Setting

NAME = "random"
REVISION = "expectation-v1"


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
def expected_reciprocal_rank(n: int, r: int, cutoff: int | None = None) -> float:
    """sum_k P(first relevant at rank k) / k (k <= ``cutoff``), the probabilities built by their ratio
    (no big binomials)."""
    ks = np.arange(1, n - r + 2, dtype=np.float64)
    ratios = (n - ks[:-1] - r + 1) / (n - ks[:-1])  # P(k+1) / P(k)
    probabilities = (r / n) * np.concatenate([[1.0], np.cumprod(ratios)])
    keep = ks <= (cutoff if cutoff is not None else n)
    return float(np.sum((probabilities / ks)[keep]))


def expected_rank_distance(n: int, r: int) -> float:
    return (r - 1) * (n + 1) / (r + 1)


@cache
def expected_metrics(n: int, r: int) -> dict[str, float]:
    """Every standard metric's expectation for one query (pool of ``n``, ``r`` relevant).

    Cached: a task has a handful of (pool size, answers) pairs over ~100k (setting,
    query) rows. Callers copy the dict (``**``), never change it.
    """
    out = {
        "map": expected_ap(n, r),
        "ndcg_at_10": expected_ndcg(n, r),
        "map_at_1000": expected_ap(n, r, 1000),
        "mrr": expected_reciprocal_rank(n, r),
        "mrr_at_10": expected_reciprocal_rank(n, r, 10),
    }
    for measure in measures_for("parallel"):
        if measure.name.startswith("recall_at_"):
            out[measure.name] = min(measure.cutoff or n, n) / n
    return out


def expected_per_query_frame(collection: ParallelCollection, settings: list[Setting]) -> pd.DataFrame:
    """The per-query table of ``evaluate.per_query_frame``, filled with the random ranker's expectations."""
    rows = []
    lang_index = {lang: i for i, lang in enumerate(collection.languages)}
    for setting in settings:
        queries, pool = collection.setting_members(setting.query_lang, setting.pool_lang)
        in_pool = np.zeros(collection.n_candidates, dtype=bool)
        in_pool[pool] = True
        for query in queries:
            answers = collection.group_relevant[collection.query_groups[query]]
            answers = answers[in_pool[answers]]
            if answers.size == 0:
                continue
            n, r = len(pool), len(answers)
            row = {
                "subset": setting.subset,
                "query_id": collection.query_ids[query],
                **{name: values[0] for name, values in collection.slices_of([query]).items()},
                **expected_metrics(n, r),
            }
            multi = setting.kind == "multi"
            own = int(np.sum(collection.candidate_langs[answers] == lang_index[setting.query_lang]))
            row["rank_distance"] = expected_rank_distance(n, r) if multi and r >= 2 else np.nan
            row["same_language_share"] = own / r if multi and own else np.nan
            rows.append(row)
    return pd.DataFrame(rows)
