"""The bucketed rank computation equals a plain stable sort of the pool, ties included."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from xir_bench.ranking import Pool, language_segments, rank_relevant


def _reference(scores: np.ndarray, relevant: np.ndarray, segments: tuple[tuple[int, int], ...]):
    """Ranks by sorting each row (score descending, then position): the definition."""
    whole = np.full(relevant.shape, np.inf)
    own = np.full(relevant.shape, np.inf)
    for q, row in enumerate(scores):
        order = sorted(range(len(row)), key=lambda c: (-row[c], c))
        rank_of = {c: r + 1 for r, c in enumerate(order)}
        for k, cand in enumerate(relevant[q]):
            if cand < 0:
                continue
            whole[q, k] = rank_of[cand]
            a, b = next((a, b) for a, b in segments if a <= cand < b)
            seg_order = sorted(range(a, b), key=lambda c: (-row[c], c))
            own[q, k] = seg_order.index(cand) + 1
    return whole, own


@pytest.mark.parametrize("ties", [False, True])
def test_matches_stable_sort(ties: bool) -> None:
    rng = np.random.default_rng(3)
    n_queries, n_candidates = 23, 61
    langs = np.sort(rng.integers(0, 4, n_candidates))
    segments = language_segments(langs)
    scores = rng.standard_normal((n_queries, n_candidates)).astype(np.float32)
    if ties:  # coarse scores: many exact ties, also between relevant candidates
        scores = np.round(scores * 2) / 2
    relevant = np.full((n_queries, 5), -1)
    for q in range(n_queries):
        k = rng.integers(1, 6)
        relevant[q, :k] = rng.choice(n_candidates, size=k, replace=False)
    pool = Pool("all", np.arange(n_candidates), segments, multilingual=True, segments_are_pools=True)
    tensor = torch.from_numpy(scores)
    got = rank_relevant(
        pool, relevant, lambda q: tensor[torch.from_numpy(q)], n_candidates, block_size=5, progress=False
    )
    whole, own = _reference(scores, relevant, segments)
    np.testing.assert_array_equal(got.whole_pool, whole)
    np.testing.assert_array_equal(got.own_segment, own)


def test_language_segments() -> None:
    assert language_segments(np.array([0, 0, 1, 1, 1, 3])) == ((0, 2), (2, 5), (5, 6))
    assert language_segments(np.array([], dtype=int)) == ()
