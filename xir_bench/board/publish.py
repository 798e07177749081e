"""``xir-bench leaderboard``: from stored runs, checked, to the board and its pictures, written whole."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from xir_bench.board.cells import column_mean
from xir_bench.board.markdown import slug
from xir_bench.board.render import render_board
from xir_bench.board.seed_groups import seed_groups
from xir_bench.board.views import cross_lingual_matrix, multilingual_pool_by_language, rank_distance_by_language
from xir_bench.cards import load_model_card, task_cards_by_mteb_name
from xir_bench.core.languages import ISO3_TO_1
from xir_bench.core.reference import NAME as RANDOM
from xir_bench.core.settings import Setting
from xir_bench.errors import XirBenchError
from xir_bench.results.runs import Run, discover_runs, subset_kind
from xir_bench.storage.atomic import write_text
from xir_bench.storage.staging import staged_folder, sweep


def publish(results: Path, out: Path, models_dir: Path, seed: int = 0) -> Path:
    """Validate every run, draw its pictures, then write the board.

    Board and pictures are one unit as far as a file system allows: every picture is drawn
    into a staging folder and the board text rendered first (minutes of work, during which
    a kill leaves the old board and pictures untouched); then the pictures folder is swapped
    in and the board written, one rename each. Pictures of models no longer on the board go.
    """
    runs = discover_runs(results)
    if not runs:
        raise XirBenchError(f"{results}: no runs found (expected <model>/<revision>/<Task>.json)")
    check_publishable(runs)
    groups = seed_groups(runs, models_dir)  # a recipe's seeds: one row of their own, no pictures each
    seeded = {run.model for members in groups.values() for run in members}
    runs = [run for run in runs if run.model not in seeded]
    plots_dir = out.parent / "plots"
    check_plots_are_ours(plots_dir)
    sweep(out.parent)
    cards = task_cards_by_mteb_name("parallel")
    plots: dict[tuple[str, str], dict[str, Path]] = {}
    random = next((run for run in runs if run.model == RANDOM), None)
    covered = {run.model: _languages_of(models_dir, run.model) for run in runs}  # each card read once
    with staged_folder(plots_dir) as staging:
        (staging / PLOTS_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        for run in runs:
            for task in sorted(run.results):
                card = cards.get(task)
                if card is None or run is random:
                    continue
                drawn = _pictures(run, task, card, staging, random, covered[run.model])
                plots[(run.model, task)] = {kind: plots_dir / path.name for kind, path in drawn.items()}
        overviews = {}
        for task, card in cards.items():
            drawn_overview = _overview(runs, task, card, staging, random, covered)
            if drawn_overview is not None:
                overviews[task] = plots_dir / drawn_overview.name
        board = render_board(runs, out, models_dir, plots, seed, overviews, groups)
    write_text(out, board)
    return out


#: Marks a pictures folder as made by ``xir-bench leaderboard``: only such a folder is replaced.
PLOTS_MARKER = ".xir-bench-plots"
_MARKER_TEXT = "Made by xir-bench leaderboard, which replaces this folder whole when it publishes.\n"


def check_plots_are_ours(plots_dir: Path) -> None:
    """The pictures folder is replaced whole when the board is published: refuse a folder the
    program did not make (no marker), so nobody's files are deleted."""
    occupied = plots_dir.exists() and (not plots_dir.is_dir() or any(plots_dir.iterdir()))
    if occupied and not (plots_dir / PLOTS_MARKER).is_file():
        raise XirBenchError(
            f"{plots_dir} exists and was not made by xir-bench leaderboard (it has no {PLOTS_MARKER}); "
            "publishing replaces that folder whole\n  fix: move it away, or pass --out into another folder"
        )


def check_publishable(runs: list[Run]) -> None:
    """What must hold before a board is written; each failure names the runs involved.

    - every parallel task's result is one square over one language set L: mono subsets for
      L, cross subsets for every ordered pair of L, and every multilingual pool exactly L
      (a pool over other languages changes Mul, so mixed pools would be mixed numbers);
    - no two models share the file name of their pictures.
    """
    parallel_tasks = task_cards_by_mteb_name("parallel")
    for run in runs:
        for task, result in run.results.items():
            subsets = result.subsets()
            if task not in parallel_tasks:  # MIRACL: one monolingual subset per language
                continue
            settings = [Setting.parse(name) for name in subsets]
            mono = {s.query_lang for s in settings if s.kind == "mono"}
            cross = {(s.query_lang, s.pool_lang) for s in settings if s.kind == "cross"}
            pools = [_pool_languages(e) for n, e in subsets.items() if subset_kind(n) == "multi"]
            langs = mono or {lang for pair in cross for lang in pair} or (pools[0] if pools else set())
            expected_cross = {(a, b) for a in langs for b in langs if a != b}
            problems = []
            if cross and cross != expected_cross:
                missing = sorted(Setting.of(*pair).subset for pair in expected_cross - cross)
                extra = sorted(Setting.of(*pair).subset for pair in cross - expected_cross)
                problems.append(f"cross-lingual subsets missing {missing[:4]} / beyond the mono languages {extra[:4]}")
            for name, entry in subsets.items():
                if subset_kind(name) == "multi" and _pool_languages(entry) != langs:
                    problems.append(f"{name}'s pool is {sorted(entry['languages'])}, not the result's languages")
                    break
            if problems:
                raise XirBenchError(
                    f"{run.folder}/{task}.json mixes language sets: "
                    + "; ".join(problems)
                    + "\n  fix: rerun this model on the task without --languages and with --overwrite"
                )
    _check_slugs(runs)


