"""Recipes trained with several seeds: one board row per recipe, mean ± spread over its checkpoints.

A checkpoint is one draw of its recipe; ranking three draws of one recipe among other
models would rank luck. Runs named ``<recipe>-seed<k>`` whose cards record the same
training (every ``[training]`` field but those in ``_VARIES_WITH_SEED``) form a group:
the group is one row of its own section, and its members leave the ranked tables and
pictures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from xir_bench.board.cells import column_mean
from xir_bench.board.markdown import escape, model_link, relative_link
from xir_bench.cards import ModelCard, TaskCard, load_model_card
from xir_bench.core.columns import PARALLEL_COLUMNS
from xir_bench.results.runs import Run

SEED_NAME = re.compile(r"(?P<recipe>.+)-seed(?P<seed>\d+)")
#: Card fields that differ between checkpoints of one recipe: the seed, the pair count (the
#: seed's held-out split moves it), and how often held-out groups were scored (no weight changes).
_VARIES_WITH_SEED = {"seed", "pairs", "eval_steps"}
ANSWER_PAGE = Path("docs") / "hybrid-batches-by-domain.md"  # what the recipe writes, beside models/


def _training(card: ModelCard | None) -> dict | None:
    if card is None or card.training is None:
        return None
    return card.training.model_dump(exclude=_VARIES_WITH_SEED)


def seed_groups(runs: list[Run], models_dir: Path) -> dict[str, list[Run]]:
    """Recipe name -> its checkpoints' runs: two or more with the same training but the seed.

    A checkpoint trained another way (other steps, another base) stays a row of its own."""
    variants: dict[str, dict[str, list[Run]]] = {}
    for run in runs:
        match = SEED_NAME.fullmatch(run.model)
        path = models_dir / f"{run.model}.toml"
        training = _training(load_model_card(path)) if match and path.is_file() else None
        if match and training is not None:
            key = json.dumps(training, sort_keys=True, default=str)
            variants.setdefault(match["recipe"], {}).setdefault(key, []).append(run)
    groups = {}
    for recipe, by_training in sorted(variants.items()):
        largest = max(by_training.values(), key=len)
        if len(largest) > 1:
            groups[recipe] = largest
    return groups


def seeds_section(task: str, card: TaskCard, groups: dict[str, list[Run]], models_dir: Path, out: Path) -> list[str]:
    """Markdown lines: each recipe's mean ± standard deviation over its seeds (none: no lines)."""
    present = {recipe: [run for run in runs if task in run.results] for recipe, runs in groups.items()}
    present = {recipe: runs for recipe, runs in present.items() if len(runs) > 1}
    if not present:
        return []
    headers = [header for header, *_ in PARALLEL_COLUMNS]
    answer = models_dir.parent / ANSWER_PAGE
    lines = [
        f"### {escape(card.title)}: recipes across training seeds",
        "",
        "One row per recipe: the mean ± standard deviation over its checkpoints (one per training seed) of each "
        "column; the checkpoints are not ranked one by one, since they are draws of one recipe. Recipe against "
        "recipe, with intervals across seeds and articles: `recipes/reproduce_paper.py --seeds`"
        + (f" and [its answer page]({relative_link(answer, out)})." if answer.is_file() else "."),
        "",
        "| recipe | seeds | languages | " + " | ".join(headers) + " |",
        "|---|---|---:|" + "---:|" * len(headers),
    ]
    for recipe, runs in present.items():
        seeds = ", ".join(SEED_NAME.fullmatch(run.model)["seed"] for run in runs)  # type: ignore[index]
        languages = len({s.split("-")[0] for s in runs[0].results[task].subsets()})
        cells = []
        for _, kind, metric, _ in PARALLEL_COLUMNS:
            values = [column_mean(run, task, kind, metric) for run in runs]
            cells.append(f"{np.mean(values):.4f} ± {np.std(values, ddof=1):.4f}")
        link = model_link(runs[0].model, models_dir, out)
        lines.append(f"| {escape(recipe)} (first: {link}) | {seeds} | {languages} | " + " | ".join(cells) + " |")
    return [*lines, ""]
