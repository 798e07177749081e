"""Forest plots: Δ (A − B) with its interval per slice, one panel per column (matplotlib, Agg).

Rows are one order in every panel (by Δ of the first panel), so a slice reads across;
the zero line is drawn, and a slice whose BH-adjusted p is below ALPHA is filled.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from xir_bench.board.cells import ALPHA
from xir_bench.board.plots import plt, save_figure
from xir_bench.board.slices import SliceRow


def forest_plot(rows: list[SliceRow], title: str, path: Path, counted: str = "questions") -> Path:
    """One PNG: a panel per column, a row per slice, labelled with its count of ``counted``."""
    columns = list(dict.fromkeys(r.column for r in rows))
    first = sorted((r for r in rows if r.column == columns[0]), key=lambda r: r.delta)
    order = [r.slice for r in first]
    height = 1.2 + 0.22 * len(order)
    figure, axes = plt.subplots(
        1, len(columns), figsize=(3.2 * len(columns) + 1.6, height), sharey=True, squeeze=False, layout="constrained"
    )
    for axis, column in zip(axes[0], columns, strict=True):
        by_slice = {r.slice: r for r in rows if r.column == column}
        for y, name in enumerate(order):
            row = by_slice.get(name)
            if row is None:
                continue
            low, high = (row.low, row.high) if np.isfinite(row.low) else (row.delta, row.delta)
            filled = np.isfinite(row.p_adjusted) and row.p_adjusted < ALPHA
            axis.plot([low, high], [y, y], color="#4c72b0", linewidth=1.4)
            axis.plot(
                row.delta, y, "o", color="#4c72b0", markerfacecolor="#4c72b0" if filled else "white", markersize=5
            )
        axis.axvline(0.0, color="#555555", linewidth=0.8, linestyle="--")
        axis.set_title(f"Δ {column}", fontsize=10)
        axis.tick_params(axis="x", labelsize=8)
        axis.xaxis.set_major_locator(MaxNLocator(4))
        axis.grid(axis="x", color="#dddddd", linewidth=0.5)
    questions = {r.slice: r.questions for r in first}
    axes[0][0].set_yticks(range(len(order)), [f"{name} ({questions[name]})" for name in order], fontsize=8)
    axes[0][0].set_ylim(-0.7, len(order) - 0.3)
    figure.suptitle(
        f"{title}\nΔ = A − B with 95% interval; filled: p < {ALPHA} after Benjamini-Hochberg; "
        f"rows by Δ {columns[0]}; ({counted})",
        fontsize=10,
    )
    return save_figure(figure, path)
