"""A disk cache of text embeddings, keyed by model, revision, prefix and text hash.

Layout: ``<root>/<namespace>/<shard>.npz``, where the namespace hashes (model, revision,
prefix) and each shard holds ``keys`` (SHA-256 of each text, uint8 N x 32) and
``embeddings`` (float32 N x d). Shards are written atomically with ``allow_pickle=False``
reads, one per encoded chunk, so an interrupted run keeps every finished chunk and a rerun
encodes only what is missing.

A shard's name carries a checksum of its two arrays (``<keys digest>-<arrays digest>.npz``):
random values in a well-formed shard are caught, not scored. A shard is deleted only when
it is proven corrupt - not a zip of two arrays, arrays that disagree, non-finite values,
a compressed member (xir-bench writes them stored, so the declared sizes bound what a read
allocates: a crafted small file cannot make key loading take gigabytes), a checksum that
does not match (or none: written before checksums) - and then its texts are recomputed,
with a warning. An I/O error deletes nothing: it is reported and the run stops. A shard
whose dimension differs from the one most rows have invalidates only itself; a model that
changed under one revision is caught when it encodes (:func:`~xir_bench.models.encoding.encode_texts`).
"""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from xir_bench.errors import XirBenchError
from xir_bench.storage.atomic import atomic_open
from xir_bench.storage.staging import sweep

KEY_BYTES = 32
#: What proves a shard corrupt (its format); anything else, an I/O error above all, is not proof.
CORRUPT = (ValueError, KeyError, EOFError, zipfile.BadZipFile)


def _shards(folder: Path) -> list[Path]:
    """The shard files; anything else named ``*.npz`` (a folder, say) is refused, not deleted."""
    shards = sorted(folder.glob("*.npz"))
    foreign = [p for p in shards if not p.is_file()]
    if foreign:
        raise XirBenchError(f"{foreign[0]} is not a file; the embedding cache holds only files\n  fix: move it away")
    return shards


def _io_error(shard: Path, err: OSError) -> XirBenchError:
    return XirBenchError(
        f"could not read embedding cache shard {shard} ({err}); nothing was deleted\n"
        "  fix: check the disk and rerun, or pass --no-cache"
    )


def _checked_shapes(shard: Path) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shapes of ``keys`` and ``embeddings`` from their headers, after checking the file is
    what :meth:`EmbeddingCache.put` writes: two stored (uncompressed) members whose data
    fits in them."""
    with zipfile.ZipFile(shard) as archive:
        members = {info.filename: info for info in archive.infolist()}
        if set(members) != {"keys.npy", "embeddings.npy"}:
            raise ValueError(f"members {sorted(members)}, expected keys.npy and embeddings.npy")
        shapes = {}
        for name, info in members.items():
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"{name} is compressed; xir-bench writes shards uncompressed")
            with archive.open(info) as handle:
                version = np.lib.format.read_magic(handle)
                read_header = (
                    np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                )
                shape, _, dtype = read_header(handle)
            if int(np.prod(shape)) * np.dtype(dtype).itemsize > info.file_size:
                raise ValueError(f"{name} declares {shape} of {dtype}, more than its {info.file_size} bytes")
            shapes[name] = shape
    keys, embeddings = shapes["keys.npy"], shapes["embeddings.npy"]
    if len(keys) != 2 or keys[1] != KEY_BYTES or len(embeddings) != 2 or embeddings[0] != keys[0]:
        raise ValueError(f"keys {keys} do not match embeddings {embeddings}")
    return keys, embeddings


def arrays_digest(keys: np.ndarray, embeddings: np.ndarray) -> str:
    """The checksum a shard's name carries: SHA-256 of its keys and float32 embeddings."""
    digest = hashlib.sha256(np.ascontiguousarray(keys, dtype=np.uint8).tobytes())
    digest.update(np.ascontiguousarray(embeddings, dtype=np.float32).tobytes())
    return digest.hexdigest()[:32]


