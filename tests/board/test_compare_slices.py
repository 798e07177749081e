"""``xir-bench compare --by``: per-slice deltas, intervals and tests, a forest plot, a CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xir_bench.board.slices import compare_slices, default_unit
from xir_bench.cli.main import main
from xir_bench.data.domains import DomainMap
from xir_bench.results.runs import resolve_run

LEADERBOARD = Path(__file__).resolve().parents[2] / "leaderboard" / "results"


def test_by_article_prints_every_article_and_writes_plot_and_csv(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot, table = tmp_path / "out" / "forest.png", tmp_path / "out" / "slices.csv"
    args = ["compare", results / "bm25", results / "static-tiny", "--by", "article", "--plot", plot, "--csv", table]
    assert main([str(a) for a in args]) == 0
    out = capsys.readouterr().out
    assert "Mo mAP by article, 3 slices. Unit: paragraph" in out and "RD ↓ by article" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"
    frame = pd.read_csv(table)
    assert set(frame["slice"]) == {"t0", "t1", "t2"} and set(frame["unit"]) == {"paragraph"}
    assert np.allclose(frame["A − B"], frame["A"] - frame["B"])


def test_slice_means_are_the_rows_means(results: Path) -> None:
    """A slice's A is the mean of its rows; by language a cross-lingual row counts for both sides."""
    a = resolve_run(results / "bm25").results["XQuADR"].per_query
    b = resolve_run(results / "static-tiny").results["XQuADR"].per_query
    rows = compare_slices(a, b, "language")
    cross_deu = next(r for r in rows if r.column == "Cr mAP" and r.slice == "deu")
    touches = a[a["subset"].str.contains("deu") & ~a["subset"].isin(["deu-deu"]) & ~a["subset"].str.endswith("all")]
    assert cross_deu.a == pytest.approx(touches["map"].mean())
    assert cross_deu.questions == touches["query_id"].nunique()


def test_by_domain_uses_the_map(results: Path) -> None:
    a = resolve_run(results / "bm25").results["XQuADR"].per_query
    b = resolve_run(results / "static-tiny").results["XQuADR"].per_query
    domains = DomainMap(domains={"x": "X", "y": "Y"}, articles={"t0": "x", "t1": "x", "t2": "y"})
    rows = compare_slices(a, b, "domain", domains=domains)
    assert {r.slice for r in rows} == {"x", "y"} and default_unit("domain") == "article"
    x_rows = [r for r in rows if r.column == "Mo mAP" and r.slice == "x"]
    assert x_rows[0].test.n == 2  # two articles: the units resampled


def test_an_article_outside_the_map_is_named(results: Path, run_cli) -> None:
    """The synthetic data stands in for XQuAD-R, whose card's map does not have its articles."""
    outcome = run_cli("compare", results / "bm25", results / "static-tiny", "--by", "domain", expect=None)
    assert outcome.code != 0 and "article 't0' has no domain" in outcome.err


def test_a_misspelled_slicing_is_refused(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["compare", str(results / "bm25"), str(results / "static-tiny"), "--by", "langauge"])
    assert "invalid choice: 'langauge'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--plot", "x.png"], "--plot, --csv and --unit go with --by"),
        (["--by", "article", "--plot", "x.svg"], "expected a .png file name"),
    ],
)
def test_bad_options_are_named(results: Path, run_cli, extra: list[str], message: str) -> None:
    outcome = run_cli("compare", results / "bm25", results / "static-tiny", *extra, expect=None)
    assert outcome.code != 0 and message in outcome.err


@pytest.mark.slow
@pytest.mark.realdata
def test_published_e5_hybrid_against_its_base_by_article_has_48_rows(shared_data: Path) -> None:
    a = resolve_run(LEADERBOARD / "e5-small-hybrid").results["XQuADR"].per_query
    b = resolve_run(LEADERBOARD / "e5-small-base").results["XQuADR"].per_query
    rows = compare_slices(a, b, "article")
    assert all(sum(r.column == column for r in rows) == 48 for column in {r.column for r in rows})
    assert sum(r.questions for r in rows if r.column == "Mo mAP") == 1190
