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

from xir_bench.atomic import atomic_open

_METADATA = {"Software": None}


def _save(figure: plt.Figure, path: Path) -> Path:
    with atomic_open(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=100, metadata=_METADATA, bbox_inches="tight")
    plt.close(figure)
    return path


def heatmap(matrix: pd.DataFrame, title: str, path: Path) -> Path:
    """An L x L heatmap (query language x pool language) with the values printed in cells."""
    size = 1.0 + 0.55 * len(matrix)
    figure, axes = plt.subplots(figsize=(size + 1.2, size))
    image = axes.imshow(matrix.to_numpy(), cmap="viridis", vmin=0.0, vmax=max(1e-9, float(matrix.max().max())))
    axes.set_xticks(range(len(matrix.columns)), labels=list(matrix.columns))
    axes.set_yticks(range(len(matrix.index)), labels=list(matrix.index))
    axes.set_xlabel("pool language")
    axes.set_ylabel("query language")
    axes.set_title(title, fontsize=10)
    for i, row in enumerate(matrix.to_numpy()):
        for j, value in enumerate(row):
            if value == value:  # not NaN
                axes.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color="white")
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    return _save(figure, path)


def bar_chart(values: pd.Series, title: str, ylabel: str, path: Path) -> Path:
    """One bar per language."""
    figure, axes = plt.subplots(figsize=(1.0 + 0.5 * len(values), 3.2))
    axes.bar(list(values.index), values.to_numpy(), color="#4c72b0")
    axes.set_ylabel(ylabel)
    axes.set_xlabel("query language")
    axes.set_title(title, fontsize=10)
    return _save(figure, path)
