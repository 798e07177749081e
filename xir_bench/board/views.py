"""What a board shows of one run on one parallel task: per-language matrices and series (tables, pictures)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xir_bench.board.cells import subsets_of
from xir_bench.cards import TaskCard
from xir_bench.core.settings import Setting
from xir_bench.results.runs import Run


def language_codes(run: Run, task: str, card: TaskCard) -> list[str]:
    present = {Setting.parse(s).query_lang for s in subsets_of(run, task)}
    return [code for code in card.languages if code in present]


def cross_lingual_matrix(run: Run, task: str, card: TaskCard, metric: str = "map") -> pd.DataFrame:
    """L x L matrix of ``metric``: rows query language, columns pool language (diagonal = mono)."""
    codes = language_codes(run, task, card)
    subsets = subsets_of(run, task)
    data = [[subsets.get(Setting.of(q, p).subset, {}).get(metric, np.nan) for p in codes] for q in codes]
    return pd.DataFrame(data, index=codes, columns=codes, dtype=float)


def multilingual_pool_by_language(run: Run, task: str, card: TaskCard, metric: str) -> pd.Series:
    """``metric`` of each query language's multilingual-pool subset (``eng-all`` ...)."""
    subsets = subsets_of(run, task)
    codes = [c for c in language_codes(run, task, card) if Setting.of(c, None).subset in subsets]
    return pd.Series([subsets[Setting.of(c, None).subset].get(metric, np.nan) for c in codes], index=codes)


def rank_distance_by_language(run: Run, task: str, card: TaskCard) -> pd.Series:
    """Mean rank distance per query language, from the multilingual-pool subsets."""
    return multilingual_pool_by_language(run, task, card, "rank_distance")
