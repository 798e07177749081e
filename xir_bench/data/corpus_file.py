"""A passage corpus file: JSON lines of ``{"docid", "title", "text"}`` (``.jsonl`` or ``.jsonl.gz``).

Read as a stream, or, for a local uncompressed file, chunk by chunk at known byte offsets
(Ray workers each seek to their own chunks). A bad line names the file and its number.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xir_bench.data.textfile import decode_line, json_object, numbered_lines
from xir_bench.errors import DataFormatError


def iter_corpus(path: Path) -> Iterator[tuple[str, str, str]]:
    """(docid, title, text) per line of a JSONL(.gz) corpus; a bad line names its number.

    A docid must be a non-empty string without whitespace: the corpus store keeps one per
    line, and a run file separates fields by whitespace.
    """
    for number, line in numbered_lines(path):
        if line.strip():
            yield _corpus_row(path, number, line)


def _corpus_row(path: Path, number: int, line: str) -> tuple[str, str, str]:
    row = json_object(path, number, line)
    docid, text = row.get("docid"), row.get("text")
    if docid is None or text is None:
        raise DataFormatError(path, f"line {number}", "expected a JSON object with 'docid', 'title', 'text'")
    docid = str(docid)
    if not docid or any(ch.isspace() for ch in docid):
        raise DataFormatError(
            path, f"line {number}", f"docid {docid!r} is empty or holds whitespace", "use ids like 12#3"
        )
    return docid, str(row.get("title") or ""), str(text)


@dataclass(frozen=True)
class JsonlChunks:
    """A local, uncompressed corpus file read chunk by chunk at known byte offsets.

    Ray workers each encode every n-th chunk; with a plain stream each of them read (and
    parsed) the whole corpus to find its chunks. The driver finds where every chunk starts
    once (:func:`chunked_corpus`); a worker seeks there and reads its own chunks only.
    """

    path: Path
    offsets: tuple[int, ...]  # byte offset of each chunk's first row
    first_lines: tuple[int, ...]  # its line number, for errors
    chunk_size: int

    @property
    def n_chunks(self) -> int:
        return len(self.offsets)

    def read(self, index: int) -> list[tuple[str, str, str]]:
        rows: list[tuple[str, str, str]] = []
        with self.path.open("rb") as handle:
            handle.seek(self.offsets[index])
            for number, raw in enumerate(handle, self.first_lines[index]):
                if raw.strip():
                    rows.append(_corpus_row(self.path, number, decode_line(self.path, number, raw)))
                if len(rows) == self.chunk_size:
                    break
        return rows


def chunked_corpus(path: Path, chunk_size: int) -> JsonlChunks | None:
    """Chunk offsets of a local ``.jsonl`` (None for ``.gz``, which cannot seek): one pass over the bytes."""
    if path.suffix == ".gz":
        return None
    offsets, first_lines, rows, position = [], [], 0, 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            start = position
            if number == 1 and raw.startswith(codecs.BOM_UTF8):  # read past it, as the stream reader does
                start += len(codecs.BOM_UTF8)
            if raw.strip():
                if rows % chunk_size == 0:
                    offsets.append(start)
                    first_lines.append(number)
                rows += 1
            position += len(raw)
    return JsonlChunks(path, tuple(offsets), tuple(first_lines), chunk_size)
