"""Exact full-pool ranks of the relevant candidates, computed blockwise.

No ranked list is ever built. For a block of queries the scores against the pool
(block x pool) are bucketed by the query's own relevant scores: with the R relevant scores
of a query sorted, one ``searchsorted`` of every pool score into them, and one
``bincount`` per (query, language segment, bucket), give for every relevant candidate how
many candidates of each language score above it and how many score exactly the same.
Summed over segments that is its rank in the multilingual pool; its own segment gives its
rank in its language's pool. So one matrix product per block serves every mono, cross and
multi setting, at O(pool x log R) per query instead of the O(pool x log pool) of sorting.

Ties (candidates with equal scores) are resolved by a :data:`TieRule`:

- ``reference`` (default): a block of tied candidates counts at the position of its last
  member, so a relevant candidate's rank is the number of candidates scoring at least as
  high. This is what LAReQA's reference evaluation computes (scikit-learn's
  ``average_precision_score`` over the whole pool, google-research/xtreme
  ``third_party/utils_lareqa.py`` before it switched to mAP@20); relevant candidates tied
  with each other share one rank.
- ``pool-order``: the candidate listed first in the pool ranks first (a stable sort); rows
  with ties are recounted exactly, by direct comparison.
- ``optimistic``: relevant candidates rank first within their tie block (an upper bound).

Ranks only mean something if equal inputs give equal scores, whatever the block size:
:class:`xir_bench.core.scorers.DenseScorer` computes its scores exactly (see there), so ties
are real ties and no block shape can reorder candidates. Memory is bounded by the block
size: a few (block x pool) matrices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from xir_bench.core.collection import DEFAULT_TIES, TIE_RULES, TieRule

ScoreFn = Callable[[np.ndarray], torch.Tensor]


@dataclass(frozen=True)
class Pool:
    """A set of candidates scored together, laid out as contiguous language segments.

    ``multilingual``: ranks over the whole pool are multilingual-pool ranks.
    ``segments_are_pools``: the rank within a language segment equals the rank in that
    language's own pool (true for embeddings, whose scores do not depend on the pool;
    false for BM25, whose IDF does).
    """

    name: str
    candidates: np.ndarray
    segments: tuple[tuple[int, int], ...]
    multilingual: bool
    segments_are_pools: bool


@dataclass(frozen=True)
class PoolRanks:
    """1-based ranks of each query's relevant candidates (inf where not in the pool)."""

    whole_pool: np.ndarray
    own_segment: np.ndarray


