"""Top-k search over a :class:`~xir_bench.topk.store.CorpusStore`, exact or with faiss.

Exact search walks the store chunk by chunk (memory-mapped) and keeps a running top-k
per query, so memory is bounded by ``query block x chunk size``, not by the corpus.
Approximate search builds a faiss index from a factory string, adding chunk by chunk;
vectors are normalised for cosine models, and the index is saved beside the chunks for
reuse. IVF factories (``IVF4096,Flat``, ``IVF4096,PQ32`` ...) keep their inverted lists
on disk and memory-map them, so memory stays flat as the corpus grows; graph indexes
(``HNSW32``) live in memory.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from xir_bench.errors import XirBenchError
from xir_bench.storage.atomic import atomic_open, write_json
from xir_bench.storage.staging import staged_folder
from xir_bench.topk.store import CorpusStore

logger = logging.getLogger(__name__)


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
        scores = query_tensor @ _prepare(vectors, cosine).T
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


def _faiss_rows(vectors: np.ndarray, cosine: bool) -> np.ndarray:
    """A float32 copy faiss can take; unit length for cosine (faiss scores by inner product)."""
    block = np.array(vectors, dtype=np.float32)
    if cosine:
        block /= np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
    return block


def _normalised_chunks(store: CorpusStore, cosine: bool) -> Iterator[np.ndarray]:
    for _, vectors in store.iter_chunks():
        yield _faiss_rows(vectors, cosine)


def _dimension(store: CorpusStore) -> int:
    """The store's embedding dimension (from its first chunk); an empty store is an error."""
    first = next(store.iter_chunks(), None)
    if first is None:
        raise XirBenchError(f"{store.folder}: empty store, nothing to index")
    return int(first[1].shape[1])


def _training_sample(store: CorpusStore, cosine: bool, train_size: int, seed: int = 0) -> np.ndarray:
    """``train_size`` vectors drawn uniformly (seeded) from the whole store, for IVF / PQ training.

    Not the first ones: MIRACL's corpus is ordered by article, so its head is a biased
    sample of topics, and IVF centroids trained on it crowd one region of the space.
    """
    offsets = store.offsets()
    total = offsets[-1]
    if total == 0:
        raise XirBenchError(f"{store.folder}: empty store, nothing to index")
    rows = np.sort(np.random.default_rng(seed).choice(total, size=min(train_size, total), replace=False))
    sample = []
    for number, (_, vectors) in enumerate(store.iter_chunks()):
        start, end = offsets[number], offsets[number + 1]
        wanted = rows[(rows >= start) & (rows < end)] - start
        if len(wanted):
            sample.append(_faiss_rows(np.asarray(vectors[wanted]), cosine))
    return np.concatenate(sample)


