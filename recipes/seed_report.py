"""What ``reproduce_paper.py --seeds`` reports: each paper claim judged across training seeds,
per-domain differences across seeds, and the answer page written into docs/.

Every comparison here is recipe against recipe (:mod:`xir_bench.board.seeds`): each recipe's
checkpoints (one per seed) against the other's, with articles as the units within a seed -
a domain's claim should hold for other articles of it, and XQuAD-R's 1190 questions come
from 48 articles, whose questions share a topic and a paragraph's candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tabulate import tabulate

from xir_bench.board.cells import ALPHA
from xir_bench.board.forest import forest_plot
from xir_bench.board.seeds import RecipeDifference, recipe_difference
from xir_bench.board.significance import PairedTest, adjust
from xir_bench.board.slices import SliceRow
from xir_bench.core.columns import PARALLEL_COLUMNS
from xir_bench.results.runs import subset_kind


@dataclass(frozen=True)
class Claim:
    """One claim of arXiv 2408.10536 about hybrid batches, as a comparison of two recipes on one column."""

    label: str
    kind: str
    metric: str
    a: str
    b: str
    higher: bool
    text: str


CLAIMS = (
    Claim(
        "RD",
        "multi",
        "rank_distance",
        "hybrid",
        "x-x-mono",
        False,
        "hybrid batches lower language bias (RD) vs X-X-mono",
    ),
    Claim("Cr", "cross", "map", "hybrid", "x-x-mono", True, "hybrid batches raise cross-lingual mAP vs X-X-mono"),
    Claim("Mul", "multi", "map", "hybrid", "x-x-mono", True, "hybrid batches raise multilingual mAP vs X-X-mono"),
    Claim("Mo", "mono", "map", "hybrid", "x-y", True, "hybrid batches keep monolingual mAP above X-Y"),
)
#: The columns of the per-domain answer: the board's (header, setting kind, measure, higher is better).
DOMAIN_COLUMNS = PARALLEL_COLUMNS


def recipe_of(label: str) -> tuple[str, int]:
    """``hybrid-seed2`` -> (``hybrid``, 2); ``base`` -> (``base``, 0)."""
    match = re.fullmatch(r"(.+)-seed(\d+)", label)
    return (match.group(1), int(match.group(2))) if match else (label, 0)


def by_recipe(tables: dict[str, pd.DataFrame]) -> dict[str, dict[int, pd.DataFrame]]:
    """Each checkpoint's :func:`article_means`, grouped by recipe, then seed."""
    grouped: dict[str, dict[int, pd.DataFrame]] = {}
    for label, table in tables.items():
        recipe, seed = recipe_of(label)
        grouped.setdefault(recipe, {})[seed] = article_means(table)
    return grouped


def article_means(table: pd.DataFrame) -> pd.DataFrame:
    """Per article (rows) and (setting kind, measure) (columns): the mean over the article's rows."""
    kinds = table["kind"] if "kind" in table else table["subset"].map(subset_kind)
    measures = [m for m in dict.fromkeys(metric for _, _, metric, _ in DOMAIN_COLUMNS) if m in table]
    return table.assign(kind=kinds).groupby(["article", "kind"])[measures].mean().unstack("kind")


def difference(
    recipes: dict[str, dict[int, pd.DataFrame]],
    a: str,
    b: str,
    kind: str,
    metric: str,
    articles: set[str] | None = None,
) -> RecipeDifference:
    """Recipe ``a`` − recipe ``b`` on one column, over seeds and articles (all, or those given).

    ``recipes`` holds each checkpoint's :func:`article_means`."""

    def values(means: pd.DataFrame) -> pd.Series:
        column = means[(metric, kind)]
        return column if articles is None else column[column.index.isin(articles)]

    return recipe_difference(
        {s: values(t) for s, t in recipes[a].items()}, {s: values(t) for s, t in recipes[b].items()}
    )


def claims_rows(recipes: dict[str, dict[int, pd.DataFrame]]) -> list[dict[str, object]]:
    """Each paper claim, recipe against recipe across seeds, with its verdict."""
    rows = []
    for claim in CLAIMS:
        found = difference(recipes, claim.a, claim.b, claim.kind, claim.metric)
        rows.append(
            {
                "claim": claim.text,
                "A − B by seed": " ".join(
                    f"{x - y:+.4f}" for x, y in zip(found.a_by_seed, found.b_by_seed, strict=False)
                ),
                "A − B": found.delta,
                "95% interval": f"[{found.low:+.4f}, {found.high:+.4f}]",
                "p": found.p_text(),
                "df": f"{found.dof:.1f}",
                "verdict": found.verdict(claim.higher),
            }
        )
    return rows