def _pool_languages(entry: dict) -> set[str]:
    """The ISO 639-1 codes of a subset entry's mteb language tags (``eng-Latn`` -> ``en``)."""
    return {ISO3_TO_1[tag.split("-")[0]] for tag in entry["languages"]}


def _check_slugs(runs: list[Run]) -> None:
    owners: dict[str, str] = {}
    for run in runs:
        other = owners.setdefault(slug(run.model), run.model)
        if other != run.model:
            raise XirBenchError(
                f"models {other!r} and {run.model!r} would share the picture files {slug(run.model)}.*.png; "
                "rename one of them"
            )


def _languages_of(models_dir: Path, model: str) -> set[str] | None:
    """The languages a model's card lists as ISO 639-1 codes; None when it lists none or says it
    in words ("multilingual (XLM-R's 100 languages)"): then no language is marked as uncovered."""
    path = models_dir / f"{model}.toml"
    card = load_model_card(path) if path.is_file() else None
    listed = list(card.languages) if card is not None else []
    return set(listed) if listed and all(re.fullmatch(r"[a-z]{2,3}", code) for code in listed) else None


def _overview(
    runs: list[Run], task: str, card, plots_dir: Path, random: Run | None, covered: dict[str, set[str] | None]
) -> Path | None:
    """Every model on ``task`` side by side: Mo / Cr / Mul mAP, and rank distance ÷ random per language."""
    from xir_bench.board.plots import overview

    models = [run for run in runs if task in run.results and run is not random]
    if not models:
        return None
    means = pd.DataFrame(
        {label: [column_mean(run, task, kind, "map") for run in models] for label, kind in _SETTING_COLUMNS},
        index=[run.model for run in models],
    )
    means = means.loc[sorted(means.index, key=lambda model: (-float(means.loc[model].mean()), model))]
    floor = rank_distance_by_language(random, task, card) if random is not None and task in random.results else None
    by_model = {run.model: rank_distance_by_language(run, task, card) for run in models}
    ratios = pd.DataFrame([by_model[model] for model in means.index], index=means.index)
    ratios = ratios.reindex(columns=[code for code in card.languages if code in ratios.columns])
    ratios = ratios / floor.reindex(ratios.columns) if floor is not None and len(floor) else ratios * np.nan
    return overview(means, ratios, card.title, plots_dir / f"{card.name}.overview.png", covered)


_SETTING_COLUMNS = (("Mo", "mono"), ("Cr", "cross"), ("Mul", "multi"))


def _pictures(
    run: Run, task: str, card, plots_dir: Path, random: Run | None, covered: set[str] | None = None
) -> dict[str, Path]:
    """A model's pictures on one task: mono vs multilingual-pool mAP, the mAP heatmap, rank distance."""
    from xir_bench.board.plots import bar_chart, heatmap, mono_vs_multi

    stem = plots_dir / f"{slug(run.model)}.{card.name}"
    files: dict[str, Path] = {}
    matrix = cross_lingual_matrix(run, task, card)
    if matrix.size and np.isfinite(matrix.to_numpy()).any():
        files["mAP heatmap"] = heatmap(
            matrix,
            f"{run.model} on {card.title}\nmAP, query language × pool language (diagonal: monolingual)",
            stem.parent / f"{stem.name}.map.png",
            covered,
        )
        multi = multilingual_pool_by_language(run, task, card, "map")
        if len(multi):
            mono = pd.Series(np.diag(matrix.to_numpy()), index=matrix.index)
            files["mono vs multilingual pool"] = mono_vs_multi(
                mono,
                multi,
                f"{run.model} on {card.title}\nmAP by query language: own-language pool vs pool of all languages",
                stem.parent / f"{stem.name}.mono_multi.png",
                covered,
            )
    distances = rank_distance_by_language(run, task, card)
    if len(distances):
        floor = rank_distance_by_language(random, task, card) if random is not None and task in random.results else None
        files["rank distance"] = bar_chart(
            distances,
            f"{run.model} on {card.title}\nrank distance in the multilingual pool, by query language (lower is better)",
            "mean rank distance",
            stem.parent / f"{stem.name}.rank_distance.png",
            reference=floor,
            covered=covered,
        )
    return files