def training_size(index: Any, floor: int = 100_000) -> int:
    """Enough vectors to train ``index``: faiss wants 39 per IVF list (159,744 for IVF4096)."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    return max(floor, 40 * ivf.nlist) if ivf is not None else floor


def build_faiss_index(store: CorpusStore, factory: str = "HNSW32", cosine: bool = True, train_size: int = 100_000):
    """An in-memory faiss index over the store, added chunk by chunk (for HNSW and other non-IVF factories)."""
    import faiss

    index = faiss.index_factory(_dimension(store), factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained:
        index.train(_training_sample(store, cosine, max(train_size, training_size(index))))
    for block in _normalised_chunks(store, cosine):
        index.add(block)
    return index


def build_ondisk_ivf(
    store: CorpusStore, factory: str, folder: Path, cosine: bool = True, train_size: int = 100_000
) -> Path:
    """An IVF index whose inverted lists live on disk (faiss ``OnDiskInvertedLists``).

    Trained on the first ``train_size`` vectors; each chunk is added to a copy of the
    trained index and written as its own part, then the parts are merged into one
    ``lists.ivfdata`` file. Building holds one chunk; searching memory-maps the lists,
    so memory does not grow with the corpus. Built in a staging folder, then renamed.
    """
    import faiss
    from faiss.contrib.ondisk import merge_ondisk

    with staged_folder(folder) as staging:
        trained = faiss.index_factory(_dimension(store), factory, faiss.METRIC_INNER_PRODUCT)
        if faiss.try_extract_index_ivf(trained) is None:
            raise XirBenchError(f"faiss factory {factory!r} is not an IVF index; on-disk lists need IVF")
        trained.train(_training_sample(store, cosine, max(train_size, training_size(trained))))
        faiss.write_index(trained, str(staging / "trained.index"))
        parts, offset = [], 0
        for number, block in enumerate(_normalised_chunks(store, cosine)):
            part = faiss.read_index(str(staging / "trained.index"))
            part.add_with_ids(block, np.arange(offset, offset + len(block), dtype=np.int64))
            offset += len(block)
            parts.append(str(staging / f"part-{number:06d}.index"))
            faiss.write_index(part, parts[-1])
            del part
        merged = faiss.read_index(str(staging / "trained.index"))
        merge_ondisk(merged, parts, str(staging / "lists.ivfdata"))
        faiss.write_index(merged, str(staging / "populated.index"))
        for part in parts:
            os.unlink(part)
        os.unlink(staging / "trained.index")
        write_json(staging / INDEX_RECORD, {**_file_sizes(staging), "rows": offset})
    return folder


INDEX_RECORD = "index.json"  # sizes of the on-disk index files and rows indexed, written last


def _file_sizes(folder: Path) -> dict[str, int]:
    return {name: (folder / name).stat().st_size for name in ("populated.index", "lists.ivfdata")}


def ondisk_index_damage(folder: Path, rows: int) -> str | None:
    """Why an on-disk IVF index cannot be used, or None.

    Checked before faiss memory-maps the lists: a truncated ``lists.ivfdata`` would
    otherwise end the process with SIGBUS at the first search that touches the missing
    part, and a truncated ``populated.index`` in a raw faiss error.
    """
    record_path = folder / INDEX_RECORD
    if not record_path.is_file():
        return "no index.json (an index from before it was recorded, or an unfinished build)"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        expected = {name: int(record[name]) for name in ("populated.index", "lists.ivfdata")}
        indexed = int(record["rows"])
    except (ValueError, KeyError, TypeError) as err:
        return f"damaged index.json ({err})"
    missing = [name for name in expected if not (folder / name).is_file()]
    if missing:
        return f"{', '.join(missing)} missing"
    actual = _file_sizes(folder)
    if actual != expected:
        return f"file sizes {actual} differ from those written {expected} (a truncated file)"
    if indexed != rows:
        return f"it indexes {indexed} passages, the store now has {rows}"
    return None


def load_faiss_index(store: CorpusStore, factory: str, cosine: bool = True):
    """The store's faiss index for ``factory``, built on first use: IVF on disk, others in memory."""
    import faiss

    name = "faiss-" + re.sub(r"[^A-Za-z0-9]+", "_", factory)
    if "IVF" in factory:
        folder = store.folder / name
        problem = ondisk_index_damage(folder, store.size()) if folder.exists() else "not built yet"
        if problem is not None:
            if folder.exists():
                logger.warning("%s: %s; building it again", folder, problem)
            build_ondisk_ivf(store, factory, folder, cosine)
        # the .ivfdata file is found beside the index and memory-mapped, not read
        return faiss.read_index(str(folder / "populated.index"), faiss.IO_FLAG_ONDISK_SAME_DIR)
    path = store.folder / f"{name}.index"
    if path.exists():
        try:
            index = faiss.read_index(str(path))
            if index.ntotal == store.size():
                return index
            logger.warning("%s: %d vectors for a store of %d; building it again", path, index.ntotal, store.size())
        except RuntimeError as err:  # faiss's word for a truncated or foreign file
            logger.warning("%s: unreadable (%s); building it again", path, str(err).splitlines()[0])
    index = build_faiss_index(store, factory, cosine)
    with atomic_open(path, "wb", encoding=None) as handle:
        handle.write(faiss.serialize_index(index).tobytes())
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

    index = load_faiss_index(store, factory, cosine)
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = max(ef_search, k)
    ivf = faiss.try_extract_index_ivf(index) if "IVF" in factory else None
    if ivf is not None:
        ivf.nprobe = nprobe
    scores, rows = index.search(_faiss_rows(queries, cosine), k)
    return Hits(_resolve(store, rows, store.offsets()), scores)
