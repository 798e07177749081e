"""The random ranker as a reference point: exact expected scores of every measure, per query.

A number on the board means little without its floor. Every measure of a pool of N
candidates with R relevant has a closed-form expectation under a uniformly random ranking
(the ``expected`` of its row in :data:`~xir_bench.core.metrics.MEASURES`, derived in
:mod:`xir_bench.core.expectations`), so ``xir-bench run --model random`` writes exact
expectations, not one noisy draw. The same-language share needs the answers' languages:
the best-ranked answer is each relevant one with probability 1/R, so it is the share of the
query's own-language answers among its R.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from xir_bench.core.collection import ParallelCollection
from xir_bench.core.metrics import measure, measures_for
from xir_bench.core.settings import Setting

NAME = "random"
REVISION = "expectation-v1"
RANK_DISTANCE = measure("rank_distance")


@cache
def expected_metrics(n: int, r: int) -> dict[str, float]:
    """Every standard metric's expectation for one query (pool of ``n``, ``r`` relevant).

    Cached: a task has a handful of (pool size, answers) pairs over ~100k (setting,
    query) rows. Callers copy the dict (``**``), never change it.
    """
    return {m.name: m.expected(n, r) for m in measures_for("parallel") if m.expected is not None}


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
            row["rank_distance"] = RANK_DISTANCE.expected(n, r) if multi and r >= 2 else np.nan
            row["same_language_share"] = own / r if multi and own else np.nan
            rows.append(row)
    return pd.DataFrame(rows)
