"""Top-k search over a :class:`~xir_bench.corpus_store.CorpusStore`, exact or with faiss.

Exact search walks the store chunk by chunk (memory-mapped) and keeps a running top-k
per query, so memory is bounded by ``query block x chunk size``, not by the corpus.
Approximate search builds a faiss index from a factory string (``HNSW32``,
``IVF4096,Flat``, ``IVF4096,PQ32`` ...), adding chunk by chunk; vectors are normalised
for cosine models, and the index is saved beside the chunks for reuse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from xir_bench.atomic import atomic_open
from xir_bench.corpus_store import CorpusStore
from xir_bench.errors import XirBenchError


@dataclass(frozen=True)
class Hits:
    """Top-k docids and scores per query (queries x k), best first."""

    ids: list[list[str]]
    scores: np.ndarray


def _prepare(vectors: np.ndarray, cosine: bool) -> torch.Tensor:
    tensor = torch.from_numpy(np.array(vectors, dtype=np.float32))  # a copy: chunks are read-only memmaps
    return torch.nn.functional.normalize(tensor, dim=1) if cosine else tensor


def _resolve(store: CorpusStore, rows: np.ndarray, offsets: list[int]) -> list[list[str]]:
    """Docids of global row numbers, reading only the id lists of the chunks that hold them."""
    chunk_of = np.searchsorted(np.asarray(offsets), rows, side="right") - 1
    out = np.empty(rows.shape, dtype=object)
    for chunk in np.unique(chunk_of[rows >= 0]):
        ids, _ = store.chunk(int(chunk))
        mask = (chunk_of == chunk) & (rows >= 0)
        out[mask] = [ids[r - offsets[chunk]] for r in rows[mask]]
    return [[d for d in row if d is not None] for row in out.tolist()]


def exact_search(
    queries: np.ndarray, store: CorpusStore, k: int = 100, cosine: bool = True, progress: bool = True
) -> Hits:
    """Exact top-``k`` by streaming the chunks (a top-k per chunk, merged)."""
    query_tensor = _prepare(queries, cosine)
    best_scores = torch.full((len(queries), 0), -torch.inf)
    best_rows = torch.zeros((len(queries), 0), dtype=torch.int64)
    offsets = [0]
    for ids, vectors in tqdm(store.iter_chunks(), desc="search (exact)", unit="chunk", disable=not progress):
        scores = query_tensor @ _prepare(np.asarray(vectors), cosine).T
        scores, local = torch.topk(scores, min(k, scores.shape[1]), dim=1)
        rows = local + offsets[-1]
        offsets.append(offsets[-1] + len(ids))
        merged_scores = torch.cat([best_scores, scores], dim=1)
        merged_rows = torch.cat([best_rows, rows], dim=1)
        take = min(k, merged_scores.shape[1])
        # stable: among equal scores the earlier chunk stays first
        order = torch.sort(merged_scores, dim=1, descending=True, stable=True).indices[:, :take]
        best_scores = torch.gather(merged_scores, 1, order)
        best_rows = torch.gather(merged_rows, 1, order)
    return Hits(_resolve(store, best_rows.numpy(), offsets), best_scores.numpy())


def build_faiss_index(store: CorpusStore, factory: str = "HNSW32", cosine: bool = True, train_size: int = 100_000):
    """A faiss index over the store, built chunk by chunk (IVF/PQ trained on the first rows)."""
    import faiss

    index = None
    training: list[np.ndarray] = []
    pending: list[np.ndarray] = []
    for _, vectors in store.iter_chunks():
        block = np.ascontiguousarray(vectors, dtype=np.float32)
        if cosine:
            block = block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
        if index is None:
            metric = faiss.METRIC_INNER_PRODUCT
            index = faiss.index_factory(block.shape[1], factory, metric)
        if not index.is_trained:
            training.append(block)
            pending.append(block)
            if sum(len(t) for t in training) >= train_size:
                index.train(np.concatenate(training)[:train_size])
                training.clear()
                for held in pending:
                    index.add(held)
                pending.clear()
            continue
        index.add(block)
    if index is None:
        raise XirBenchError(f"{store.folder}: empty store, nothing to index")
    if not index.is_trained:
        index.train(np.concatenate(training))
        for held in pending:
            index.add(held)
    return index


def faiss_search(
    queries: np.ndarray,
    store: CorpusStore,
    k: int = 100,
    factory: str = "HNSW32",
    cosine: bool = True,
    ef_search: int = 256,
    nprobe: int = 32,
) -> Hits:
    """Approximate top-``k`` with a faiss index (built once, then loaded from the store)."""
    import faiss

    path = store.folder / f"faiss-{factory.replace(',', '_')}.index"
    if path.exists():
        index = faiss.read_index(str(path))
    else:
        index = build_faiss_index(store, factory, cosine)
        with atomic_open(path, "wb", encoding=None) as handle:
            handle.write(faiss.serialize_index(index).tobytes())
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = max(ef_search, k)
    ivf = faiss.try_extract_index_ivf(index) if "IVF" in factory else None
    if ivf is not None:
        ivf.nprobe = nprobe
    block = np.ascontiguousarray(queries, dtype=np.float32)
    if cosine:
        block = block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
    scores, rows = index.search(block, k)
    offsets = [0]
    for index_of_chunk in sorted(store.done()):
        offsets.append(offsets[-1] + len(store.chunk(index_of_chunk)[0]))
    return Hits(_resolve(store, rows, offsets), scores)
