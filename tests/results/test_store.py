"""Results through mteb's own classes: ResultCache reads them, old ones still load or migrate."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
from pathlib import Path

import mteb
import pandas as pd
import pytest

from xir_bench.board.cells import column_mean
from xir_bench.core.settings import Setting
from xir_bench.results.migrate import migrate
from xir_bench.results.runs import read_run, resolve_run
from xir_bench.results.store import read_result


def test_mteb_result_cache_reads_what_xir_bench_writes(bm25_run: Path) -> None:
    """``<dir>/results`` is a ResultCache's results folder; its scores are the board's."""
    folder = next(bm25_run.glob("bm25/*"))
    stored = json.loads((folder / "XQuADR.json").read_text())
    assert stored["mteb_version"] == importlib.metadata.version("mteb")
    assert stored["xir_bench_version"] and stored["evaluation"]["ties"] == "reference"
    meta = json.loads((folder / "model_meta.json").read_text())
    assert meta["framework"] == ["NumPy"] and meta["name"] == "bm25" and meta["xir_bench"]["kind"] == "bm25"

    cache = mteb.ResultCache(bm25_run.parent)
    results = cache.load_results(include_remote=False)
    (model,) = list(results)
    assert model.model_name == "bm25"
    (task_result,) = model.task_results
    by_subset = {entry["hf_subset"]: entry for entry in task_result.scores["test"]}
    run = read_run(folder)
    for kind in ("mono", "cross", "multi"):  # mteb's per-subset scores give the board's Mo / Cr / Mul
        values = [v["map"] for s, v in by_subset.items() if Setting.parse(s).kind == kind]
        assert sum(values) / len(values) == pytest.approx(column_mean(run, "XQuADR", kind, "map"), abs=1e-6)


def _make_old(folder: Path) -> None:
    """Turn a current result folder back into what xir-bench 0.2 wrote."""
    meta = json.loads((folder / "model_meta.json").read_text())
    old_meta = {"framework": ["xir-bench"], "name": meta["name"], "revision": meta["revision"], **meta["xir_bench"]}
    (folder / "model_meta.json").write_text(json.dumps(old_meta))
    table = folder / "XQuADR.per_query.parquet"
    pd.read_parquet(table).rename(columns={"same_language_share": "same_language_first"}).to_parquet(table)
    result = json.loads((folder / "XQuADR.json").read_text())
    del result["per_query_sha256"]  # 0.1 files had none; a 0.2 file's matched its own table
    (folder / "XQuADR.json").write_text(json.dumps(result))


def test_results_of_the_previous_format_load_and_migrate(bm25_run: Path, tmp_path: Path) -> None:
    folder = next(bm25_run.glob("bm25/*"))
    before = read_result(folder, "XQuADR")
    assert before is not None
    old = tmp_path / "old" / "bm25" / folder.name
    shutil.copytree(folder, old)
    _make_old(old)
    loaded = read_result(old, "XQuADR")  # the old column is read under its current name
    assert loaded is not None and "same_language_share" in loaded.per_query
    pd.testing.assert_frame_equal(loaded.per_query, before.per_query)

    changed = migrate(tmp_path / "old")
    assert {p.name for p in changed} == {"model_meta.json", "XQuADR.per_query.parquet"}
    meta = json.loads((old / "model_meta.json").read_text())
    assert meta["framework"] == ["NumPy"] and meta["xir_bench"]["kind"] == "bm25"
    assert "same_language_share" in pd.read_parquet(old / "XQuADR.per_query.parquet").columns
    assert resolve_run(old).results["XQuADR"].per_query.equals(before.per_query)
    assert migrate(tmp_path / "old") == []  # already current


def test_a_result_mteb_cannot_read_is_refused_with_the_fix(bm25_run: Path) -> None:
    from xir_bench.errors import XirBenchError

    folder = next(bm25_run.glob("bm25/*"))
    path = folder / "XQuADR.json"
    data = json.loads(path.read_text())
    del data["dataset_revision"]
    path.write_text(json.dumps(data))
    with pytest.raises(XirBenchError, match=r"(?s)mteb cannot read it as a TaskResult.*fix: delete it"):
        read_result(folder, "XQuADR")


def test_mlqa_r_results_filed_under_test_move_to_dev(tmp_path: Path, run_cli) -> None:
    """MLQA-R is MLQA's dev set: results are filed under ``dev``; ones written under ``test`` are migrated,
    and a run that adds settings to such a result keeps its stored subsets."""
    from conftest import write_lareqa

    data = write_lareqa(tmp_path / "data", task_folder="mlqa-r", languages=("de", "en", "es"))
    output = tmp_path / "results"
    args = ["run", "--model", "bm25", "--task", "mlqa-r", "--data-dir", data, "--output", output, "--quiet"]
    run_cli(*args, "--languages", "de,en", "--settings", "mono")
    (path,) = output.glob("bm25/*/MLQAR.json")
    assert list(json.loads(path.read_text())["scores"]) == ["dev"]

    old = json.loads(path.read_text())
    old["scores"] = {"test": old["scores"]["dev"]}  # as written before the card named its split
    path.write_text(json.dumps(old))
    run_cli(*args, "--languages", "de,en", "--settings", "mono,cross")  # adds the cross subsets
    merged = json.loads(path.read_text())["scores"]
    assert list(merged) == ["dev"]
    assert {e["hf_subset"] for e in merged["dev"]} == {"deu-deu", "eng-eng", "deu-eng", "eng-deu"}

    current = json.loads(path.read_text())
    path.write_text(json.dumps({**current, "scores": {"test": current["scores"]["dev"]}}))
    assert migrate(output) == [path]
    assert json.loads(path.read_text()) == current
    assert read_result(path.parent, "MLQAR").split == "dev"
