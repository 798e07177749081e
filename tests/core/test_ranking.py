"""The bucketed rank computation equals each tie rule's definition, computed by sorting or counting."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from xir_bench.core.ranking import Pool, language_segments, rank_relevant


def _pool_order(scores: np.ndarray, relevant: np.ndarray, segments: tuple[tuple[int, int], ...]):
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


def _counted(scores: np.ndarray, relevant: np.ndarray, segments: tuple[tuple[int, int], ...], optimistic: bool):
    """reference: candidates scoring >= the relevant one; optimistic: > it, + relevant tied earlier, + 1."""
    whole = np.full(relevant.shape, np.inf)
    own = np.full(relevant.shape, np.inf)
    for q, row in enumerate(scores):
        rel = [c for c in relevant[q] if c >= 0]
        for k, cand in enumerate(relevant[q]):
            if cand < 0:
                continue
            a, b = next((a, b) for a, b in segments if a <= cand < b)
            for target, lo, hi in ((whole, 0, len(row)), (own, a, b)):
                part = row[lo:hi]
                if optimistic:
                    earlier = sum(1 for r in rel if lo <= r < hi and r < cand and row[r] == row[cand])
                    target[q, k] = (part > row[cand]).sum() + 1 + earlier
                else:
                    target[q, k] = (part >= row[cand]).sum()
    return whole, own


def _random_case(ties: bool, seed: int = 3):
    rng = np.random.default_rng(seed)
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
    return scores, relevant, segments


@pytest.mark.parametrize("rule", ["reference", "optimistic"])
@pytest.mark.parametrize("ties", [False, True])
def test_matches_counting_definition(rule: str, ties: bool) -> None:
    scores, relevant, segments = _random_case(ties)
    pool = Pool("all", np.arange(scores.shape[1]), segments, multilingual=True, segments_are_pools=True)
    tensor = torch.from_numpy(scores)
    for block in (1, 5, 64):
        got = rank_relevant(
            pool, relevant, lambda q: tensor[torch.from_numpy(q)], scores.shape[1], block, False, ties=rule
        )
        whole, own = _counted(scores, relevant, segments, optimistic=rule == "optimistic")
        np.testing.assert_array_equal(got.whole_pool, whole)
        np.testing.assert_array_equal(got.own_segment, own)


def test_rules_agree_without_ties() -> None:
    scores, relevant, segments = _random_case(ties=False)
    pool = Pool("all", np.arange(scores.shape[1]), segments, multilingual=True, segments_are_pools=True)
    tensor = torch.from_numpy(scores)
    ranks = [
        rank_relevant(pool, relevant, lambda q: tensor[torch.from_numpy(q)], scores.shape[1], 7, False, ties=rule)
        for rule in ("reference", "pool-order", "optimistic")
    ]
    for other in ranks[1:]:
        np.testing.assert_array_equal(other.whole_pool, ranks[0].whole_pool)


def test_unknown_tie_rule_is_refused() -> None:
    scores, relevant, segments = _random_case(ties=False)
    pool = Pool("all", np.arange(scores.shape[1]), segments, multilingual=True, segments_are_pools=True)
    with pytest.raises(ValueError, match="ties must be one of"):
        rank_relevant(pool, relevant, lambda q: torch.zeros(1), scores.shape[1], ties="random")  # type: ignore[arg-type]


@pytest.mark.parametrize("ties", [False, True])
def test_pool_order_matches_stable_sort(ties: bool) -> None:
    scores, relevant, segments = _random_case(ties)
    n_candidates = scores.shape[1]
    pool = Pool("all", np.arange(n_candidates), segments, multilingual=True, segments_are_pools=True)
    tensor = torch.from_numpy(scores)
    got = rank_relevant(
        pool,
        relevant,
        lambda q: tensor[torch.from_numpy(q)],
        n_candidates,
        block_size=5,
        progress=False,
        ties="pool-order",
    )
    whole, own = _pool_order(scores, relevant, segments)
    np.testing.assert_array_equal(got.whole_pool, whole)
    np.testing.assert_array_equal(got.own_segment, own)


def test_language_segments() -> None:
    assert language_segments(np.array([0, 0, 1, 1, 1, 3])) == ((0, 2), (2, 5), (5, 6))
    assert language_segments(np.array([], dtype=int)) == ()


def test_ranks_from_scores_and_rounding_ties() -> None:
    from xir_bench.core.ranking import merge_rounding_ties, ranks_from_scores

    scores = np.array([0.5, 0.9, 0.5, 0.7, 0.5])
    assert ranks_from_scores(scores, np.array([0, 2]), "reference").tolist() == [5, 5]
    assert ranks_from_scores(scores, np.array([0, 2]), "pool-order").tolist() == [3, 4]
    assert ranks_from_scores(scores, np.array([2, 0]), "optimistic").tolist() == [4, 3]
    noisy = np.array([0.3, 0.30000001, 0.9, 0.29999999, 0.1])
    merged = merge_rounding_ties(noisy, 1e-7)
    assert merged.tolist() == [0.30000001, 0.30000001, 0.9, 0.30000001, 0.1]
    assert merge_rounding_ties(noisy[::-1], 1e-7).tolist() == merged[::-1].tolist()
