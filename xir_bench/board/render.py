"""The leaderboard: tables per data set, significance marks, per-language breakdowns.

Input: runs (``xir_bench.results.runs``). Output: one markdown document, byte-identical for the
same inputs (no dates, sorted rows, fixed formats, seeded tests), written atomically.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
from tabulate import tabulate

from xir_bench.board.significance import CORRECTION_NAME, TEST_NAME, adjust, paired_randomization_test
from xir_bench.cards import ModelCard, TaskCard, get_task_card, load_model_card, task_cards_by_mteb_name
from xir_bench.core.collection import DEFAULT_TIES
from xir_bench.core.metrics import measure
from xir_bench.core.reference import NAME as RANDOM
from xir_bench.core.settings import Setting
from xir_bench.models.zero_shot import contamination
from xir_bench.results.runs import Run, subset_kind

ALPHA = 0.05


def _column(prefix: str, kind: str, metric: str) -> tuple[str, str, str, bool]:
    """(header, setting kind, per-query metric, higher is better), the last two from the measure table."""
    return (f"{prefix}{measure(metric).header}", kind, metric, measure(metric).higher_is_better)


#: Board columns of the parallel tasks: Mo / Cr / Mul mAP and the multilingual pool's rank distance.
COLUMNS: tuple[tuple[str, str, str, bool], ...] = (
    _column("Mo ", "mono", "map"),
    _column("Cr ", "cross", "map"),
    _column("Mul ", "multi", "map"),
    _column("", "multi", "rank_distance"),
)
#: MIRACL's columns (one subset per language, all monolingual).
MIRACL_TASK = get_task_card("miracl").mteb_name
MIRACL_COLUMNS: tuple[tuple[str, str, str, bool], ...] = (
    _column("", "mono", "ndcg_at_10"),
    _column("", "mono", "recall_at_100"),
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape(text: str) -> str:
    """Text safe inside a markdown table cell: specials backslash-escaped, no line breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def slug(text: str) -> str:
    """A file-name-safe form of a model name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "model"


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


def _subsets(run: Run, task: str) -> dict[str, dict]:
    return run.results[task].subsets()


def column_mean(run: Run, task: str, kind: str, metric: str) -> float:
    """Mean over the subsets of ``kind`` of the subset-level ``metric`` (Mo/Cr/Mul)."""
    values = [e.get(metric, np.nan) for s, e in _subsets(run, task).items() if subset_kind(s) == kind]
    values = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(values)) if values else float("nan")


def per_query_values(run: Run, task: str, kind: str, metric: str) -> pd.Series:
    """Per-query ``metric`` over the subsets of ``kind``, indexed by (subset, query_id)."""
    table = run.results[task].per_query
    if metric not in table.columns or table.empty:
        return pd.Series(dtype=float)
    rows = table[table["subset"].map(subset_kind) == kind]
    return rows.set_index(["subset", "query_id"])[metric].astype(float)


def compare_columns(
    runs: list[Run],
    task: str,
    seed: int = 0,
    columns: tuple[tuple[str, str, str, bool], ...] = COLUMNS,
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
            test = paired_randomization_test(clusters["a"].to_numpy(), clusters["b"].to_numpy(), seed=seed)
            pending.append(((run.model, header), value, test.p_value))
    for (key, value, _), p in zip(pending, adjust([p for *_, p in pending]), strict=True):
        cells[key] = Cell(value, significant=bool(np.isfinite(p) and p < ALPHA))
    return cells


def _model_link(name: str, models_dir: Path, out: Path) -> str:
    card = models_dir / f"{name}.toml"
    if card.is_file():
        return f"[{escape(name)}]({quote(_relative(card, out))})"  # a target cannot end the link early
    return escape(name)


def _language_codes(run: Run, task: str, card: TaskCard) -> list[str]:
    present = {Setting.parse(s).query_lang for s in _subsets(run, task)}
    return [code for code in card.languages if code in present]


def _relative(path: Path, out: Path) -> str:
    return Path(os.path.relpath(path, out.parent)).as_posix()


def _overall(cells: dict[tuple[str, str], Cell], model: str) -> float:
    """The ranking key: mean of the model's Mo, Cr and Mul mAP."""
    values = [cells[(model, header)].value for header, _, metric, _ in COLUMNS if metric == "map"]
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("-inf")


