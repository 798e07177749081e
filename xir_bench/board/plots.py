"""Pictures for the board: cross-lingual heatmaps and rank-distance bars (matplotlib, Agg).

Files are rendered without timestamps in their metadata, so the same results give the
same bytes, and written atomically.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from xir_bench.storage.atomic import atomic_open

_METADATA = {"Software": None}


def save_figure(figure: plt.Figure, path: Path) -> Path:
    with atomic_open(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=100, metadata=_METADATA, bbox_inches="tight")
    plt.close(figure)
    return path


def _legend_below(axes: plt.Axes) -> None:
    """The legend under the x axis, where it covers no bar."""
    axes.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)


#: A value below this share of the 0..1 scale would be one dark colour: such a heatmap gets its own range.
_OWN_RANGE_BELOW = 0.3
#: Marks a language the model's card does not list (tick labels and legends say so).
UNCOVERED = "*"


def marked(codes: list[str], covered: set[str] | None) -> list[str]:
    """Language codes, each one outside ``covered`` (a model card's languages) marked with ``*``."""
    return [code if covered is None or code in covered else code + UNCOVERED for code in codes]


def _uncovered_note(labels: list[str]) -> str:
    return f"\n{UNCOVERED} not among the model's languages (its card)" if any(UNCOVERED in x for x in labels) else ""


def heatmap(matrix: pd.DataFrame, title: str, path: Path, covered: set[str] | None = None) -> Path:
    """An L x L heatmap (query language x pool language) with the values printed in cells.

    The colour scale is 0..1 for every model, so two heatmaps compare by eye, except for a
    model whose best cell is under 0.3: on 0..1 its map would be one dark colour, so it gets
    its own range and the colour bar says so. Languages outside the model's card are starred.
    """
    values = matrix.to_numpy()
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    own = 0.0 < top < _OWN_RANGE_BELOW
    vmax = top if own else 1.0
    size = 1.0 + 0.55 * len(matrix)
    figure, axes = plt.subplots(figsize=(size + 1.6, size))
    image = axes.imshow(values, cmap="viridis", vmin=0.0, vmax=vmax)
    columns, rows = marked(list(matrix.columns), covered), marked(list(matrix.index), covered)
    axes.set_xticks(range(len(columns)), labels=columns)
    axes.set_yticks(range(len(rows)), labels=rows)
    axes.set_xlabel("pool language" + _uncovered_note(columns + rows))
    axes.set_ylabel("query language")
    axes.set_title(title, fontsize=10)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value == value:  # not NaN
                colour = "black" if value > 0.6 * vmax else "white"  # readable on viridis' light end
                axes.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color=colour)
    bar = figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    bar.set_label(f"mAP (this model's own range, 0–{vmax:.2f})" if own else "mAP (0–1, the same for every model)")
    return save_figure(figure, path)


