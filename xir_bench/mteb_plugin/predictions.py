"""Predictions of the encode-once path, when mteb asks for them: TREC run files, top 1000 per query.

mteb's ``prediction_folder`` (``mteb.evaluate(..., prediction_folder=DIR)``) asks a task to
keep what it retrieved. Encode-once ranks full pools exactly and keeps only the ranks of the
relevant candidates, so the top 1000 of every query are computed here again from the same
embeddings: ``DIR/<Task>_<subset>.trec`` with ``qid Q0 docid rank score run`` lines (trec_eval's
run format), ties in pool order, each file written whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from xir_bench.core.collection import ParallelCollection
from xir_bench.core.ranking import Pool
from xir_bench.core.scorers import Scorer
from xir_bench.core.settings import Setting
from xir_bench.storage.atomic import atomic_open

TOP_K = 1000
BLOCK = 256


def write_predictions(
    folder: Path, task_name: str, collection: ParallelCollection, scorer: Scorer, subsets: dict[str, Setting]
) -> list[Path]:
    """One TREC run file per subset, from the embeddings the task has just ranked with."""
    folder.mkdir(parents=True, exist_ok=True)
    run_name = f"xir-bench-{task_name}"
    written = []
    for name, setting in subsets.items():
        rows, pool = collection.setting_members(setting.query_lang, setting.pool_lang)
        scored = scoring_pool(scorer, setting)
        pool_index = torch.from_numpy(np.searchsorted(scored.candidates, pool))
        k = min(TOP_K, len(pool))
        path = folder / f"{task_name}_{name}.trec"
        with atomic_open(path, "w") as handle:
            for start in range(0, len(rows), BLOCK):
                block = rows[start : start + BLOCK]
                scores = scorer.score(block, scored)[:, pool_index]
                # stable descending order: equal scores keep pool order
                order = torch.from_numpy(np.argsort(-scores.numpy(), axis=1, kind="stable")[:, :k])
                top = torch.gather(scores, 1, order)
                for query, ranked, values in zip(block, order.tolist(), top.tolist(), strict=True):
                    qid = collection.query_ids[query]
                    handle.writelines(
                        f"{qid} Q0 {collection.candidate_ids[pool[c]]} {rank} {value:.9g} {run_name}\n"
                        for rank, (c, value) in enumerate(zip(ranked, values, strict=True), start=1)
                    )
        written.append(path)
    return written


def scoring_pool(scorer: Scorer, setting: Setting) -> Pool:
    """The scorer's pool that scores ``setting``: the pool language's own (BM25's IDF is the
    pool's), else the multilingual one (embedding scores do not depend on the pool)."""
    pools = scorer.pools()
    own = [p for p in pools if not p.multilingual and p.name == setting.pool_lang]
    return own[0] if own else next(p for p in pools if p.multilingual)
