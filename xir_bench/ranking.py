"""Exact full-pool ranks of the relevant candidates, computed blockwise.

The pool is never sorted as a whole list per query: for each block of queries the score
matrix (block x pool) is sorted once per language segment, and each relevant candidate's
rank is found by binary search (``torch.searchsorted``). This yields, from one pass over
one multilingual score matrix, both the rank in the multilingual pool (sum over segments)
and the rank in the pool of the candidate's own language (its own segment) - which is why
every mono, cross and multi setting costs one matrix product in all.

Ties are broken by pool position (the candidate listed first ranks first), the order a
stable sort gives, so ranks are deterministic and each relevant candidate gets its own.
Memory is bounded by the block size: a few (block x pool) float32 matrices.
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


def _count_ahead(
    scores: torch.Tensor, rel_scores: torch.Tensor, rel_pos: torch.Tensor, start: int, end: int
) -> torch.Tensor:
    """Candidates in pool positions [start, end) ranked ahead of each relevant candidate."""
    segment = scores[:, start:end]
    ordered = torch.sort(segment, dim=1).values
    n = end - start
    greater = n - torch.searchsorted(ordered, rel_scores, right=True)
    ties = torch.searchsorted(ordered, rel_scores, right=True) - torch.searchsorted(ordered, rel_scores, right=False)
    inside = (rel_pos >= start) & (rel_pos < end)
    # A relevant candidate ties with itself; only further ties need the position tie-break.
    extra = torch.where(rel_pos >= 0, ties - inside.to(ties.dtype), 0)
    ahead = greater
    rows = torch.nonzero((extra > 0).any(dim=1)).flatten()
    if rows.numel():
        sub = segment[rows]
        positions = torch.arange(start, end)
        equal = sub.unsqueeze(1) == rel_scores[rows].unsqueeze(2)
        earlier = positions.view(1, 1, -1) < rel_pos[rows].unsqueeze(2)
        ahead = ahead.clone()
        ahead[rows] += (equal & earlier).sum(dim=2)
    return ahead


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
    rel_pos_all = position_of[relevant]
    n_queries, width = relevant.shape
    whole = np.full((n_queries, width), np.inf)
    own = np.full((n_queries, width), np.inf)
    seg_of_pos = np.empty(len(pool.candidates), dtype=np.int64)
    for s, (a, b) in enumerate(pool.segments):
        seg_of_pos[a:b] = s
    starts = range(0, n_queries, block_size)
    for start in tqdm(starts, desc=f"rank pool {pool.name}", unit="block", disable=not progress, leave=False):
        queries = np.arange(start, min(start + block_size, n_queries))
        scores = score_fn(queries)
        rel_pos = torch.from_numpy(rel_pos_all[queries])
        valid = rel_pos >= 0
        rel_scores = scores.gather(1, rel_pos.clamp(min=0))
        per_segment = torch.stack(
            [_count_ahead(scores, rel_scores, rel_pos, a, b) for a, b in pool.segments], dim=2
        )  # block x R x segments
        total = per_segment.sum(dim=2) + 1
        seg_index = torch.from_numpy(seg_of_pos[rel_pos.clamp(min=0).numpy()])
        in_own = per_segment.gather(2, seg_index.unsqueeze(2)).squeeze(2) + 1
        whole[queries] = np.where(valid.numpy(), total.numpy(), np.inf)
        own[queries] = np.where(valid.numpy(), in_own.numpy(), np.inf)
    return PoolRanks(whole_pool=whole, own_segment=own)


def language_segments(candidate_langs: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Contiguous (start, end) runs of equal language in a language-ordered candidate list."""
    if len(candidate_langs) == 0:
        return ()
    change = np.flatnonzero(np.diff(candidate_langs)) + 1
    bounds = [0, *change.tolist(), len(candidate_langs)]
    return tuple((bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1))
