"""Exact full-pool ranks of the relevant candidates, computed blockwise.

No ranked list is ever built. For a block of queries the scores against the pool
(block x pool) are bucketed by the query's own relevant scores: with the R relevant scores
of a query sorted, one ``searchsorted`` of every pool score into them, and one
``bincount`` per (query, language segment, bucket), give for every relevant candidate how
many candidates of each language score above it. Summed over segments that is its rank in
the multilingual pool; its own segment gives its rank in its language's pool. So one
matrix product per block serves every mono, cross and multi setting, at O(pool x log R)
per query instead of the O(pool x log pool) of sorting.

Ties are broken by pool position (the candidate listed first ranks first, as a stable
sort would), so ranks are deterministic and distinct. Each threshold is paired with the
next float above it, so a score equal to a relevant score lands in a bucket of its own;
rows with such ties (rare for embeddings, common for BM25) are recounted exactly.
Memory is bounded by the block size: a few (block x pool) matrices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

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


def count_ahead_exact(
    scores: torch.Tensor, rel_scores: torch.Tensor, rel_pos: torch.Tensor, segments: tuple[tuple[int, int], ...]
) -> torch.Tensor:
    """Candidates ranked ahead of each relevant one, per segment (block x R x segments).

    The reference definition, by direct comparison: a candidate is ahead if it scores
    higher, or equal and sits earlier in the pool. O(block x R x pool) memory and time.
    """
    out = torch.zeros((*rel_scores.shape, len(segments)), dtype=torch.int64)
    threshold = rel_scores.unsqueeze(2)
    for s, (a, b) in enumerate(segments):
        segment = scores[:, a:b].unsqueeze(1)
        earlier = torch.arange(a, b).view(1, 1, -1) < rel_pos.unsqueeze(2)
        out[:, :, s] = ((segment > threshold) | ((segment == threshold) & earlier)).sum(dim=2)
    return out


def _count_ahead_bucketed(
    scores: torch.Tensor,
    rel_scores: torch.Tensor,
    valid: torch.Tensor,
    segment_offsets: torch.Tensor,
    n_segments: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(strictly greater, equal) counts per relevant and segment, both block x R x segments."""
    block, width = rel_scores.shape
    inf = torch.tensor(float("inf"))
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


def rank_relevant(
    pool: Pool,
    relevant: np.ndarray,
    score_fn: ScoreFn,
    n_candidates: int,
    block_size: int = 512,
    progress: bool = True,
) -> PoolRanks:
    """Ranks of ``relevant`` (queries x R candidate ids, -1 padded) in ``pool``.

    ``score_fn(query_indices)`` returns the (block x pool size) float32 score matrix.
    """
    position_of = np.full(n_candidates + 1, -1, dtype=np.int64)  # last slot maps the -1 padding
    position_of[pool.candidates] = np.arange(len(pool.candidates))
    rel_pos_all = torch.from_numpy(position_of[relevant])
    n_queries, width = relevant.shape
    n_segments = len(pool.segments)
    segment_of = torch.zeros(len(pool.candidates), dtype=torch.int64)
    for s, (a, b) in enumerate(pool.segments):
        segment_of[a:b] = s
    segment_offsets = segment_of.to(torch.int32).unsqueeze(0)
    whole = torch.full((n_queries, width), float("inf"), dtype=torch.float64)
    own = whole.clone()
    starts = range(0, n_queries, block_size)
    for start in tqdm(starts, desc=f"rank pool {pool.name}", unit="block", disable=not progress, leave=False):
        stop = min(start + block_size, n_queries)
        scores = score_fn(np.arange(start, stop))
        rel_pos = rel_pos_all[start:stop]
        valid = rel_pos >= 0
        rel_scores = scores.gather(1, rel_pos.clamp(min=0))
        greater, equal = _count_ahead_bucketed(scores, rel_scores, valid, segment_offsets, n_segments)
        own_segment = segment_of[rel_pos.clamp(min=0)]
        self_tie = torch.nn.functional.one_hot(own_segment, n_segments) * valid.unsqueeze(2)
        ahead = greater
        # Ties beyond a candidate with itself (or two equal relevant scores) need the position tie-break.
        valid_scores = torch.where(valid, rel_scores, torch.nan)
        duplicated = (valid_scores.unsqueeze(1) == valid_scores.unsqueeze(2)).sum(dim=(1, 2)) > valid.sum(dim=1)
        tied = ((equal - self_tie) > 0).any(dim=(1, 2)) | duplicated
        rows = torch.nonzero(tied & valid.any(dim=1)).flatten()
        if rows.numel():
            ahead = ahead.clone()
            ahead[rows] = count_ahead_exact(scores[rows], rel_scores[rows], rel_pos[rows], pool.segments)
        total = ahead.sum(dim=2).to(torch.float64) + 1
        in_own = ahead.gather(2, own_segment.unsqueeze(2)).squeeze(2).to(torch.float64) + 1
        whole[start:stop] = torch.where(valid, total, float("inf"))
        own[start:stop] = torch.where(valid, in_own, float("inf"))
    return PoolRanks(whole_pool=whole.numpy(), own_segment=own.numpy())


def language_segments(candidate_langs: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Contiguous (start, end) runs of equal language in a language-ordered candidate list."""
    if len(candidate_langs) == 0:
        return ()
    change = np.flatnonzero(np.diff(candidate_langs)) + 1
    bounds = [0, *change.tolist(), len(candidate_langs)]
    return tuple((bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1))