def overview(
    means: pd.DataFrame, ratios: pd.DataFrame, title: str, path: Path, covered: dict[str, set[str] | None] | None = None
) -> Path:
    """Every model side by side on one task: what a reader of a board looks for first.

    Left, Mo / Cr / Mul mAP per model (rows in board order, best on top). Right, rank
    distance over the random ranker's per model and query language: below 1 (blue) a
    model keeps a question's parallel answers closer together than chance, above 1 (red)
    it pulls its own language's answer up and the others down.
    """
    models = list(means.index)
    height = 1.4 + 0.42 * len(models)
    figure, (bars, grid) = plt.subplots(
        1, 2, figsize=(max(12.5, 6.0 + 0.55 * len(ratios.columns)), height), gridspec_kw={"width_ratios": [1.0, 1.3]}
    )
    positions = np.arange(len(models))
    colours = {"Mo": "#4c72b0", "Cr": "#dd8452", "Mul": "#55a868"}
    for offset, (column, colour) in zip((-0.27, 0.0, 0.27), colours.items(), strict=True):
        bars.barh(positions + offset, means[column].to_numpy(), height=0.27, color=colour, label=f"{column} mAP")
    bars.set_yticks(positions, labels=models)
    bars.invert_yaxis()
    bars.set_xlim(0.0, 1.0)
    bars.set_xlabel("mAP (mean over query languages)")
    bars.set_title(
        f"{title}: mAP by setting\n(Mo: monolingual, Cr: cross-lingual, Mul: multilingual pool)", fontsize=10
    )
    bars.legend(fontsize=9, loc="lower right", frameon=False)
    image = grid.imshow(ratios.to_numpy(), cmap="RdBu_r", vmin=0.0, vmax=2.0, aspect="auto")
    grid.set_xticks(range(len(ratios.columns)), labels=list(ratios.columns))
    grid.set_yticks(range(len(models)), labels=[])
    listed = covered or {}
    starred = {
        (i, j)
        for i, model in enumerate(models)
        for j, code in enumerate(ratios.columns)
        if listed.get(model) is not None and code not in listed[model]
    }
    grid.set_xlabel("query language" + (_uncovered_note([UNCOVERED]) if starred else ""))
    grid.set_title(
        f"{title}: rank distance ÷ the random ranker's\n(multilingual pool, by query language; lower: less bias)",
        fontsize=10,
    )
    for i, row in enumerate(ratios.to_numpy()):
        for j, value in enumerate(row):
            if value == value:
                ink = "white" if abs(value - 1.0) > 0.6 else "black"  # dark ends of the diverging map
                text = f"{value:.2f}" + (UNCOVERED if (i, j) in starred else "")
                grid.text(j, i, text, ha="center", va="center", fontsize=7, color=ink)
    figure.colorbar(image, ax=grid, fraction=0.046, pad=0.02).set_label("÷ random (1 = chance)")
    return save_figure(figure, path)


def bar_chart(
    values: pd.Series,
    title: str,
    ylabel: str,
    path: Path,
    reference: pd.Series | None = None,
    covered: set[str] | None = None,
) -> Path:
    """One bar per language; ``reference`` (the random ranker's) as a dashed mark per language."""
    figure, axes = plt.subplots(figsize=(1.0 + 0.5 * len(values), 3.2))
    labels = marked(list(values.index), covered)
    axes.bar(labels, values.to_numpy(), color="#4c72b0", label="model")
    if reference is not None and len(reference):
        shown = reference.reindex(values.index)
        axes.scatter(labels, shown.to_numpy(), marker="_", s=400, color="#c44e52", label="random ranker")
        _legend_below(axes)
    axes.set_ylabel(ylabel)
    axes.set_xlabel("query language" + _uncovered_note(labels))
    axes.set_title(title, fontsize=10)
    return save_figure(figure, path)


def mono_vs_multi(mono: pd.Series, multi: pd.Series, title: str, path: Path, covered: set[str] | None = None) -> Path:
    """The picture to look at first: per language, mAP alone with its own language vs in the pool of all.

    The gap between the two bars is what language bias costs: a language-agnostic model
    keeps its multilingual-pool bar close to its monolingual one.
    """
    codes = list(mono.index)
    positions = range(len(codes))
    figure, axes = plt.subplots(figsize=(1.2 + 0.6 * len(codes), 3.4))
    axes.bar([p - 0.2 for p in positions], mono.to_numpy(), width=0.4, color="#4c72b0", label="monolingual pool")
    axes.bar(
        [p + 0.2 for p in positions],
        multi.reindex(codes).to_numpy(),
        width=0.4,
        color="#dd8452",
        label="multilingual pool",
    )
    labels = marked(codes, covered)
    axes.set_xticks(list(positions), labels=labels)
    axes.set_ylim(0.0, 1.0)
    axes.set_ylabel("mAP")
    axes.set_xlabel("query language" + _uncovered_note(labels))
    axes.set_title(title, fontsize=10)
    _legend_below(axes)
    return save_figure(figure, path)
