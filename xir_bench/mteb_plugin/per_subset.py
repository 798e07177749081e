"""mteb's plain per-subset path, scored by xir-bench's metrics (``encode_once=False``).

mteb retrieves each subset on its own (any encoder or search model) and hands its scores
over. When it retrieved the whole pool (pools under its top-k of 1000), every measure is
recomputed from those scores with the task's tie rule, so the numbers equal the
encode-once path's (mteb's own, via pytrec_eval, break ties by document id) and the
language-bias measures are added. mteb scores in float32, where identical embeddings can
come out one rounding step apart, so an encoder's scores within :data:`FLOAT32_TIE_TOLERANCE`
of each other count as tied here (the encode-once path scores exactly and needs no
tolerance); a search model's (BM25's) scores are compared as they are.
Otherwise only mAP is given, counting relevant candidates outside the top-k as misses (as
trec_eval does).
"""

from __future__ import annotations

import numpy as np

from xir_bench.core.collection import ParallelCollection
from xir_bench.core.metrics import Judged, average_precision, per_query_scores
from xir_bench.core.ranking import TieRule, merge_rounding_ties, ranks_from_scores
from xir_bench.core.settings import Setting

#: Relative gap below which two float32 scores from mteb's own search count as one (a few float32 steps).
FLOAT32_TIE_TOLERANCE = 2.0**-21


def per_subset_scores(
    collection: ParallelCollection,
    setting: Setting,
    qrels: dict[str, dict[str, int]],
    results: dict[str, dict[str, float]],
    ties: TieRule,
    tolerance: float = FLOAT32_TIE_TOLERANCE,
) -> dict[str, float]:
    """The subset's mean measures from what mteb retrieved (``results``: query -> doc -> score);
    scores within ``tolerance`` (relative) of each other are one tie."""
    _, pool = collection.setting_members(setting.query_lang, setting.pool_lang)
    pool_ids = [collection.candidate_ids[c] for c in pool]
    rank_rows, same_rows, complete = [], [], True
    for qid, relevant in qrels.items():
        retrieved = results.get(qid, {})
        complete &= len(retrieved) == len(pool_ids)
        wanted = [doc for doc, grade in relevant.items() if grade > 0]
        ids = [doc for doc in pool_ids if doc in retrieved]  # pool order, for the pool-order rule
        position = {doc: k for k, doc in enumerate(ids)}
        vector = np.array([retrieved[doc] for doc in ids], dtype=np.float64)
        vector = merge_rounding_ties(vector, tolerance * max(1.0, float(np.abs(vector).max(initial=0))))
        found = [doc for doc in wanted if doc in position]
        ranks = dict(zip(found, ranks_from_scores(vector, [position[d] for d in found], ties), strict=True))
        rank_rows.append([float(ranks.get(doc, np.inf)) for doc in wanted])
        same_rows.append([doc.split("/", 1)[0] == setting.query_lang for doc in wanted])
    judged = Judged.from_rows(rank_rows, [[1.0] * len(r) for r in rank_rows], same_rows)
    if not complete:  # a top-k of another search: only full-pool AP is defined (unretrieved answers add 0)
        return {"map": float(np.mean(average_precision(judged)))}
    out = {name: float(np.mean(values)) for name, values in per_query_scores(judged, "parallel").items()}
    if setting.kind == "multi":
        out.update({name: float(np.mean(v)) for name, v in per_query_scores(judged, "multi").items()})
    return out
