"""Scorers turn a block of queries into scores against a pool.

A dense scorer scores every candidate once, in one multilingual pool whose language
segments double as the per-language pools (embedding scores do not depend on the pool).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import torch

from xir_bench.collection import ParallelCollection
from xir_bench.ranking import Pool, language_segments


class Scorer(Protocol):
    """Pools to rank in, and the score matrix of a block of queries against one of them."""

    def pools(self) -> list[Pool]: ...

    def score(self, queries: np.ndarray, pool: Pool) -> torch.Tensor: ...


class DenseScorer:
    """Dot-product (or cosine) scores of precomputed query and candidate embeddings."""

    def __init__(
        self,
        collection: ParallelCollection,
        query_embeddings: np.ndarray,
        candidate_embeddings: np.ndarray,
        similarity: str = "cosine",
    ) -> None:
        queries = torch.from_numpy(np.ascontiguousarray(query_embeddings, dtype=np.float32))
        candidates = torch.from_numpy(np.ascontiguousarray(candidate_embeddings, dtype=np.float32))
        if similarity == "cosine":
            queries = torch.nn.functional.normalize(queries, dim=1)
            candidates = torch.nn.functional.normalize(candidates, dim=1)
        self.queries = queries
        self.candidates_t = candidates.T.contiguous()
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
        return block @ self.candidates_t
