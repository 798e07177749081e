"""A result's subset scores are checked against the per-query rows they summarise, on every read.

The per-query table is what the scores are computed from, and what significance tests,
``compare`` and the board's intervals read; a JSON whose numbers were edited by hand, or
belong to another table, is refused rather than published or reused.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from xir_bench.errors import XirBenchError

if TYPE_CHECKING:
    from xir_bench.results.store import StoredResult

#: How far a stored subset score may be from the mean of its per-query rows: mteb writes
#: scores rounded to 6 decimals (5e-7); float sums differ far below that.
SCORE_TOLERANCE = 1e-6


def check_subset_names(data: object, task_name: str) -> None:
    """Every subset of a result is one its task has, once (a ValueError otherwise).

    Run before anything else reads the entries: a file with 300,000 made-up subsets took
    ten minutes to reject; one that names a subset its task does not have is refused at once."""
    from xir_bench.cards import task_cards_by_mteb_name
    from xir_bench.core.languages import iso3
    from xir_bench.core.settings import enumerate_settings

    card = task_cards_by_mteb_name().get(task_name)
    scores = data.get("scores") if isinstance(data, dict) else None
    if card is None or not isinstance(scores, dict):
        return  # mteb's own validation names what is wrong
    if card.kind == "topk":
        known = {iso3(lang) for lang in card.languages}
    else:
        known = {s.subset for s in enumerate_settings(list(card.languages))}
    for split, entries in scores.items():
        if not isinstance(entries, list):
            raise ValueError(f"scores[{split!r}] is not a list of subsets")
        seen: set[str] = set()
        for entry in entries:
            name = entry.get("hf_subset") if isinstance(entry, dict) else None
            if name not in known:
                raise ValueError(f"subset {name!r} is not one of {task_name}'s ({len(known)} subsets)")
            if name in seen:
                raise ValueError(f"subset {name!r} is stored twice")
            seen.add(name)


def check_scores_against_rows(path: Path, stored: StoredResult) -> None:
    """Every subset score in the JSON is the mean of its per-query rows, and ``n_queries`` their count;
    otherwise an error naming the file, the subset, the measure and both values."""
    table = stored.per_query
    numeric = [c for c in table.columns if c not in ("subset", "query_id") and pd.api.types.is_numeric_dtype(table[c])]
    grouped = table.groupby("subset", sort=False)
    means = grouped[numeric].mean().to_dict("index")
    sizes = grouped.size().to_dict()
    fix = f"fix: rerun the model into a new folder (or with --overwrite); {path.name} is not its table's summary"
    for subset, entry in stored.subsets().items():
        if subset not in means:
            raise XirBenchError(f"{path}: subset {subset!r} has scores but no rows in its per-query table; {fix}")
        if "n_queries" in entry and entry["n_queries"] != sizes[subset]:
            raise XirBenchError(
                f"{path}: subset {subset!r} says n_queries {entry['n_queries']!r}, its table has "
                f"{sizes[subset]} rows; {fix}"
            )
        for measure, recomputed in means[subset].items():
            if measure in entry and not _agrees(entry[measure], recomputed):
                raise XirBenchError(
                    f"{path}: subset {subset!r}, {measure}: the file says {entry[measure]!r}, the mean of its "
                    f"{sizes[subset]} per-query rows is {recomputed:.6f}; {fix}"
                )


def _agrees(value: object, recomputed: float) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False  # a string or null where a score belongs
    if math.isnan(value) or math.isnan(recomputed):
        return math.isnan(value) and math.isnan(recomputed)
    return abs(value - recomputed) <= SCORE_TOLERANCE
