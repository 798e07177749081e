"""Pictures for the board: cross-lingual heatmaps and rank-distance bars (matplotlib, Agg).

Files are rendered without timestamps in their metadata, so the same results give the
same bytes, and written atomically.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from xir_bench.storage.atomic import atomic_open

_METADATA = {"Software": None}


def _save(figure: plt.Figure, path: Path) -> Path:
    with atomic_open(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=100, metadata=_METADATA, bbox_inches="tight")
    plt.close(figure)
    return path


def _legend_below(axes: plt.Axes) -> None:
    """The legend under the x axis, where it covers no bar."""
    axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)


def heatmap(matrix: pd.DataFrame, title: str, path: Path) -> Path:
    """An L x L heatmap (query language x pool language) with the values printed in cells.

    The colour scale is fixed at 0..1 for every model, so two heatmaps compare by eye.
    """
    size = 1.0 + 0.55 * len(matrix)
    figure, axes = plt.subplots(figsize=(size + 1.2, size))
    image = axes.imshow(matrix.to_numpy(), cmap="viridis", vmin=0.0, vmax=1.0)
    axes.set_xticks(range(len(matrix.columns)), labels=list(matrix.columns))
    axes.set_yticks(range(len(matrix.index)), labels=list(matrix.index))
    axes.set_xlabel("pool language")
    axes.set_ylabel("query language")
    axes.set_title(title, fontsize=10)
    for i, row in enumerate(matrix.to_numpy()):
        for j, value in enumerate(row):
            if value == value:  # not NaN
                colour = "black" if value > 0.6 else "white"  # readable on viridis' light end
                axes.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color=colour)
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    return _save(figure, path)


def bar_chart(values: pd.Series, title: str, ylabel: str, path: Path, reference: pd.Series | None = None) -> Path:
    """One bar per language; ``reference`` (the random ranker's) as a dashed mark per language."""
    figure, axes = plt.subplots(figsize=(1.0 + 0.5 * len(values), 3.2))
    axes.bar(list(values.index), values.to_numpy(), color="#4c72b0", label="model")
    if reference is not None and len(reference):
        shown = reference.reindex(values.index)
        axes.scatter(list(values.index), shown.to_numpy(), marker="_", s=400, color="#c44e52", label="random ranker")
        _legend_below(axes)
    axes.set_ylabel(ylabel)
    axes.set_xlabel("query language")
    axes.set_title(title, fontsize=10)
    return _save(figure, path)


def mono_vs_multi(mono: pd.Series, multi: pd.Series, title: str, path: Path) -> Path:
    """The picture to look at first: per language, mAP alone with its own language vs in the pool of all.

    The gap between the two bars is what language bias costs: a language-agnostic model
    keeps its multilingual-pool bar close to its monolingual one.
    """
    codes = list(mono.index)
    positions = range(len(codes))
    figure, axes = plt.subplots(figsize=(1.2 + 0.6 * len(codes), 3.4))
    axes.bar([p - 0.2 for p in positions], mono.to_numpy(), width=0.4, color="#4c72b0", label="monolingual pool")
    axes.bar([p + 0.2 for p in positions], multi.reindex(codes).to_numpy(), width=0.4, color="#dd8452",
             label="multilingual pool")  # fmt: skip
    axes.set_xticks(list(positions), labels=codes)
    axes.set_ylim(0.0, 1.0)
    axes.set_ylabel("mAP")
    axes.set_xlabel("query language")
    axes.set_title(title, fontsize=10)
    _legend_below(axes)
    return _save(figure, path)
