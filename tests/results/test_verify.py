"""A result's scores are recomputed from its per-query rows on every read: an edited number is refused everywhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import tiny_run_args

from xir_bench.errors import XirBenchError
from xir_bench.results.store import read_result


def _edit(folder: Path, subset: str, measure: str, value: object) -> Path:
    path = folder / "XQuADR.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    (entry,) = [e for e in result["scores"]["test"] if e["hf_subset"] == subset]
    entry[measure] = value
    path.write_text(json.dumps(result), encoding="utf-8")  # per_query_sha256 left as it was
    return path


@pytest.mark.parametrize(
    ("measure", "value", "message"),
    [
        ("map", 0.99, r"subset 'eng-eng', map: the file says 0\.99, the mean of its 5 per-query rows is 1\.000000"),
        ("ndcg_at_10", "0.5", r"ndcg_at_10\s+Input should be a valid number"),
        ("n_queries", 6, r"subset 'eng-eng' says n_queries 6, its table has 5 rows"),
    ],
)
def test_an_edited_score_is_refused_naming_file_subset_and_measure(
    bm25_run: Path, tmp_path: Path, measure: str, value: object, message: str
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(bm25_run, copy)
    folder = next(copy.glob("bm25/*"))
    path = _edit(folder, "eng-eng", measure, value)
    with pytest.raises(XirBenchError, match=message) as raised:
        read_result(folder, "XQuADR")
    assert str(path) in str(raised.value)


@pytest.mark.slow
def test_the_board_compare_and_run_refuse_an_edited_result(
    bm25_run: Path, tiny_data: Path, tmp_path: Path, run_cli
) -> None:
    folder = next(bm25_run.glob("bm25/*"))
    assert read_result(folder, "XQuADR") is not None  # as written: every score is its rows' mean
    _edit(folder, "eng-eng", "map", 0.99)
    board = run_cli("leaderboard", "--results", bm25_run, "--out", tmp_path / "board.md", expect=2)
    assert "subset 'eng-eng', map: the file says 0.99" in board.err
    assert not (tmp_path / "board.md").exists()
    compare = run_cli("compare", folder, folder, expect=2)
    assert "the file says 0.99" in compare.err
    rerun = run_cli(*tiny_run_args("bm25", tiny_data, bm25_run), expect=2)
    assert "the file says 0.99" in rerun.err and "--overwrite" in rerun.err


@pytest.mark.slow
def test_every_committed_result_is_its_tables_summary() -> None:
    root = Path(__file__).resolve().parents[2] / "leaderboard" / "results"
    checked = 0
    for path in sorted(root.glob("*/*/*.json")):
        if path.name != "model_meta.json":
            assert read_result(path.parent, path.stem) is not None
            checked += 1
    assert checked >= 20


def _rewrite(folder: Path, change) -> Path:
    path = folder / "XQuADR.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    change(result)
    path.write_text(json.dumps(result), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["scores"]["test"][0].update(ndcg_at_10="0.5"), "ndcg_at_10"),
        (lambda r: r["scores"]["test"][0].update(mrr="high"), "mrr is 'high', not a number"),
        pytest.param(
            lambda r: r["scores"]["test"].extend(
                {**r["scores"]["test"][0], "hf_subset": f"x{i}"} for i in range(300_000)
            ),
            "subset 'x0' is not one of XQuADR's",
            marks=pytest.mark.slow,  # a 300 MB file
        ),
        (lambda r: r["scores"]["test"].append(r["scores"]["test"][0]), "is stored twice"),
    ],
)
def test_malformed_result_files_are_refused_naming_the_file(bm25_run: Path, change, message: str) -> None:
    """Scores as strings passed validation and crashed the rendering; 300,000 subsets took ten minutes to refuse."""
    folder = next(bm25_run.glob("bm25/*"))
    path = _rewrite(folder, change)
    with pytest.raises(XirBenchError, match=message) as raised:
        read_result(folder, "XQuADR")
    assert str(raised.value).startswith(str(path))


def test_a_result_nested_past_the_recursion_limit_is_refused(bm25_run: Path) -> None:
    folder = next(bm25_run.glob("bm25/*"))
    (folder / "XQuADR.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(XirBenchError, match="nested too deeply"):
        read_result(folder, "XQuADR")
