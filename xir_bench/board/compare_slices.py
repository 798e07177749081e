"""``xir-bench compare --by``: the slice comparison of two runs as terminal tables, CSV and forest plots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tabulate import tabulate

from xir_bench.board.cells import ALPHA
from xir_bench.board.significance import CORRECTION_NAME, TEST_NAME
from xir_bench.board.slices import SliceBy, SliceRow, Unit, compare_slices, default_unit, slices_frame
from xir_bench.cards import task_cards_by_mteb_name
from xir_bench.core.collection import SLICE_COLUMNS
from xir_bench.core.columns import PARALLEL_COLUMNS, Column
from xir_bench.core.metrics import measure
from xir_bench.data.domains import article_domains
from xir_bench.errors import XirBenchError
from xir_bench.results.runs import Run
from xir_bench.storage.atomic import atomic_open


@dataclass(frozen=True)
class TaskSlices:
    """One task's slice comparison."""

    task: str
    title: str
    unit: Unit
    rows: list[SliceRow]


def columns_for(metric: str) -> tuple[Column, ...]:
    """The board's columns for mAP; for another per-query measure, that measure in each setting kind."""
    if metric == "map":
        return PARALLEL_COLUMNS
    spec = measure(metric)
    return tuple((f"{k} {spec.header}", kind, metric, spec.higher_is_better) for k, kind in _KINDS)


_KINDS = (("Mo", "mono"), ("Cr", "cross"), ("Mul", "multi"))


def slice_tasks(
    run_a: Run, run_b: Run, by: SliceBy, unit: Unit | None, metric: str, tasks: list[str] | None, seed: int
) -> tuple[list[TaskSlices], list[str]]:
    """(each shared task's comparison, notes on tasks left out and why)."""
    cards = task_cards_by_mteb_name()
    shared = sorted(set(run_a.results) & set(run_b.results))
    if tasks:
        wanted = {name.lower() for name in tasks}
        shared = [t for t in shared if t.lower() in wanted or (t in cards and cards[t].name in wanted)]
    notes, out = [], []
    for task in shared:
        card = cards.get(task)
        title = card.title if card else task
        a, b = run_a.results[task].per_query, run_b.results[task].per_query
        if not set(SLICE_COLUMNS) <= set(a.columns) & set(b.columns) and card and card.kind == "topk":
            notes.append(f"not sliced: {title} (its topics carry no article; compare without --by gives its languages)")
            continue
        domains = article_domains(card) if card else None
        if by == "domain" and domains is None:
            notes.append(f"not sliced: {title} (its card names no article_domains map)")
            continue
        rows = compare_slices(a, b, by, unit, domains, columns_for(metric), seed)
        out.append(TaskSlices(task, title, unit or default_unit(by), rows))
    if not out:
        raise XirBenchError(
            f"{run_a.folder} and {run_b.folder}: no shared task can be compared by {by}"
            + ("".join(f"\n  {note}" for note in notes) or "")
        )
    return out, notes


def render(run_a: Run, run_b: Run, by: SliceBy, compared: list[TaskSlices], notes: list[str]) -> str:
    """Per task and column, one table of slices sorted by Δ."""
    lines = [f"A = {run_a.model} ({run_a.revision})", f"B = {run_b.model} ({run_b.revision})"]
    for task in compared:
        columns = list(dict.fromkeys(r.column for r in task.rows))
        for column in columns:
            rows = sorted((r for r in task.rows if r.column == column), key=lambda r: r.delta)
            lines += [
                "",
                f"{task.title} · {column} by {by}, {len(rows)} slices. Unit: {task.unit}; {TEST_NAME} and 95% "
                f"t interval over {task.unit}s (cluster-robust); p (BH): {CORRECTION_NAME} over the {len(rows)} slices",
            ]
            table = [
                [
                    r.slice,
                    r.questions,
                    r.test.n,
                    r.a,
                    r.b,
                    r.delta,
                    _interval(r),
                    r.test.p_text(),
                    r.test.p_text(r.p_adjusted),
                    "*" if r.p_adjusted < ALPHA else "",
                ]
                for r in rows
            ]
            headers = [by, "questions", f"{task.unit}s", "A", "B", "A − B", "95% interval", "p", "p (BH)", "sig."]
            lines.append(tabulate(table, headers=headers, floatfmt=".4f", disable_numparse=[7, 8]))
    return "\n".join(lines + notes)


def _interval(row: SliceRow) -> str:
    return "-" if not np.isfinite(row.low) else f"[{row.low:+.4f}, {row.high:+.4f}]"


def write_csv(compared: list[TaskSlices], path: Path) -> Path:
    """Every task's rows in one CSV (a ``task`` column first), written whole."""
    import pandas as pd

    frame = pd.concat([slices_frame(t.rows).assign(unit=t.unit).assign(task=t.task) for t in compared])
    frame = frame[["task", *[c for c in frame.columns if c != "task"]]]
    with atomic_open(path, "w") as handle:
        frame.to_csv(handle, index=False)
    return path