def domain_rows(
    recipes: dict[str, dict[int, pd.DataFrame]], a: str, b: str, domains: dict[str, str]
) -> tuple[list[dict[str, object]], list[SliceRow]]:
    """Per domain, A − B with its interval across seeds for each answer column (BH over domains)."""
    names = sorted(set(domains.values()))
    slice_rows: list[SliceRow] = []
    table: dict[str, dict[str, object]] = {
        name: {"domain": name, "articles": sum(d == name for d in domains.values())} for name in names
    }
    for header, kind, metric, _ in DOMAIN_COLUMNS:
        found = [
            difference(recipes, a, b, kind, metric, {x for x, d in domains.items() if d == name}) for name in names
        ]
        for name, result, p in zip(names, found, adjust([r.p_value for r in found]), strict=True):
            test = PairedTest(result.delta, result.p_value, int(table[name]["articles"]))  # type: ignore[call-overload]
            means = float(np.mean(result.a_by_seed)), float(np.mean(result.b_by_seed))
            slice_rows.append(SliceRow(header, name, test.n, *means, result.low, result.high, test, p))
            mark = "*" if p < ALPHA else ""
            table[name][f"Δ {header} [95%]"] = f"{result.delta:+.4f} [{result.low:+.4f}, {result.high:+.4f}]{mark}"
    return list(table.values()), slice_rows


def losing_domains(rows: list[SliceRow]) -> dict[str, list[str]]:
    """Domain -> the columns where A is significantly worse (BH p < ALPHA, interval wholly on the bad side)."""
    higher = {header: better for header, _, _, better in DOMAIN_COLUMNS}
    out: dict[str, list[str]] = {}
    for row in rows:
        worse = row.high < 0 if higher[row.column] else row.low > 0
        if worse and row.p_adjusted < ALPHA:
            out.setdefault(row.slice, []).append(f"{row.column} {row.delta:+.4f} [{row.low:+.4f}, {row.high:+.4f}]")
    return out


def markdown(rows: list[dict[str, object]]) -> str:
    """A GitHub table; numbers to four decimals, text (p-values such as "2.1e-07") as written."""
    shown = [{k: f"{v:.4f}" if isinstance(v, float) else v for k, v in row.items()} for row in rows]
    return tabulate(shown, headers="keys", tablefmt="github", disable_numparse=True)


@dataclass(frozen=True)
class AnswerPage:
    """Everything the generated answer page states, computed by the recipe."""

    command: str
    setup: str
    per_seed: list[dict[str, object]]
    claims: list[dict[str, object]]
    versus: dict[str, tuple[list[dict[str, object]], list[SliceRow]]]  # B recipe -> domain table, rows
    timings: dict[str, float | str]


def write_answer_page(page: AnswerPage, path: Path, images: Path) -> Path:
    """The docs page answering "does hybrid-batch training cost any domain?", with its forest plots."""
    from xir_bench.storage.atomic import atomic_open

    lines = [
        "# Does hybrid-batch training cost any domain? XQuAD-R by domain, across training seeds",
        "",
        "<!-- Generated by recipes/reproduce_paper.py --seeds; do not edit by hand: rerun it. -->",
        "",
        f"Generated by `{page.command}`.",
        "",
        page.setup,
        "",
        "## The answer",
        "",
    ]
    for b, (_, rows) in page.versus.items():
        losing = losing_domains(rows)
        drops = sorted((r for r in rows if r.column.endswith("mAP")), key=lambda r: r.delta)
        worst = ""
        if drops and drops[0].delta < 0:
            d = drops[0]
            worst = f" Largest mAP drop: {d.slice}, {d.column} {d.delta:+.4f} [{d.low:+.4f}, {d.high:+.4f}]."
        named = "; ".join(f"{domain} ({', '.join(columns)})" for domain, columns in losing.items())
        verdict = (
            f"**Hybrid vs {b}: {len(losing)} of {len({r.slice for r in rows})} domains lose significantly**: {named}."
            if losing
            else f"**Hybrid vs {b}: no domain loses significantly** (no mAP interval wholly below 0, no RD interval "
            f"wholly above 0, at p < {ALPHA} after Benjamini-Hochberg over the {len({r.slice for r in rows})} domains)."
        )
        lines += [f"- {verdict}{worst}"]
    lines += [
        "",
        "Intervals are 95% t intervals across seeds and articles (xir_bench.board.seeds): the seeds' scatter",
        "and the articles' scatter both count, so a domain of 3-9 articles needs a large, consistent effect",
        "to be called a loss; `*` marks p < 0.05 after Benjamini-Hochberg over the domains of a column.",
        "",
    ]
    for b, (table, rows) in page.versus.items():
        image = images / f"hybrid-vs-{b}-by-domain.png"
        forest_plot(rows, f"hybrid − {b} on XQuAD-R by domain, across seeds (unit: article)", image, "articles")
        lines += [
            f"### Hybrid − {b}, by domain",
            "",
            markdown(table),
            "",
            f"![hybrid − {b} by domain]({image.relative_to(path.parent).as_posix()})",
            "",
        ]
    lines += [
        "## The paper's claims, across seeds",
        "",
        markdown(page.claims),
        "",
        "## Each checkpoint",
        "",
        markdown(page.per_seed),
        "",
    ]
    times = [{"step": k, "seconds": round(v) if isinstance(v, int | float) else v} for k, v in page.timings.items()]
    note = "Measured on the shared 2-core machine; wall seconds unless the step says otherwise."
    lines += ["## Time", "", note, "", markdown(times), ""]
    with atomic_open(path, "w") as handle:
        handle.write("\n".join(lines))
    return path