def render_board(
    runs: list[Run],
    out: Path,
    models_dir: Path,
    plots: dict[tuple[str, str], dict[str, Path]] | None = None,
    seed: int = 0,
) -> str:
    """The leaderboard markdown for ``runs`` (to be written at ``out``)."""
    lines = [
        "# xir-bench leaderboard",
        "",
        "Generated by `xir-bench leaderboard`; do not edit by hand. Mo / Cr / Mul: mean full-pool mAP over the "
        "monolingual, cross-lingual and multilingual-pool settings. RD: rank distance in the multilingual pool "
        "(max − min rank of a query's parallel answers; mean per query language, then over languages; lower is "
        "less language-biased). same-lang: share of queries whose best-ranked answer is in their own language. "
        "Rows are ranked by the mean of Mo, Cr and Mul.",
        "",
        f"**Bold**: best in its column. `\\*`: differs from the column's best with p < {ALPHA} "
        f"({TEST_NAME}, 2000 random sign flips, seed {seed}, on per-question mean scores: a question's scores over "
        f"the column's settings and languages are averaged, then paired between the two models; "
        f"{CORRECTION_NAME} correction over all comparisons of a table).",
        "",
    ]
    cards_by_mteb = task_cards_by_mteb_name("parallel")
    for task in sorted({t for run in runs for t in run.results if t in cards_by_mteb}):
        task_runs = [run for run in runs if task in run.results]
        lines += _task_section(task, cards_by_mteb[task], task_runs, models_dir, out, plots or {}, seed)
    miracl_runs = [run for run in runs if MIRACL_TASK in run.results]
    if miracl_runs:
        lines += _miracl_section(miracl_runs, models_dir, out, seed)
    return "\n".join(lines).rstrip() + "\n"


def _miracl_section(runs: list[Run], models_dir: Path, out: Path, seed: int) -> list[str]:
    """MIRACL dev: mean nDCG@10 and Recall@100 over the languages run, then per language.

    Means are over the languages each model was run on (listed in the last column),
    so compare rows with the same languages.
    """
    # MIRACL's query ids are per language: a query is (language, query id)
    cells = compare_columns(runs, MIRACL_TASK, seed, MIRACL_COLUMNS, ["subset", "query_id"])
    ranked = sorted(runs, key=lambda run: (-cells[(run.model, "nDCG@10")].value, run.model))
    rows = []
    for place, run in enumerate(ranked, start=1):
        languages = sorted(_subsets(run, MIRACL_TASK))
        rows.append(
            [
                place,
                _model_link(run.model, models_dir, out),
                *(cells[(run.model, h)].render(4) for h, *_ in MIRACL_COLUMNS),
                escape(" ".join(languages)),
            ]
        )
    lines = [
        "## MIRACL (dev)",
        "",
        "Monolingual passage retrieval over Wikipedia, 18 languages (Zhang et al., 2023). Mean over the languages "
        "a model was run on; compare rows with the same languages.",
        "",
        tabulate(
            rows,
            headers=["#", "model", *(h for h, *_ in MIRACL_COLUMNS), "languages"],
            tablefmt="github",
            disable_numparse=True,
        ),
        "",
    ]
    codes = sorted({lang for run in ranked for lang in _subsets(run, MIRACL_TASK)})
    table = []
    for run in ranked:
        subsets = _subsets(run, MIRACL_TASK)
        values = [subsets.get(code, {}).get("ndcg_at_10") for code in codes]
        table.append([_model_link(run.model, models_dir, out), *("-" if v is None else f"{v:.4f}" for v in values)])
    lines += ["### MIRACL: nDCG@10 by language", ""]
    headers = ["model", *(escape(code) for code in codes)]
    lines += [tabulate(table, headers=headers, tablefmt="github", disable_numparse=True), ""]
    return lines


