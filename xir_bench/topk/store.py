"""Corpus embeddings streamed to disk in fixed chunks: resumable, shardable, memory-flat.

A corpus too large for memory (MIRACL English: 32.9M passages) is read as a stream of
(docid, title, text) rows and encoded ``chunk_size`` rows at a time. Chunk ``i`` holds
rows ``[i * chunk_size, (i + 1) * chunk_size)`` of the stream and is written as two
files, ``chunks/{i:06d}.ids.txt`` and ``chunks/{i:06d}.npy``, each atomically; a chunk
exists once its ``.npy`` does. So:

- an interrupted run resumes: a rerun skips the rows of finished chunks (reading, not
  encoding them) and continues with the first missing chunk;
- work shards by chunk: worker ``k`` of ``n`` encodes the chunks with ``i % n == k``
  into the same folder, and the union is exactly the single-process result (this is
  what :mod:`xir_bench.topk.distributed` runs on Ray);
- readers memory-map one chunk at a time, so memory is bounded by the chunk size.

A ``manifest.json`` records model, revision, prefix and chunk size; a rerun with a
different one is refused instead of mixing embeddings.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from tqdm.auto import tqdm

from xir_bench.data.miracl import passage_text
from xir_bench.errors import XirBenchError
from xir_bench.models.encoding import TextEncoder, check_embeddings
from xir_bench.storage.atomic import atomic_open, write_json
from xir_bench.storage.staging import sweep

Row = tuple[str, str, str]  # docid, title, text
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Manifest:
    """What the chunks were made with; must match to resume or read."""

    model: str
    revision: str
    prefix: str
    chunk_size: int
    source: str

    @classmethod
    def of(cls, encoder: TextEncoder, chunk_size: int, source: str) -> Manifest:
        """The manifest of ``encoder``'s passage embeddings of ``source`` in chunks of ``chunk_size``."""
        return cls(encoder.name, encoder.revision, encoder.prefix("passage"), chunk_size, source)


