"""What the reproduction recipes share: scoring a trained model on a task and reading its
per-query table by setting kind, seen/unseen language split, and paired tests.

The recipes are scripts (``python recipes/<name>.py``); Python puts this folder on the
import path when it runs one of them, so ``from recipe_tools import ...`` works there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xir_bench.board.significance import adjust, paired_randomization_test
from xir_bench.cards import get_task_card
from xir_bench.models.registry import load_model
from xir_bench.pipelines.evaluate import RunOptions, evaluate_task
from xir_bench.results.runs import subset_kind

XQUAD_UNSEEN = {"ell", "rus", "tha", "tur"}  # XQuAD-R languages absent from MLQA-R


def score(
    model_path: Path | str,
    task: str,
    data_dir: str,
    results: Path,
    cache_dir: Path | None,
    backend: str = "torch",
    languages: list[str] | None = None,
) -> pd.DataFrame:
    """Score a saved model (its own prompts) on ``task`` (``languages``: all by default); its
    per-query table, with a ``kind`` column.

    A result already stored for the same model revision and definition is reused.
    """
    model = load_model(str(model_path), device="cpu", backend=backend)
    options = RunOptions(languages=languages, data_dir=data_dir, output=results, cache_dir=cache_dir, progress=True)
    outcome = evaluate_task(get_task_card(task), model, options)
    per_query = pd.read_parquet(outcome.path.with_name(outcome.path.stem + ".per_query.parquet"))
    return per_query.assign(kind=per_query["subset"].map(subset_kind))


def summary(per_query: pd.DataFrame, unseen: set[str] = XQUAD_UNSEEN) -> dict[str, float]:
    """Mo / Cr / Mul mAP, rank distance, same-language share, and mono/cross by seen/unseen languages.

    Every subset of a kind has the same questions, so the mean over its rows equals the
    board's mean of subset means.
    """
    kinds = per_query.groupby("kind")
    out = {
        "Mo": kinds["map"].mean()["mono"],
        "Cr": kinds["map"].mean()["cross"],
        "Mul": kinds["map"].mean()["multi"],
        "RD ↓": kinds["rank_distance"].mean()["multi"],
        "same-lang": kinds["same_language_share"].mean()["multi"],
    }
    sides = per_query["subset"].str.split("-", expand=True)
    touches_unseen = sides[0].isin(unseen) | sides[1].isin(unseen)
    for kind in ("mono", "cross"):
        rows = per_query["kind"] == kind
        out[f"{kind} seen"] = per_query.loc[rows & ~touches_unseen, "map"].mean()
        out[f"{kind} unseen"] = per_query.loc[rows & touches_unseen, "map"].mean()
    return out


TESTED = (("mono", "map", "Mo"), ("cross", "map", "Cr"), ("multi", "map", "Mul"), ("multi", "rank_distance", "RD"))


def per_question(per_query: pd.DataFrame, kind: str, metric: str) -> pd.Series:
    """One value per parallel question: its mean over every subset of ``kind``.

    The question (shared by its translations) is the unit of the paired test: the rows of
    one question in different languages and pools are not independent samples.
    """
    rows = per_query[per_query["kind"] == kind]
    return rows.groupby("query_id")[metric].mean()


def paired_tests(tables: dict[str, pd.DataFrame], pairs: list[tuple[str, str]], seed: int = 0) -> list[dict[str, Any]]:
    """A − B per (pair, measure) with paired randomization tests, BH-adjusted over the family."""
    rows = []
    for a, b in pairs:
        for kind, metric, label in TESTED:
            joined = pd.concat(
                [per_question(tables[a], kind, metric).rename("a"), per_question(tables[b], kind, metric).rename("b")],
                axis=1,
                join="inner",
            )
            test = paired_randomization_test(joined["a"].to_numpy(), joined["b"].to_numpy(), seed=seed)
            rows.append({"A": a, "B": b, "measure": label, "A − B": test.mean_difference, "p": test.p_value})
    for row, p in zip(rows, adjust([row["p"] for row in rows]), strict=True):
        row["p (BH)"] = p
        row["sig."] = "*" if np.isfinite(p) and p < 0.05 else ""
    return rows
