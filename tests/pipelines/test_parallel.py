"""Resuming a parallel task: what is reused, what is merged, and what stops the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.realdata
@pytest.mark.slow
def test_another_language_set_neither_reuses_nor_replaces_stored_pools(
    shared_data: Path, tmp_path: Path, run_cli
) -> None:
    """A de,en result rerun with de,en,es into the same output said "new" and replaced eng-all / deu-all
    (with the release's data the data record is the same for any language set, so only the pool differs)."""
    output = tmp_path / "results"
    args = ["run", "--model", "bm25", "--task", "xquad-r", "--data-dir", shared_data, "--output", output, "--quiet"]
    run_cli(*args, "--languages", "de,en")
    (path,) = output.glob("bm25/*/XQuADR.json")
    before = path.read_bytes()

    refused = run_cli(*args, "--languages", "de,en,es", expect=2)
    assert "holds multilingual-pool results over deu,eng; this run's pool is deu,eng,spa" in refused.err
    assert "--overwrite" in refused.err and path.read_bytes() == before

    run_cli(*args, "--languages", "de,en,es", "--settings", "mono,cross")  # no pool involved: merged
    subsets = {e["hf_subset"] for e in json.loads(path.read_text())["scores"]["test"]}
    assert {"deu-all", "eng-all", "spa-spa", "spa-deu"} <= subsets

    run_cli(*args, "--languages", "de,en,es", "--overwrite")
    pools = [e for e in json.loads(path.read_text())["scores"]["test"] if e["hf_subset"].endswith("-all")]
    assert len(pools) == 3 and all(len(e["languages"]) == 3 for e in pools)
