"""Recipe against recipe across seeds, on synthetic cases whose truth is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from xir_bench.board.seeds import recipe_difference
from xir_bench.board.significance import paired_randomization_test

QUESTIONS = pd.Index([f"q{i}" for i in range(400)])


def _recipe(rng: np.random.Generator, base: np.ndarray, shift: float, offsets: list[float]) -> dict:
    """Per-question values of one recipe's checkpoints: seed ``s`` shifted by ``offsets[s]``."""
    return {
        s: pd.Series(base + shift + o + rng.normal(0, 0.05, len(base)), index=QUESTIONS) for s, o in enumerate(offsets)
    }


def test_a_seed_dominated_difference_is_not_a_recipe_difference() -> None:
    """No true difference between the recipes; their seeds scatter by ±0.03. Seed 0 against
    seed 0 looks decisive to a per-question test; across seeds it is not shown."""
    rng = np.random.default_rng(0)
    base = rng.random(400)
    a = _recipe(rng, base, 0.0, [+0.03, -0.02, -0.01])
    b = _recipe(rng, base, 0.0, [-0.03, +0.02, +0.01])
    assert paired_randomization_test(a[0].to_numpy(), b[0].to_numpy()).p_value < 1e-3
    difference = recipe_difference(a, b)
    assert difference.low < 0 < difference.high and difference.p_value > 0.05
    assert difference.verdict(higher_is_claimed=True) == "not shown"
    assert difference.dof < 10  # judged on the seeds' few degrees of freedom


@pytest.mark.parametrize(("shift", "verdict"), [(0.05, "holds"), (-0.05, "opposite")])
def test_a_consistent_difference_holds_or_contradicts(shift: float, verdict: str) -> None:
    rng = np.random.default_rng(1)
    base = rng.random(400)
    a = _recipe(rng, base, shift, [0.004, -0.003, 0.001])
    b = _recipe(rng, base, 0.0, [-0.002, 0.003, 0.0])
    difference = recipe_difference(a, b)
    assert difference.delta == pytest.approx(shift, abs=0.01)
    assert difference.verdict(higher_is_claimed=True) == verdict


def test_one_checkpoint_each_is_a_paired_t_test_on_questions() -> None:
    rng = np.random.default_rng(2)
    a = {0: pd.Series(rng.random(400), index=QUESTIONS)}
    b = {0: pd.Series(a[0].to_numpy() + rng.normal(0.01, 0.1, 400), index=QUESTIONS)}
    difference = recipe_difference(a, b)
    reference = stats.ttest_rel(a[0], b[0])
    assert difference.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert difference.dof == pytest.approx(399)


@pytest.mark.slow
def test_false_rejections_are_near_the_nominal_rate() -> None:
    """300 true nulls with seed scatter and question effects: 95% intervals exclude 0 in ≈5%."""
    rng = np.random.default_rng(3)
    index = pd.Index(range(100))
    rejected = 0
    for _ in range(300):
        base = rng.random(100)
        a = {s: pd.Series(base + rng.normal(0, 0.02) + rng.normal(0, 0.1, 100), index=index) for s in range(3)}
        b = {s: pd.Series(base + rng.normal(0, 0.02) + rng.normal(0, 0.1, 100), index=index) for s in range(3)}
        difference = recipe_difference(a, b)
        rejected += difference.low > 0 or difference.high < 0
    assert 0.01 <= rejected / 300 <= 0.09
