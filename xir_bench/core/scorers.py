"""Scorers turn a block of queries into scores against a pool.

A dense scorer scores every candidate once, in one multilingual pool whose language
segments double as the per-language pools (embedding scores do not depend on the pool).

Its scores are exact, so they cannot depend on the block size, the batch size or the
order of the queries. A float32 matrix product rounds differently for different matrix
shapes, and identical embeddings then get scores one rounding step apart: ties turn into
arbitrary orders and the ranks change with ``--block-size``. Instead each vector is
scaled by a power of two so that its norm is at most 1 and rounded to the grid of
multiples of 2^-26 (an error below 1.5e-8 per component, under float32's own for unit
vectors' large components). Every product of two such components is a multiple of 2^-52
and every partial sum of a dot product is bounded by the norms (Cauchy-Schwarz), so all
of them are exact in float64: the matrix product gives the same bits in any order and
any shape, and two identical embeddings score identically. It costs a float64 product
(measured in ``bench/exact_scoring_cost.py``).
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import torch

from xir_bench.core.collection import ParallelCollection
from xir_bench.core.ranking import Pool, language_segments


class Scorer(Protocol):
    """Pools to rank in, and the score matrix of a block of queries against one of them."""

    def pools(self) -> list[Pool]: ...

    def score(self, queries: np.ndarray, pool: Pool) -> torch.Tensor: ...


GRID_BITS = 26


def exact_grid(vectors: np.ndarray) -> tuple[torch.Tensor, float]:
    """(``vectors`` on the 2^-26 grid with norms <= 1, the power of two they were divided by).

    Identical rows give identical outputs: every operation is elementwise except the
    maximum norm, which is one number for the whole matrix.
    """
    matrix = torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float64))
    largest = float(torch.linalg.vector_norm(matrix, dim=1).max()) if len(matrix) else 0.0
    scale = 2.0 ** math.ceil(math.log2(largest * (1 + 2.0**-20))) if largest > 0 else 1.0
    grid = 2.0**GRID_BITS
    return torch.round(matrix / scale * grid) / grid, scale


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit norm; identical rows stay bit-identical (each unique row is normalised once)."""
    unique, inverse = np.unique(np.asarray(vectors, dtype=np.float32), axis=0, return_inverse=True)
    norms = np.linalg.norm(unique.astype(np.float64), axis=1, keepdims=True)
    return (unique / np.where(norms > 0, norms, 1.0))[inverse.reshape(-1)]


class DenseScorer:
    """Exact dot-product (or cosine) scores of precomputed query and candidate embeddings (float64)."""

    def __init__(
        self,
        collection: ParallelCollection,
        query_embeddings: np.ndarray,
        candidate_embeddings: np.ndarray,
        similarity: str = "cosine",
    ) -> None:
        if similarity == "cosine":
            query_embeddings, candidate_embeddings = _unit_rows(query_embeddings), _unit_rows(candidate_embeddings)
        self.queries, query_scale = exact_grid(query_embeddings)
        candidates, candidate_scale = exact_grid(candidate_embeddings)
        self.candidates_t = candidates.T.contiguous()
        self.scale = query_scale * candidate_scale  # a power of two: multiplying back is exact
        self._pool = Pool(
            name="all",
            candidates=np.arange(collection.n_candidates),
            segments=language_segments(collection.candidate_langs),
            multilingual=True,
            segments_are_pools=True,
        )

    def pools(self) -> list[Pool]:
        return [self._pool]

    def score(self, queries: np.ndarray, pool: Pool) -> torch.Tensor:
        block = self.queries[torch.from_numpy(queries)]
        return (block @ self.candidates_t) * self.scale
