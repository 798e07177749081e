"""Two runs compared slice by slice (language, article, domain), with unit-level tests and intervals.

A slice's Δ is the mean over its per-query rows of A − B. Its test and interval resample
*units* - the question, its paragraph or its article - never rows: one question's rows
(eleven languages, three pools) share its difficulty, and so, less strongly, do the
questions of one paragraph or article. The default unit is the coarsest one the slicing
leaves free: a claim about a domain or a language should hold for other articles of it, so
articles are resampled; within one article only its paragraphs can be.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from xir_bench.board.significance import PairedTest, adjust, paired_randomization_test, unit_interval
from xir_bench.core.collection import SliceBy, Unit
from xir_bench.core.columns import PARALLEL_COLUMNS, Column
from xir_bench.core.settings import ALL_LANGUAGES
from xir_bench.data.domains import DomainMap
from xir_bench.errors import XirBenchError
from xir_bench.results.runs import subset_kind

UNIT_COLUMN: dict[Unit, str] = {"question": "query_id", "paragraph": "paragraph", "article": "article"}


def default_unit(by: SliceBy) -> Unit:
    """Articles, except within one article, where paragraphs are the coarsest free unit."""
    return "paragraph" if by == "article" else "article"


@dataclass(frozen=True)
class SliceRow:
    """One slice, one column: A and B means, Δ = A − B, its interval and test."""

    column: str
    slice: str
    questions: int
    a: float
    b: float
    low: float
    high: float
    test: PairedTest
    p_adjusted: float = float("nan")

    @property
    def delta(self) -> float:
        return self.a - self.b


def _paired_rows(a: pd.DataFrame, b: pd.DataFrame, metric: str, kind: str) -> pd.DataFrame:
    """A's and B's ``metric`` on the rows both have, of subsets of ``kind``, with the slice columns."""
    keys = ["subset", "query_id"]
    missing = [c for c in ("article", "paragraph") if c not in a.columns or c not in b.columns]
    if missing:
        raise XirBenchError(
            f"the per-query tables have no {' or '.join(missing)} column (written before slices existed)\n"
            "  fix: python -m xir_bench.results.migrate RESULTS_FOLDER --data-dir DATA_DIR"
        )
    left = a.loc[a["subset"].map(subset_kind) == kind, [*keys, "article", "paragraph", metric]]
    right = b.loc[b["subset"].map(subset_kind) == kind, [*keys, "article", metric]]
    joined = left.merge(right, on=keys, suffixes=("_a", "_b"))
    if (joined["article_a"] != joined["article_b"]).any():
        raise XirBenchError("the two runs place one question in different articles: they were run on different data")
    joined = joined.rename(columns={"article_a": "article", f"{metric}_a": "a", f"{metric}_b": "b"})
    return joined.drop(columns="article_b").dropna(subset=["a", "b"])


def _with_slice(rows: pd.DataFrame, by: SliceBy, domains: DomainMap | None) -> pd.DataFrame:
    """``rows`` with a ``slice`` column; by language, a cross-lingual row counts for both its languages."""
    if by == "article":
        return rows.assign(slice=rows["article"])
    if by == "domain":
        if domains is None:
            raise XirBenchError("this task's card names no article_domains map\n  fix: --by article or --by language")
        unknown = sorted(set(rows["article"]) - set(domains.articles))
        if unknown:
            raise XirBenchError(f"article {unknown[0]!r} has no domain in the task's article_domains map")
        return rows.assign(slice=rows["article"].map(domains.articles))
    sides = rows["subset"].str.split("-", expand=True)
    query_side = rows.assign(slice=sides[0])
    pool_side = rows.assign(slice=sides[1])[(sides[1] != sides[0]) & (sides[1] != ALL_LANGUAGES)]
    return pd.concat([query_side, pool_side], ignore_index=True)


def compare_slices(
    a: pd.DataFrame,
    b: pd.DataFrame,
    by: SliceBy,
    unit: Unit | None = None,
    domains: DomainMap | None = None,
    columns: tuple[Column, ...] = PARALLEL_COLUMNS,
    seed: int = 0,
) -> list[SliceRow]:
    """Per (column, slice): A, B, Δ with a 95% cluster-robust t interval over units and a unit sign-flip test,
    Benjamini-Hochberg-adjusted over the slices of each column."""
    unit = unit or default_unit(by)
    out: list[SliceRow] = []
    for header, kind, metric, _ in columns:
        if metric not in a.columns or metric not in b.columns:
            continue
        rows = _with_slice(_paired_rows(a, b, metric, kind), by, domains)
        found: list[SliceRow] = []
        for name, group in rows.groupby("slice", sort=True):
            units = group[UNIT_COLUMN[unit]].to_numpy()
            left, right = group["a"].to_numpy(), group["b"].to_numpy()
            low, high = unit_interval(left, right, units)
            test = paired_randomization_test(left, right, seed=seed, units=units)
            questions = group["query_id"].nunique()
            means = float(left.mean()), float(right.mean())
            found.append(SliceRow(header, str(name), questions, *means, low, high, test))
        adjusted = adjust([row.test.p_value for row in found])
        out += [SliceRow(**{**row.__dict__, "p_adjusted": p}) for row, p in zip(found, adjusted, strict=True)]
    if not out:
        raise XirBenchError("the two runs share no per-query column to compare")
    return out


def slices_frame(rows: list[SliceRow]) -> pd.DataFrame:
    """The comparison as a table (one row per column and slice), for CSV and for the terminal."""
    return pd.DataFrame(
        [
            {
                "column": r.column,
                "slice": r.slice,
                "questions": r.questions,
                "units": r.test.n,
                "A": r.a,
                "B": r.b,
                "A − B": r.delta,
                "95% low": r.low,
                "95% high": r.high,
                "p": r.test.p_value,
                "p at floor": r.test.at_floor,
                "p (BH)": r.p_adjusted,
            }
            for r in rows
        ]
    )
