"""A disk cache of text embeddings, keyed by model, revision, prefix and text hash.

Layout: ``<root>/<namespace>/<shard>.npz``, where the namespace hashes (model, revision,
prefix) and each shard holds ``keys`` (SHA-256 of each text, uint8 N x 32) and
``embeddings`` (float32 N x d). Shards are written atomically with ``allow_pickle=False``
reads, one per encoded chunk, so an interrupted run keeps every finished chunk and a rerun
encodes only what is missing. A shard that cannot be read or holds non-finite values is
reported, deleted and its texts recomputed.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from xir_bench.atomic import atomic_open

KEY_BYTES = 32


def text_key(text: str) -> bytes:
    """SHA-256 of the UTF-8 text: the cache key of one text within a namespace."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def namespace(model: str, revision: str, prefix: str) -> str:
    """Folder name of one (model, revision, prefix) combination."""
    return hashlib.sha256(f"{model}\0{revision}\0{prefix}".encode()).hexdigest()[:24]


class EmbeddingCache:
    """Embeddings of one (model, revision, prefix), stored as shards in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._index: dict[bytes, tuple[Path, int]] | None = None

    def _load_keys(self, shard: Path) -> np.ndarray | None:
        try:
            with np.load(shard, allow_pickle=False) as data:
                keys = data["keys"]
                shape = data["embeddings"].shape
            if keys.ndim != 2 or keys.shape[1] != KEY_BYTES or shape[0] != keys.shape[0]:
                raise ValueError(f"keys {keys.shape} do not match embeddings {shape}")
            return keys
        except Exception as err:  # numpy, zipfile and OS errors alike mean an unreadable shard
            self._discard(shard, err)
            return None

    def _discard(self, shard: Path, err: Exception) -> None:
        warnings.warn(f"embedding cache shard {shard} is corrupt ({err}); deleting it and re-encoding", stacklevel=3)
        shard.unlink(missing_ok=True)
        if self._index is not None:
            self._index = {k: v for k, v in self._index.items() if v[0] != shard}

    @property
    def index(self) -> dict[bytes, tuple[Path, int]]:
        if self._index is None:
            self._index = {}
            for shard in sorted(self.folder.glob("*.npz")):
                keys = self._load_keys(shard)
                if keys is not None:
                    for row, key in enumerate(keys):
                        self._index[key.tobytes()] = (shard, row)
        return self._index

    def get(self, keys: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray | None]:
        """(found mask, embeddings of the found keys in order, or None if none found)."""
        index = self.index
        found = np.array([k in index for k in keys], dtype=bool)
        if not found.any():
            return found, None
        by_shard: dict[Path, list[tuple[int, int]]] = {}
        for out_row, key in enumerate(k for k, hit in zip(keys, found, strict=True) if hit):
            shard, row = index[key]
            by_shard.setdefault(shard, []).append((out_row, row))
        result: np.ndarray | None = None
        for shard, pairs in by_shard.items():
            try:
                with np.load(shard, allow_pickle=False) as data:
                    embeddings = data["embeddings"]
                if not np.isfinite(embeddings).all():
                    raise ValueError("non-finite values")
            except Exception as err:  # as above: any failure to read means recompute
                self._discard(shard, err)
                return self.get(keys)
            if result is None:
                result = np.empty((int(found.sum()), embeddings.shape[1]), dtype=np.float32)
            out_rows, rows = map(list, zip(*pairs, strict=True))
            result[out_rows] = embeddings[rows]
        return found, result

    def put(self, keys: Sequence[bytes], embeddings: np.ndarray) -> None:
        """Store one chunk of embeddings as a new shard (atomically)."""
        key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)
        name = hashlib.sha256(key_array.tobytes()).hexdigest()[:32]
        shard = self.folder / f"{name}.npz"
        with atomic_open(shard, "wb") as handle:
            np.savez(handle, keys=key_array, embeddings=np.ascontiguousarray(embeddings, dtype=np.float32))
        if self._index is not None:
            for row, key in enumerate(keys):
                self._index[key] = (shard, row)