def _scoring_note(run: Run, task: str) -> str:
    """What a reader must know when a row was scored unlike the others (tie rule, sentence text)."""
    evaluation = run.results[task].evaluation
    if not evaluation:
        return " (scored before xir-bench 0.2: pool-order ties)"
    notes = []
    if evaluation.get("ties", DEFAULT_TIES) != DEFAULT_TIES:
        notes.append(f"ties: {evaluation['ties']}")
    if evaluation.get("sentence_source", "breaks") != "breaks":
        notes.append(f"sentences: {evaluation['sentence_source']}")
    if evaluation.get("candidate_text", "sentence") != "sentence":
        notes.append(f"candidates: {evaluation['candidate_text']}")
    card = task_cards_by_mteb_name("parallel").get(task)
    covered = {Setting.parse(name).query_lang for name in run.results[task].subsets()}
    if card is not None and len(covered) < len(card.languages):
        notes.append(f"{len(covered)} of {len(card.languages)} languages")
    if str(evaluation.get("data", "")).startswith("local:"):
        notes.append(f"data: unverified local copy {evaluation['data'][len('local:') :]}")
    return f" ({escape('; '.join(notes))})" if notes else ""


def _model_card(models_dir: Path, name: str) -> ModelCard | None:
    path = models_dir / f"{name}.toml"
    return load_model_card(path) if path.is_file() else None


def _ranked_table(
    runs: list[Run], task: str, models_dir: Path, out: Path, seed: int, random: Run | None, notes: dict[str, str]
) -> tuple[list[Run], list[str]]:
    """(runs in rank order, the table's lines): significance within these runs, the random row last."""
    cells = compare_columns(runs, task, seed)
    ranked = sorted(runs, key=lambda run: (-_overall(cells, run.model), run.model))
    floor_rd = column_mean(random, task, "multi", "rank_distance") if random is not None else float("nan")

    def tail(run: Run) -> list[str]:
        rd = column_mean(run, task, "multi", "rank_distance")
        share = column_mean(run, task, "multi", "same_language_share")
        ratio = rd / floor_rd if np.isfinite(rd) and np.isfinite(floor_rd) and floor_rd > 0 else float("nan")
        digits = measure("same_language_share").digits
        return [
            "-" if not np.isfinite(ratio) else f"{ratio:.3f}",
            "-" if not np.isfinite(share) else f"{share:.{digits}f}",
        ]

    rows = []
    for place, run in enumerate(ranked, start=1):
        name = _model_link(run.model, models_dir, out) + _scoring_note(run, task) + notes.get(run.model, "")
        rows.append(
            [
                place,
                name,
                *(cells[(run.model, h)].render(measure(metric).digits) for h, _, metric, _ in COLUMNS),
                *tail(run),
            ]
        )
    if random is not None:
        plain = [column_mean(random, task, kind, metric) for _, kind, metric, _ in COLUMNS]
        values = [f"{v:.{measure(m).digits}f}" for (_, _, m, _), v in zip(COLUMNS, plain, strict=True)]
        rows.append(["", f"*{_model_link(random.model, models_dir, out)} (expected)*", *values, *tail(random)])
    headers = ["#", "model", *(h for h, *_ in COLUMNS), "RD ÷ random ↓", f"{measure('same_language_share').label} ↑"]
    return ranked, [tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True), ""]


