"""Board cells: a column's mean per model, and whether it differs significantly from the column's best.

Columns are :class:`~xir_bench.core.columns.Column` (header, setting kind, measure, higher is
better), made from the measure table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xir_bench.board.significance import adjust, paired_randomization_test
from xir_bench.core.columns import PARALLEL_COLUMNS, Column
from xir_bench.results.runs import Run, subset_kind

ALPHA = 0.05
#: The board only needs "p < ALPHA after BH" for a star, which a fixed 2000 flips decide;
#: ``compare`` and the recipes, which print p-values, draw adaptively instead.
BOARD_FLIPS = 2000


@dataclass(frozen=True)
class Cell:
    """One table cell: the value, and whether it differs significantly from the column's best."""

    value: float
    best: bool = False
    significant: bool | None = None  # None: not tested (the best itself, or no per-query scores)

    def render(self, digits: int) -> str:
        if not np.isfinite(self.value):
            return "-"
        text = f"{self.value:.{digits}f}"
        if self.best:
            return f"**{text}**"
        return text + ("\\*" if self.significant else "")


def subsets_of(run: Run, task: str) -> dict[str, dict]:
    return run.results[task].subsets()


def column_mean(run: Run, task: str, kind: str, metric: str) -> float:
    """Mean over the subsets of ``kind`` of the subset-level ``metric`` (Mo/Cr/Mul)."""
    values = [e.get(metric, np.nan) for s, e in subsets_of(run, task).items() if subset_kind(s) == kind]
    values = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(values)) if values else float("nan")


def per_query_values(run: Run, task: str, kind: str, metric: str) -> pd.Series:
    """Per-query ``metric`` over the subsets of ``kind``, indexed by (subset, query_id)."""
    table = run.results[task].per_query
    if metric not in table.columns or table.empty:
        return pd.Series(dtype=float)
    subsets = table["subset"]
    wanted = [name for name in subsets.unique() if subset_kind(name) == kind]  # a few hundred names, 10^5 rows
    rows = table[subsets.isin(wanted)]
    return rows.set_index(["subset", "query_id"])[metric].astype(float)


def compare_columns(
    runs: list[Run],
    task: str,
    seed: int = 0,
    columns: tuple[Column, ...] = PARALLEL_COLUMNS,
    cluster_levels: list[str] | None = None,
) -> dict[tuple[str, str], Cell]:
    """Cells (model, column) with significance against each column's best model, BH-adjusted.

    The test unit is a cluster of per-query scores, not a single (setting, query) pair: by
    default the question id, whose scores across settings and parallel languages are
    correlated (treating them as independent would overstate significance); each model's
    scores are averaged per cluster, then the cluster means are paired.
    """
    cluster_levels = cluster_levels or ["query_id"]
    cells: dict[tuple[str, str], Cell] = {}
    pending: list[tuple[tuple[str, str], float, float]] = []
    for header, kind, metric, higher in columns:
        means = {run.model: column_mean(run, task, kind, metric) for run in runs}
        finite = {m: v for m, v in means.items() if np.isfinite(v)}
        best = (max if higher else min)(sorted(finite), key=lambda m: finite[m]) if finite else None
        best_run = next((r for r in runs if r.model == best), None)
        for run in runs:
            value = means[run.model]
            if run.model == best or best_run is None or not np.isfinite(value):
                cells[(run.model, header)] = Cell(value, best=run.model == best)
                continue
            a = per_query_values(run, task, kind, metric)
            b = per_query_values(best_run, task, kind, metric)
            joined = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner")
            if joined.empty:
                cells[(run.model, header)] = Cell(value)
                continue
            clusters = joined.groupby(level=cluster_levels).mean()
            test = paired_randomization_test(
                clusters["a"].to_numpy(), clusters["b"].to_numpy(), n_resamples=BOARD_FLIPS, seed=seed
            )
            pending.append(((run.model, header), value, test.p_value))
    for (key, value, _), p in zip(pending, adjust([p for *_, p in pending]), strict=True):
        cells[key] = Cell(value, significant=bool(np.isfinite(p) and p < ALPHA))
    return cells


def overall(cells: dict[tuple[str, str], Cell], model: str) -> float:
    """The ranking key: mean of the model's Mo, Cr and Mul mAP."""
    values = [cells[(model, header)].value for header, _, metric, _ in PARALLEL_COLUMNS if metric == "map"]
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("-inf")
