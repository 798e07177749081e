"""From a scorer to per-query and per-setting scores of every setting.

All settings share one rank table: for each query, the rank of each relevant candidate
in the multilingual pool and in the pool of the candidate's own language. A setting is
then a selection of rows (query language) and cells (pool language) of that table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xir_bench.core.collection import SLICE_COLUMNS, ParallelCollection
from xir_bench.core.metrics import Judged, measures_for, per_query_scores
from xir_bench.core.ranking import DEFAULT_TIES, TieRule, rank_relevant
from xir_bench.core.scorers import Scorer
from xir_bench.core.settings import SETTING_KINDS, Setting, SettingKind

#: Scores of the multilingual pool only (NaN in the other settings' per-query rows).
BIAS_COLUMNS = tuple(m.name for m in measures_for("multi"))


@dataclass(frozen=True)
class RankTable:
    """Ranks of each query's relevant candidates (queries x max relevant, inf padded)."""

    relevant: np.ndarray
    multilingual: np.ndarray
    own_language: np.ndarray


def compute_rank_table(
    collection: ParallelCollection,
    scorer: Scorer,
    block_size: int = 512,
    progress: bool = True,
    ties: TieRule = DEFAULT_TIES,
) -> RankTable:
    """Score every pool of ``scorer`` once and keep the ranks of the relevant candidates."""
    relevant = collection.relevant_matrix()
    multilingual = np.full(relevant.shape, np.inf)
    own = np.full(relevant.shape, np.inf)
    for pool in scorer.pools():
        ranks = rank_relevant(
            pool, relevant, lambda q, p=pool: scorer.score(q, p), collection.n_candidates, block_size, progress, ties
        )
        if pool.multilingual:
            multilingual = ranks.whole_pool
        if pool.segments_are_pools:
            own = np.where(np.isfinite(ranks.own_segment), ranks.own_segment, own)
        elif not pool.multilingual:
            own = np.where(np.isfinite(ranks.whole_pool), ranks.whole_pool, own)
    return RankTable(relevant=relevant, multilingual=multilingual, own_language=own)


def setting_ranks(collection: ParallelCollection, table: RankTable, setting: Setting) -> tuple[np.ndarray, np.ndarray]:
    """(query indices, their relevant ranks) of one setting; queries without a relevant drop out."""
    lang_index = {lang: i for i, lang in enumerate(collection.languages)}
    rows = np.flatnonzero(collection.query_langs == lang_index[setting.query_lang])
    if setting.pool_lang is None:
        ranks = table.multilingual[rows]
    else:
        cell_lang = np.where(table.relevant[rows] >= 0, collection.candidate_langs[table.relevant[rows]], -1)
        ranks = np.where(cell_lang == lang_index[setting.pool_lang], table.own_language[rows], np.inf)
    keep = np.isfinite(ranks).any(axis=1)
    return rows[keep], ranks[keep]


def per_query_frame(collection: ParallelCollection, table: RankTable, settings: list[Setting]) -> pd.DataFrame:
    """One row per (setting, query) with every metric; bias columns in multilingual settings.

    All settings' rank rows are stacked and scored in one vectorised pass.
    """
    selected = [setting_ranks(collection, table, setting) for setting in settings]
    rows = np.concatenate([r for r, _ in selected])
    ranks = np.concatenate([k for _, k in selected])
    counts = [len(r) for r, _ in selected]
    multi = np.repeat([s.kind == "multi" for s in settings], counts)
    relevant = table.relevant[rows]
    same = (relevant >= 0) & (collection.candidate_langs[relevant] == collection.query_langs[rows, None])
    judged = Judged.binary(ranks, same)
    bias = {name: np.where(multi, values, np.nan) for name, values in per_query_scores(judged, "multi").items()}
    return pd.DataFrame(
        {
            "subset": np.repeat([s.subset for s in settings], counts),
            "query_id": np.asarray(collection.query_ids, dtype=object)[rows],
            **collection.slices_of(rows),
            **per_query_scores(judged, "parallel"),
            **bias,
        }
    )


def subset_scores(per_query: pd.DataFrame, settings: list[Setting], main_score: str) -> dict[str, dict[str, Any]]:
    """Mean of each metric per subset; ``main_score`` copied in as MTEB expects."""
    labels = ["query_id", *(c for c in SLICE_COLUMNS if c in per_query.columns)]
    grouped = per_query.drop(columns=labels).groupby("subset", sort=False)
    means, sizes = grouped.mean(), grouped.size()
    scores: dict[str, dict[str, Any]] = {}
    for setting in settings:
        metrics = means.loc[setting.subset]
        values = {name: float(v) for name, v in metrics.items() if name not in BIAS_COLUMNS}
        if setting.kind == "multi":
            values.update({name: float(metrics[name]) for name in BIAS_COLUMNS})
        values["n_queries"] = int(sizes.loc[setting.subset])
        values["main_score"] = values[main_score]
        scores[setting.subset] = values
    return scores


def aggregate(scores: dict[str, dict[str, Any]], settings: list[Setting]) -> dict[str, dict[str, float]]:
    """Mo / Cr / Mul: means over the mono, cross and multi subsets (2408.10536), macro over languages.

    The multilingual rank distance is averaged per query language first (one subset per
    query language), then over languages. See :func:`pooled_aggregate` for the mean over
    all questions.
    """
    out: dict[str, dict[str, float]] = {}
    kinds: tuple[SettingKind, ...] = SETTING_KINDS
    for kind in kinds:
        subsets = [s.subset for s in settings if s.kind == kind]
        if not subsets:
            continue
        first = scores[subsets[0]]
        names = [n for n, v in first.items() if isinstance(v, float) and n not in ("n_queries", "main_score")]
        out[kind] = {n: float(np.nanmean([scores[s][n] for s in subsets])) for n in names}
    return out


def pooled_aggregate(scores: dict[str, dict[str, Any]], settings: list[Setting]) -> dict[str, dict[str, float]]:
    """Mo / Cr / Mul as the mean over all (setting, question) pairs of a kind.

    This is what LAReQA's reference evaluation reports (one mean over every question of
    every language); it differs from :func:`aggregate`'s macro mean where languages have
    different numbers of questions (MLQA-R). Each subset's mean is weighted by its
    ``n_queries``, which gives the per-question mean exactly.
    """
    out: dict[str, dict[str, float]] = {}
    for kind in SETTING_KINDS:
        subsets = [s.subset for s in settings if s.kind == kind]
        if not subsets:
            continue
        weights = np.array([scores[s]["n_queries"] for s in subsets], dtype=np.float64)
        names = [n for n, v in scores[subsets[0]].items() if isinstance(v, float) and n != "main_score"]
        out[kind] = {
            n: float(np.average([scores[s][n] for s in subsets], weights=weights))
            for n in names
            if all(np.isfinite(scores[s][n]) for s in subsets)
        }
    return out