def _task_section(
    task: str,
    card: TaskCard,
    runs: list[Run],
    models_dir: Path,
    out: Path,
    plots: dict[tuple[str, str], dict[str, Path]],
    seed: int,
) -> list[str]:
    """Zero-shot table, not-zero-shot table, the random reference, per-language tables, pictures."""
    random = next((run for run in runs if run.model == RANDOM), None)
    models = [run for run in runs if run.model != RANDOM]
    reasons = {run.model: contamination(_model_card(models_dir, run.model), card) for run in models}
    zero_shot = [run for run in models if reasons[run.model] is None]
    trained = [run for run in models if reasons[run.model] is not None]
    lines = [f"## {escape(card.title)}", "", escape(card.description), ""]
    ranked: list[Run] = []
    if zero_shot:
        ranked, table = _ranked_table(zero_shot, task, models_dir, out, seed, random, {})
        lines += table
    if trained:
        notes = {run.model: f" ({escape(str(reasons[run.model]))})" for run in trained}
        more, table = _ranked_table(trained, task, models_dir, out, seed, random, notes)
        ranked += more
        lines += [
            f"### {escape(card.title)}: not zero-shot",
            "",
            f"Trained on data {escape(card.title)} is drawn from ({escape(', '.join(card.sources or [card.name]))}), "
            "by their cards: ranked apart, significance tested among themselves.",
            "",
            *table,
        ]
    lines += [
        "Ties ranked as LAReQA's reference evaluation does (a tie block counts at its last position) "
        "unless a row says otherwise. RD ÷ random: rank distance over the random ranker's; same-lang ↑: its "
        "chance level is the random row's.",
        "",
    ]
    everyone = ranked + ([random] if random is not None else [])
    lines += _per_language_tables(everyone, task, card, models_dir, out)
    pictures = []
    for run in ranked:
        files = plots.get((run.model, task), {})
        if files:
            links = ", ".join(f"[{kind}]({_relative(path, out)})" for kind, path in sorted(files.items()))
            pictures.append(f"- {_model_link(run.model, models_dir, out)}: {links}")
    if pictures:
        lines += [f"### {escape(card.title)}: pictures", "", *pictures, ""]
    return lines


def _per_language_tables(ranked: list[Run], task: str, card: TaskCard, models_dir: Path, out: Path) -> list[str]:
    codes = sorted({c for run in ranked for c in _language_codes(run, task, card)}, key=card.languages.index)
    sections = [
        ("monolingual mAP (query and pool in the language)", lambda c: Setting.of(c, c).subset, "map"),
        ("multilingual-pool mAP by query language", lambda c: Setting.of(c, None).subset, "map"),
        ("rank distance by query language (lower is better)", lambda c: Setting.of(c, None).subset, "rank_distance"),
    ]
    lines: list[str] = []
    for title, subset_of, metric in sections:
        digits = measure(metric).digits
        rows = []
        for run in ranked:
            subsets = _subsets(run, task)
            values = [subsets.get(subset_of(c), {}).get(metric) for c in codes]
            rows.append(
                [_model_link(run.model, models_dir, out), *("-" if v is None else f"{v:.{digits}f}" for v in values)]
            )
        lines += [f"### {escape(card.title)}: {title}", ""]
        lines += [tabulate(rows, headers=["model", *codes], tablefmt="github", disable_numparse=True), ""]
    return lines


def cross_lingual_matrix(run: Run, task: str, card: TaskCard, metric: str = "map") -> pd.DataFrame:
    """L x L matrix of ``metric``: rows query language, columns pool language (diagonal = mono)."""
    codes = _language_codes(run, task, card)
    subsets = _subsets(run, task)
    data = [[subsets.get(Setting.of(q, p).subset, {}).get(metric, np.nan) for p in codes] for q in codes]
    return pd.DataFrame(data, index=codes, columns=codes, dtype=float)


def multilingual_pool_by_language(run: Run, task: str, card: TaskCard, metric: str) -> pd.Series:
    """``metric`` of each query language's multilingual-pool subset (``eng-all`` ...)."""
    subsets = _subsets(run, task)
    codes = [c for c in _language_codes(run, task, card) if Setting.of(c, None).subset in subsets]
    return pd.Series([subsets[Setting.of(c, None).subset].get(metric, np.nan) for c in codes], index=codes)


def rank_distance_by_language(run: Run, task: str, card: TaskCard) -> pd.Series:
    """Mean rank distance per query language, from the multilingual-pool subsets."""
    return multilingual_pool_by_language(run, task, card, "rank_distance")