def text_key(text: str) -> bytes:
    """SHA-256 of the UTF-8 text: the cache key of one text within a namespace."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def namespace(model: str, revision: str, prefix: str, backend: str = "torch") -> str:
    """Folder name of one (model, revision, prefix, backend) combination.

    Another backend computes the same network with other float32 rounding, so its
    embeddings are kept apart; torch's key is the one caches had before backends existed."""
    backend_part = "" if backend == "torch" else f"\0{backend}"
    return hashlib.sha256(f"{model}\0{revision}\0{prefix}{backend_part}".encode()).hexdigest()[:24]


class EmbeddingCache:
    """Embeddings of one (model, revision, prefix), stored as shards in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        sweep(self.folder)  # half-written shards of killed runs
        self._index: dict[bytes, tuple[Path, int]] | None = None
        self._dims: dict[Path, int] = {}

    def _load_keys(self, shard: Path) -> np.ndarray | None:
        try:
            if "-" not in shard.stem:
                raise ValueError("no checksum in its name (written before checksums)")
            keys_shape, embeddings_shape = _checked_shapes(shard)
            with np.load(shard, allow_pickle=False) as data:
                keys = data["keys"]
            if keys.shape != keys_shape:
                raise ValueError(f"keys {keys.shape} differ from their header {keys_shape}")
            self._dims[shard] = embeddings_shape[1]
            return keys
        except CORRUPT as err:
            self._discard(shard, err)
            return None
        except OSError as err:
            raise _io_error(shard, err) from err

    def _discard(self, shard: Path, err: Exception) -> None:
        warnings.warn(f"embedding cache shard {shard} is corrupt ({err}); deleting it and re-encoding", stacklevel=3)
        shard.unlink(missing_ok=True)
        if self._index is not None:
            self._index = {k: v for k, v in self._index.items() if v[0] != shard}

    @property
    def index(self) -> dict[bytes, tuple[Path, int]]:
        if self._index is None:
            self._index = {}
            loaded = [(shard, keys) for shard in _shards(self.folder) if (keys := self._load_keys(shard)) is not None]
            rows_by_dim: dict[int, int] = {}
            for shard, keys in loaded:
                rows_by_dim[self._dims[shard]] = rows_by_dim.get(self._dims[shard], 0) + len(keys)
            usual = max(rows_by_dim, key=lambda dim: rows_by_dim[dim]) if rows_by_dim else None
            for shard, keys in loaded:
                if self._dims[shard] != usual:
                    self._discard(shard, ValueError(f"{self._dims[shard]}-d where the other shards are {usual}-d"))
                    continue
                for row, key in enumerate(keys):
                    self._index[key.tobytes()] = (shard, row)
        return self._index

    def clear(self) -> None:
        """Drop every shard (the model's output changed under the same name and revision)."""
        for shard in _shards(self.folder):
            shard.unlink(missing_ok=True)
        self._index, self._dims = None, {}

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
                    stored_keys, embeddings = data["keys"], data["embeddings"]
                if not np.isfinite(embeddings).all():
                    raise ValueError("non-finite values")
                if arrays_digest(stored_keys, embeddings) != shard.stem.split("-", 1)[1]:
                    raise ValueError("its arrays do not match the checksum in its name")
            except CORRUPT as err:
                self._discard(shard, err)
                return self.get(keys)
            except OSError as err:
                raise _io_error(shard, err) from err
            if result is None:
                result = np.empty((int(found.sum()), embeddings.shape[1]), dtype=np.float32)
            out_rows, rows = map(list, zip(*pairs, strict=True))
            result[out_rows] = embeddings[rows]
        return found, result

    def put(self, keys: Sequence[bytes], embeddings: np.ndarray) -> None:
        """Store one chunk of embeddings as a new shard (atomically)."""
        key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
        name = f"{hashlib.sha256(key_array.tobytes()).hexdigest()[:32]}-{arrays_digest(key_array, vectors)}"
        shard = self.folder / f"{name}.npz"
        with atomic_open(shard, "wb") as handle:
            np.savez(handle, keys=key_array, embeddings=vectors)
        if self._index is not None:
            for row, key in enumerate(keys):
                self._index[key] = (shard, row)
