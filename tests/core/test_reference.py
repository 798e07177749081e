"""The random ranker's exact expectations against a seeded simulation of random rankings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from xir_bench.core.expectations import expected_rank_distance
from xir_bench.core.metrics import Judged, per_query_scores, rank_distance
from xir_bench.core.reference import expected_metrics


@pytest.mark.parametrize(("n", "r"), [(1, 1), (2, 1), (7, 1), (30, 3), (55, 11), (200, 4)])
def test_closed_forms_match_simulation(n: int, r: int) -> None:
    rng = np.random.default_rng(n * 100 + r)
    draws = 40_000
    # each row: the first r of a uniform random order of ranks 1..n, i.e. r distinct ranks drawn uniformly
    ranks = rng.permuted(np.tile(np.arange(1.0, n + 1), (draws, 1)), axis=1)[:, :r]
    simulated = per_query_scores(Judged.binary(ranks), "parallel")
    expected = expected_metrics(n, r)
    for name, values in simulated.items():
        tolerance = 5 * values.std() / np.sqrt(draws) + 1e-12
        assert abs(values.mean() - expected[name]) <= tolerance, (name, values.mean(), expected[name])
    if r >= 2:
        spread = rank_distance(Judged.binary(ranks))
        assert abs(spread.mean() - expected_rank_distance(n, r)) <= 5 * spread.std() / np.sqrt(draws)


def test_random_rows_of_a_run(tiny_data: Path, tmp_path: Path) -> None:
    """``--model random`` writes expectations: 1/L same-language share, RD of 3 answers in 21 candidates."""
    import json

    from xir_bench.cli.main import main

    out = tmp_path / "out"
    args = ["run", "--model", "random", "--task", "xquad-r", "--languages", "de,en,es", "--data-dir", str(tiny_data)]
    assert main([*args, "--output", str(out), "--quiet"]) == 0
    (path,) = out.rglob("XQuADR.json")
    scores = {e["hf_subset"]: e for e in json.loads(path.read_text())["scores"]["test"]}
    assert scores["eng-all"]["same_language_share"] == pytest.approx(1 / 3)
    assert scores["eng-all"]["rank_distance"] == pytest.approx(expected_rank_distance(21, 3))
    assert scores["eng-eng"]["recall_at_1"] == pytest.approx(1 / 7)
