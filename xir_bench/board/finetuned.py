"""The board's fine-tuning section: each fine-tuned model against its base, domain by domain.

A model's card names its base (``[training] base``, a folder); the base is on the board when
a row's card has that folder as its ``path`` (or the folder's name as its name). The
comparison is ``xir-bench compare --by domain``'s: per domain, Δ with a 95% interval and a
sign-flip test over articles, Benjamini-Hochberg over the domains of a column.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np

from xir_bench.board.cells import ALPHA
from xir_bench.board.markdown import escape, relative_link
from xir_bench.board.slices import SliceRow, compare_slices
from xir_bench.cards import ModelCard, TaskCard
from xir_bench.core.columns import PARALLEL_COLUMNS
from xir_bench.data.domains import article_domains
from xir_bench.results.runs import Run


def base_of(card: ModelCard | None, cards: dict[str, ModelCard | None]) -> str | None:
    """The board row that ``card``'s model was fine-tuned from, if it is on the board."""
    base = card.training.base if card is not None and card.training is not None else None
    if base is None:
        return None
    folder = PurePosixPath(base.replace("\\", "/"))
    for name, other in cards.items():
        if other is not None and other.path is not None and PurePosixPath(other.path) == folder:
            return name
    return folder.name if folder.name in cards else None


def _cell(row: SliceRow) -> str:
    mark = "\\*" if np.isfinite(row.p_adjusted) and row.p_adjusted < ALPHA else ""
    return f"{row.delta:+.4f} [{row.low:+.4f}, {row.high:+.4f}]{mark}"


def finetuned_section(
    task: str,
    card: TaskCard,
    runs: list[Run],
    cards: dict[str, ModelCard | None],
    out: Path,
    models_dir: Path,
    seed: int = 0,
) -> list[str]:
    """Markdown lines: one table per fine-tuned model whose base is on the board (none: no lines)."""
    domains = article_domains(card)
    by_name = {run.model: run for run in runs}
    pairs = [(run, by_name[base]) for run in runs if (base := base_of(cards.get(run.model), cards)) in by_name]
    pairs = [(run, base) for run, base in pairs if run.model != base.model]
    if domains is None or card.article_domains is None or not pairs:
        return []
    # linked where the board's repository keeps it (tasks/ beside models/), as model cards are
    in_repository = models_dir.parent / "tasks" / card.article_domains
    shown = f"tasks/{card.article_domains}"
    domain_map = f"[{shown}]({relative_link(in_repository, out)})" if in_repository.is_file() else f"`{shown}`"
    lines = [
        f"### {escape(card.title)}: fine-tuned models against their base, by domain",
        "",
        f"Δ = fine-tuned − base per domain of articles ({domain_map}), with a 95% "
        "t interval and a sign-flip test over articles (a domain's claim should hold for other articles "
        f"of it); `\\*`: p < {ALPHA} after Benjamini-Hochberg over the domains of a column. "
        "`xir-bench compare FINE_TUNED BASE --by domain` prints the same with A, B and p.",
        "",
    ]
    for run, base in pairs:
        a, b = run.results[task].per_query, base.results[task].per_query
        rows = compare_slices(a, b, "domain", None, domains, PARALLEL_COLUMNS, seed)
        names = sorted({r.slice for r in rows})
        headers = [header for header, *_ in PARALLEL_COLUMNS if any(r.column == header for r in rows)]
        higher = {header: better for header, _, _, better in PARALLEL_COLUMNS}
        found = {(r.column, r.slice): r for r in rows}
        lines += [f"**{escape(run.model)}** − **{escape(base.model)}**", ""]
        lines += ["| domain | articles | " + " | ".join(f"Δ {h}" for h in headers) + " |"]
        lines += ["|---|---:|" + "---:|" * len(headers)]
        for name in names:
            articles = sum(d == name for d in domains.articles.values())
            cells = [_cell(found[(h, name)]) for h in headers]
            lines.append(f"| {escape(name)} | {articles} | " + " | ".join(cells) + " |")
        helps, hurts = [], []
        for r in rows:
            if not (np.isfinite(r.p_adjusted) and r.p_adjusted < ALPHA):
                continue
            good = r.low > 0 if higher[r.column] else r.high < 0
            bad = r.high < 0 if higher[r.column] else r.low > 0
            (helps if good else hurts if bad else []).append(f"{r.slice} ({r.column})")
        lines += [
            "",
            f"Helps significantly in: {escape(', '.join(helps)) or 'none'}. "
            f"Hurts significantly in: {escape(', '.join(hurts)) or 'none'}.",
            "",
        ]
    return lines
