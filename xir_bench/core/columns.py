"""The board's columns: a setting kind × a measure, one name for each, made from the measure table.

A column's ``key`` (``mono_map``, ``multi_rank_distance``, ``mono_ndcg_at_10``) is what
``reproduce`` conditions expect and what the CLI and the board's prose refer to; its
``header`` (``Mo mAP``, ``RD ↓``, ``nDCG@10``) is what a table shows. A parallel task's
measure computed for every setting kind carries the kind in its header (``Mo``, ``Cr``,
``Mul``); a measure of one kind only (rank distance, a top-k task's) does not need to.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from xir_bench.core.metrics import BY_NAME, measure
from xir_bench.core.settings import SETTING_KINDS, SettingKind
from xir_bench.errors import XirBenchError

TaskKind = Literal["parallel", "topk"]
#: How a table names each setting kind.
KIND_LABELS: dict[SettingKind, str] = {"mono": "Mo", "cross": "Cr", "multi": "Mul"}


class Column(NamedTuple):
    """One column: its header, the setting kind and measure it averages, and its direction."""

    header: str
    kind: SettingKind
    metric: str
    higher: bool

    @property
    def key(self) -> str:
        return f"{self.kind}_{self.metric}"

    @classmethod
    def of(cls, task_kind: TaskKind, kind: SettingKind, metric: str) -> Column:
        found = measure(metric)
        labelled = task_kind == "parallel" and "parallel" in found.scopes
        header = f"{KIND_LABELS[kind]} {found.header}" if labelled else found.header
        return cls(header, kind, metric, found.higher_is_better)

    @classmethod
    def parse(cls, key: str, task_kind: TaskKind) -> Column:
        """The column named ``key`` (``mono_map``) for a task of ``task_kind``, or an error listing the form."""
        kind, _, metric = key.partition("_")
        scopes = BY_NAME[metric].scopes if metric in BY_NAME else frozenset()
        if task_kind == "topk":
            known = kind == "mono" and "topk" in scopes
        else:
            known = kind in SETTING_KINDS and ("parallel" in scopes or (kind == "multi" and "multi" in scopes))
        if not known:
            examples = ", ".join(column.key for column in board_columns(task_kind))
            raise XirBenchError(f"unknown score {key!r} for a {task_kind} task\n  fix: KIND_MEASURE, e.g. {examples}")
        return cls.of(task_kind, kind, metric)  # type: ignore[arg-type]


#: The board's columns of a parallel task: Mo / Cr / Mul mAP and the multilingual pool's rank distance.
PARALLEL_COLUMNS: tuple[Column, ...] = (
    Column.of("parallel", "mono", "map"),
    Column.of("parallel", "cross", "map"),
    Column.of("parallel", "multi", "map"),
    Column.of("parallel", "multi", "rank_distance"),
)
#: The board's columns of a top-k task (one monolingual subset per language).
TOPK_COLUMNS: tuple[Column, ...] = (
    Column.of("topk", "mono", "ndcg_at_10"),
    Column.of("topk", "mono", "recall_at_100"),
)


def board_columns(task_kind: TaskKind) -> tuple[Column, ...]:
    return PARALLEL_COLUMNS if task_kind == "parallel" else TOPK_COLUMNS


#: How the legend names each setting kind's pools.
_KIND_PROSE: dict[SettingKind, str] = {"mono": "monolingual", "cross": "cross-lingual", "multi": "multilingual-pool"}


def parallel_legend() -> str:
    """What the parallel tasks' columns mean, made from the column and measure tables."""
    averaged = [c for c in PARALLEL_COLUMNS if "parallel" in measure(c.metric).scopes]
    single = [c for c in PARALLEL_COLUMNS if c not in averaged]
    metric = measure(averaged[0].metric)
    settings = [_KIND_PROSE[c.kind] for c in averaged]
    labels = " / ".join(KIND_LABELS[c.kind] for c in averaged)
    parts = [f"{labels}: mean {metric.description} over the {', '.join(settings[:-1])} and {settings[-1]} settings."]
    parts += [f"{measure(c.metric).label}: {measure(c.metric).description}." for c in single]
    share = measure("same_language_share")
    parts.append(f"{share.label}: {share.description}.")
    ranked_by = ", ".join(KIND_LABELS[c.kind] for c in averaged[:-1]) + f" and {KIND_LABELS[averaged[-1].kind]}"
    parts.append(f"Rows are ranked by the mean of {ranked_by}.")
    return " ".join(parts)