class CorpusStore:
    """A folder of embedding chunks (see the module docstring)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.chunks = self.folder / "chunks"

    def manifest(self) -> Manifest | None:
        path = self.folder / "manifest.json"
        if not path.exists():
            return None
        try:
            return Manifest(**json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, TypeError) as err:
            raise XirBenchError(f"{path}: damaged manifest ({err}); delete {self.folder} and re-encode") from err

    def claim(self, manifest: Manifest) -> None:
        """Start or resume this store for ``manifest``; a different one is an error."""
        sweep(self.folder)
        sweep(self.chunks)
        current = self.manifest()
        if current is None:
            self.chunks.mkdir(parents=True, exist_ok=True)
            write_json(self.folder / "manifest.json", asdict(manifest))
        elif current != manifest:
            raise XirBenchError(
                f"{self.folder} holds embeddings made with {current}, not {manifest}; "
                "use another folder or delete this one"
            )

    def done(self) -> set[int]:
        """Indices of the finished chunks."""
        if not self.chunks.is_dir():
            return set()
        return {int(p.name.split(".")[0]) for p in self.chunks.glob("*.npy")}

    def chunk(self, index: int) -> tuple[list[str], np.ndarray]:
        """Docids and (memory-mapped) embeddings of chunk ``index``."""
        problem = self.damage(index)
        if problem is not None:
            raise XirBenchError(
                f"{self.chunks}/{index:06d}: {problem}\n  fix: rerun the same command; damaged chunks are re-encoded"
            )
        ids = (self.chunks / f"{index:06d}.ids.txt").read_text(encoding="utf-8").split("\n")[:-1]
        return ids, np.load(self.chunks / f"{index:06d}.npy", mmap_mode="r", allow_pickle=False)

    def damage(self, index: int) -> str | None:
        """Why chunk ``index`` cannot be used - a truncated or foreign file, ids and vectors that
        disagree - or None. Only the format is judged: an I/O error is raised, never taken
        as proof of damage."""
        ids_path, npy_path = self.chunks / f"{index:06d}.ids.txt", self.chunks / f"{index:06d}.npy"
        try:
            vectors = np.load(npy_path, mmap_mode="r", allow_pickle=False)
        except ValueError as err:  # numpy's word for a truncated file or a bad header
            return f"embeddings file is truncated or not a .npy ({err})"
        if vectors.ndim != 2:
            return f"embeddings have shape {vectors.shape}, expected (passages, dimensions)"
        if not ids_path.is_file():
            return "its ids file is missing"
        n_ids = ids_path.read_bytes().count(b"\n")
        if n_ids != len(vectors):
            return f"{n_ids} ids for {len(vectors)} vectors (a truncated ids file)"
        return None

    def repair(self, indices: Iterable[int]) -> list[int]:
        """Delete the damaged chunks among ``indices`` (each is named), so they are encoded again."""
        removed = []
        for index in sorted(indices):
            problem = self.damage(index)
            if problem is not None:
                logger.warning("%s/%06d: %s; encoding it again", self.chunks, index, problem)
                (self.chunks / f"{index:06d}.npy").unlink()
                (self.chunks / f"{index:06d}.ids.txt").unlink(missing_ok=True)
                removed.append(index)
        return removed

    def complete_indices(self) -> list[int]:
        """Chunk indices 0..n-1; an error if one is missing (an unfinished or partial store)."""
        indices = sorted(self.done())
        if indices != list(range(len(indices))):
            missing = sorted(set(range(max(indices, default=-1) + 1)) - set(indices))
            raise XirBenchError(f"{self.folder}: chunks {missing[:5]} missing; rerun the encoding to finish it")
        return indices

    def iter_chunks(self) -> Iterator[tuple[list[str], np.ndarray]]:
        """Every chunk in order (see :meth:`complete_indices`)."""
        for index in self.complete_indices():
            yield self.chunk(index)

    def offsets(self) -> list[int]:
        """The global row where each chunk starts, then the total: read from the ``.npy`` headers only."""
        offsets = [0]
        for index in self.complete_indices():
            try:
                vectors = np.load(self.chunks / f"{index:06d}.npy", mmap_mode="r", allow_pickle=False)
            except ValueError:
                self.chunk(index)  # raises, naming the damage and the fix
                raise
            offsets.append(offsets[-1] + len(vectors))
        return offsets

    def size(self) -> int:
        return self.offsets()[-1]

    def write_chunk(self, index: int, ids: list[str], vectors: np.ndarray) -> None:
        """Ids first, vectors last: the ``.npy`` appearing is what marks the chunk done."""
        with atomic_open(self.chunks / f"{index:06d}.ids.txt") as handle:
            handle.write("".join(f"{i}\n" for i in ids))
        with atomic_open(self.chunks / f"{index:06d}.npy", "wb", encoding=None) as handle:
            np.save(handle, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)


def batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


@runtime_checkable
class ChunkSource(Protocol):
    """A corpus that can read its chunk ``i`` directly (a seekable file), so that a shard reads
    only the chunks it owns instead of the whole stream."""

    n_chunks: int

    def read(self, index: int) -> list[Row]: ...


def _chunks(rows: Iterable[Row] | ChunkSource, chunk_size: int, owned: Callable[[int], bool]):
    """(index, rows or None when not owned) for every chunk; a ChunkSource reads owned chunks only."""
    if isinstance(rows, ChunkSource):
        for index in range(rows.n_chunks):
            yield index, (rows.read(index) if owned(index) else None)
        return
    for index, chunk in enumerate(batched(rows, chunk_size)):
        yield index, chunk


def encode_corpus(
    rows: Iterable[Row] | ChunkSource,
    encoder: TextEncoder,
    store: CorpusStore,
    source: str,
    chunk_size: int = 50_000,
    total: int | None = None,
    shard: tuple[int, int] = (0, 1),
    progress: bool = True,
) -> CorpusStore:
    """Encode the chunks of ``rows`` that this shard owns and are not done yet.

    ``shard = (k, n)``: this worker encodes chunk ``i`` when ``i % n == k``. ``rows`` is a
    stream (every shard reads all of it, encoding its own chunks) or a :class:`ChunkSource`
    (each shard reads only its own chunks).
    """
    worker, workers = shard
    store.claim(Manifest.of(encoder, chunk_size, source))
    store.repair(i for i in store.done() if i % workers == worker)  # this shard's chunks only: no races
    done = store.done()
    dim: int | None = None
    n_chunks = 0
    bar = tqdm(total=total, desc="encode corpus", unit="passage", disable=not progress, smoothing=0.05)
    with bar:
        for index, chunk in _chunks(rows, chunk_size, lambda i: i % workers == worker and i not in done):
            n_chunks += 1
            if chunk is None:  # another shard's chunk, not read
                continue
            if index % workers != worker or index in done:
                bar.update(len(chunk))  # skipped rows still move the bar, so the ETA stays honest
                continue
            texts = [passage_text(title, text) for _, title, text in chunk]
            vectors = check_embeddings(encoder, texts, encoder.encode(texts, "passage"), dim)
            dim = vectors.shape[1]
            store.write_chunk(index, [docid for docid, _, _ in chunk], vectors)
            bar.update(len(chunk))
    if n_chunks == 0:  # a stream or a file without a single passage
        raise XirBenchError(f"the corpus has no passages ({source}); nothing to encode or search")
    return store
