"""Clustered sign-flip tests and unit-level t intervals, checked against scipy's slow references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from xir_bench.board.significance import paired_randomization_test, unit_interval, unit_sums


def _scipy_exact_p(sums: np.ndarray, rows: float) -> float:
    """scipy's permutation_test enumerating every sign vector of the unit sums (two-sided)."""
    return stats.permutation_test(
        (sums,),
        lambda x, axis=-1: np.sum(x, axis=axis) / rows,
        permutation_type="samples",
        vectorized=True,
        n_resamples=np.inf,
    ).pvalue


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_clustered_exact_test_equals_scipy_on_unit_sums(seed: int) -> None:
    """12 rows in 5 units of unequal size: the units' signs flip together."""
    rng = np.random.default_rng(seed)
    a, b = rng.random(12), rng.random(12)
    units = np.array(["p1", "p1", "p2", "p3", "p3", "p3", "p4", "p4", "p5", "p5", "p5", "p5"])
    ours = paired_randomization_test(a, b, units=units)
    sums, counts = unit_sums(a, b, units)
    assert ours.n == 5 and ours.resamples == 0
    assert ours.mean_difference == pytest.approx(np.mean(a - b))
    assert ours.p_value == pytest.approx(_scipy_exact_p(sums, counts.sum()), abs=1e-12)


def test_clustering_is_not_the_same_as_pairing_rows() -> None:
    """Rows of one unit share its shift: pairing rows overstates the evidence."""
    rng = np.random.default_rng(0)
    shift = np.repeat(rng.normal(0.05, 0.2, 6), 40)  # 6 paragraphs, 40 rows each
    a = shift + rng.normal(0, 0.01, 240)
    units = np.repeat(np.arange(6), 40)
    assert paired_randomization_test(a, np.zeros(240)).p_value < 1e-3
    assert paired_randomization_test(a, np.zeros(240), units=units).p_value > 0.05


@pytest.mark.slow
def test_adaptive_p_is_an_estimate_not_the_floor() -> None:
    """20 units (2**20 sign vectors: scipy enumerates them) with an exact p near 1e-4: a fixed
    2000 flips would print the floor 5e-4; adaptive draws land near the exact value."""
    rng = np.random.default_rng(11)
    sums = rng.normal(0.0, 1.0, 20) + 0.95
    exact = _scipy_exact_p(sums, 20.0)
    assert 2e-5 < exact < 4e-4
    ours = paired_randomization_test(sums, np.zeros(20), seed=1)
    assert ours.resamples > 2000 and not ours.at_floor
    assert ours.p_value == pytest.approx(exact, rel=0.5)
    fixed = paired_randomization_test(sums, np.zeros(20), n_resamples=2000, seed=1)
    assert fixed.p_value >= 1 / 2001


def test_a_p_at_its_floor_is_printed_as_a_bound() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(1.0, 0.1, 1000)
    test = paired_randomization_test(a, np.zeros(1000))
    assert test.at_floor and test.extreme == 0
    assert test.p_value == pytest.approx(1 / (test.resamples + 1))
    assert test.p_text() == f"< {1 / (test.resamples + 1):.1g}"
    assert test.resamples >= 250_000  # the floor is far below the old 1/2001


def test_unit_interval_is_wider_than_row_interval_when_units_share_their_shift() -> None:
    rng = np.random.default_rng(4)
    units = np.repeat(np.arange(30), 20)
    a = np.repeat(rng.normal(0.1, 0.1, 30), 20) + rng.normal(0, 0.01, 600)
    by_row = unit_interval(a, np.zeros(600))
    by_unit = unit_interval(a, np.zeros(600), units)
    assert by_unit[0] < np.mean(a) < by_unit[1]
    assert (by_unit[1] - by_unit[0]) > 3 * (by_row[1] - by_row[0])


def test_one_unit_has_no_interval() -> None:
    low, high = unit_interval(np.ones(5), np.zeros(5), np.zeros(5))
    assert np.isnan(low) and np.isnan(high)
    assert paired_randomization_test(np.ones(5), np.zeros(5), units=np.zeros(5)).p_value == 1.0


def test_without_clusters_the_interval_is_the_one_sample_t_interval() -> None:
    rng = np.random.default_rng(6)
    a, b = rng.random(40), rng.random(40)
    reference = stats.ttest_1samp(a - b, 0.0).confidence_interval(0.95)
    assert unit_interval(a, b) == pytest.approx((reference.low, reference.high), rel=1e-12)


def test_three_units_give_an_interval_as_wide_as_their_exact_test() -> None:
    """Three articles, all better: the exact test cannot go below p = 0.25, and the interval
    (t with 2 degrees of freedom) does not exclude 0 either."""
    rng = np.random.default_rng(7)
    units = np.repeat(["a1", "a2", "a3"], 20)
    a = np.repeat([0.02, 0.09, 0.04], 20) + rng.normal(0, 0.01, 60)
    assert paired_randomization_test(a, np.zeros(60), units=units).p_value == 0.25
    low, high = unit_interval(a, np.zeros(60), units)
    assert low < 0 < high