def count_directly(
    scores: torch.Tensor, rel_scores: torch.Tensor, rel_pos: torch.Tensor, segments: tuple[tuple[int, int], ...]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(greater, equal, equal and earlier in the pool) counts per relevant and segment, by direct comparison.

    The definitions the bucketed pass reproduces, for the rows it cannot serve (relevant
    scores tied with each other; the pool-order rule's tie-break). O(block x R x pool).
    """
    shape = (*rel_scores.shape, len(segments))
    greater, equal, equal_earlier = (torch.zeros(shape, dtype=torch.int64) for _ in range(3))
    threshold = rel_scores.unsqueeze(2)
    for s, (a, b) in enumerate(segments):
        segment = scores[:, a:b].unsqueeze(1)
        tied = segment == threshold
        greater[:, :, s] = (segment > threshold).sum(dim=2)
        equal[:, :, s] = tied.sum(dim=2)
        equal_earlier[:, :, s] = (tied & (torch.arange(a, b).view(1, 1, -1) < rel_pos.unsqueeze(2))).sum(dim=2)
    return greater, equal, equal_earlier


def _count_ahead_bucketed(
    scores: torch.Tensor,
    rel_scores: torch.Tensor,
    valid: torch.Tensor,
    segment_offsets: torch.Tensor,
    n_segments: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(strictly greater, equal) counts per relevant and segment, both block x R x segments."""
    block, width = rel_scores.shape
    inf = torch.tensor(float("inf"), dtype=scores.dtype)
    thresholds, order = torch.sort(torch.where(valid, rel_scores, inf), dim=1)
    edges = torch.stack([thresholds, torch.nextafter(thresholds, inf)], dim=2).reshape(block, 2 * width)
    n_buckets = 2 * width + 1
    # bucket = number of edges <= score: odd buckets hold scores equal to a threshold.
    buckets = torch.searchsorted(edges, scores, right=True, out_int32=True)
    rows = torch.arange(block, dtype=torch.int32).unsqueeze(1) * (n_segments * n_buckets)
    buckets += segment_offsets * n_buckets + rows
    histogram = torch.bincount(buckets.flatten(), minlength=block * n_segments * n_buckets)
    histogram = histogram.view(block, n_segments, n_buckets)
    at_or_above = histogram.flip(-1).cumsum(-1).flip(-1)
    greater_sorted = at_or_above[..., 2::2]  # bucket >= 2k + 2: above threshold k
    equal_sorted = histogram[..., 1::2]  # bucket == 2k + 1: equal to threshold k
    unsort = torch.argsort(order, dim=1).unsqueeze(1).expand(block, n_segments, width)
    greater = greater_sorted.gather(2, unsort).transpose(1, 2)
    equal = equal_sorted.gather(2, unsort).transpose(1, 2)
    return greater, equal


def _relevant_tied_earlier(rel_scores: torch.Tensor, rel_pos: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """[q, j, k]: relevant k has relevant j's score and sits earlier in the pool."""
    same = rel_scores.unsqueeze(2) == rel_scores.unsqueeze(1)
    earlier = rel_pos.unsqueeze(1) < rel_pos.unsqueeze(2)
    return same & earlier & valid.unsqueeze(1)


def _ranks_of_block(
    scores: torch.Tensor,
    rel_pos: torch.Tensor,
    segment_of: torch.Tensor,
    segment_offsets: torch.Tensor,
    segments: tuple[tuple[int, int], ...],
    ties: TieRule,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(whole-pool rank, own-segment rank) of every relevant cell of one block of queries."""
    n_segments = len(segments)
    valid = rel_pos >= 0
    rel_scores = scores.gather(1, rel_pos.clamp(min=0))
    greater, equal = _count_ahead_bucketed(scores, rel_scores, valid, segment_offsets, n_segments)
    valid_scores = torch.where(valid, rel_scores, torch.nan)
    duplicated = (valid_scores.unsqueeze(1) == valid_scores.unsqueeze(2)).sum(dim=(1, 2)) > valid.sum(dim=1)
    rows = torch.nonzero(duplicated).flatten()
    if rows.numel():  # equal relevant scores: the bucket edges would not be sorted
        greater, equal = greater.clone(), equal.clone()
        greater[rows], equal[rows], _ = count_directly(scores[rows], rel_scores[rows], rel_pos[rows], segments)
    own_segment = segment_of[rel_pos.clamp(min=0)]
    own = own_segment.unsqueeze(2)
    if ties == "reference":  # candidates at or above the relevant score, itself included
        at_or_above = greater + equal
        return at_or_above.sum(dim=2), at_or_above.gather(2, own).squeeze(2)
    if ties == "optimistic":  # relevant first in their tie block, in pool order among themselves
        tied_earlier = _relevant_tied_earlier(rel_scores, rel_pos, valid)
        same_segment = own_segment.unsqueeze(2) == own_segment.unsqueeze(1)
        whole = greater.sum(dim=2) + 1 + tied_earlier.sum(dim=2)
        in_own = greater.gather(2, own).squeeze(2) + 1 + (tied_earlier & same_segment).sum(dim=2)
        return whole, in_own
    # pool-order: ties beyond a candidate with itself need the position tie-break.
    self_tie = torch.nn.functional.one_hot(own_segment, n_segments) * valid.unsqueeze(2)
    ahead = greater
    tied = ((equal - self_tie) > 0).any(dim=(1, 2)) | duplicated
    rows = torch.nonzero(tied & valid.any(dim=1)).flatten()
    if rows.numel():
        ahead = ahead.clone()
        exact_greater, _, equal_earlier = count_directly(scores[rows], rel_scores[rows], rel_pos[rows], segments)
        ahead[rows] = exact_greater + equal_earlier
    return ahead.sum(dim=2) + 1, ahead.gather(2, own).squeeze(2) + 1


def rank_relevant(
    pool: Pool,
    relevant: np.ndarray,
    score_fn: ScoreFn,
    n_candidates: int,
    block_size: int = 512,
    progress: bool = True,
    ties: TieRule = DEFAULT_TIES,
) -> PoolRanks:
    """Ranks of ``relevant`` (queries x R candidate ids, -1 padded) in ``pool``.

    ``score_fn(query_indices)`` returns the (block x pool size) score matrix. The ranks do
    not depend on ``block_size`` as long as the scores of a query do not.
    """
    if ties not in TIE_RULES:
        raise ValueError(f"ties must be one of {', '.join(TIE_RULES)}, but got {ties!r}.")
    position_of = np.full(n_candidates + 1, -1, dtype=np.int64)  # last slot maps the -1 padding
    position_of[pool.candidates] = np.arange(len(pool.candidates))
    rel_pos_all = torch.from_numpy(position_of[relevant])
    n_queries, width = relevant.shape
    segment_of = torch.zeros(len(pool.candidates), dtype=torch.int64)
    for s, (a, b) in enumerate(pool.segments):
        segment_of[a:b] = s
    segment_offsets = segment_of.to(torch.int32).unsqueeze(0)
    whole = torch.full((n_queries, width), float("inf"), dtype=torch.float64)
    own = whole.clone()
    starts = range(0, n_queries, block_size)
    for start in tqdm(starts, desc=f"rank pool {pool.name}", unit="block", disable=not progress, leave=False):
        stop = min(start + block_size, n_queries)
        rel_pos = rel_pos_all[start:stop]
        valid = rel_pos >= 0
        if not valid.any():
            continue
        scores = score_fn(np.arange(start, stop))
        total, in_own = _ranks_of_block(scores, rel_pos, segment_of, segment_offsets, pool.segments, ties)
        whole[start:stop] = torch.where(valid, total.to(torch.float64), float("inf"))
        own[start:stop] = torch.where(valid, in_own.to(torch.float64), float("inf"))
    return PoolRanks(whole_pool=whole.numpy(), own_segment=own.numpy())


def ranks_from_scores(scores: np.ndarray, relevant: np.ndarray, ties: TieRule = DEFAULT_TIES) -> np.ndarray:
    """1-based ranks of the candidates at positions ``relevant`` in one query's pool, by direct comparison.

    The definition that :func:`rank_relevant` computes blockwise, for one query whose
    whole score vector is at hand (e.g. a plain search's results, in pool order).
    """
    if ties not in TIE_RULES:
        raise ValueError(f"ties must be one of {', '.join(TIE_RULES)}, but got {ties!r}.")
    relevant = np.asarray(relevant, dtype=np.int64)
    own = scores[relevant][:, None]
    if ties == "reference":
        return (scores[None, :] >= own).sum(axis=1)
    greater = (scores[None, :] > own).sum(axis=1)
    if ties == "optimistic":
        tied_earlier = (scores[relevant][None, :] == own) & (relevant[None, :] < relevant[:, None])
        return greater + 1 + tied_earlier.sum(axis=1)
    earlier = np.arange(len(scores))[None, :] < relevant[:, None]
    return greater + ((scores[None, :] == own) & earlier).sum(axis=1) + 1


def merge_rounding_ties(scores: np.ndarray, tolerance: float) -> np.ndarray:
    """Scores whose sorted neighbours lie within ``tolerance`` replaced by their group's highest.

    For score lists that come from a float32 search (MTEB's own), where two identical
    embeddings can score one rounding step apart: such scores are read as the tie they
    are. Groups chain (each member within ``tolerance`` of the next), so the result
    depends only on the set of scores, not on their order.
    """
    if len(scores) == 0:
        return scores
    order = np.argsort(-scores, kind="stable")
    ordered = scores[order]
    group = np.concatenate([[0], np.cumsum(-np.diff(ordered) > tolerance)])
    merged = np.empty_like(scores)
    merged[order] = ordered[np.searchsorted(group, group, side="left")]
    return merged


def language_segments(candidate_langs: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Contiguous (start, end) runs of equal language in a language-ordered candidate list."""
    if len(candidate_langs) == 0:
        return ()
    change = np.flatnonzero(np.diff(candidate_langs)) + 1
    bounds = [0, *change.tolist(), len(candidate_langs)]
    return tuple((bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1))
