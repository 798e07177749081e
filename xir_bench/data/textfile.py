"""Line-by-line reading of the data files users bring (TSV, JSONL, optionally gzipped).

One reader for every line-oriented input, so that every one of them answers a bad file
the same way - naming the file and line, saying how to fix it - instead of a raw
``UnicodeDecodeError``, ``EOFError`` or ``RecursionError``: non-UTF-8 bytes, a truncated
``.gz``, JSON nested past Python's recursion limit. A UTF-8 byte-order mark (which some
editors write) is dropped, so it never glues itself to the first id.
"""

from __future__ import annotations

import codecs
import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xir_bench.errors import DataFormatError


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(number, line)`` from 1, decoded as UTF-8; ``.gz`` files decompressed on the fly."""
    path = Path(path)
    number = 0
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                yield number, decode_line(path, number, raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise DataFormatError(
            path,
            f"after line {number}",
            f"truncated or damaged gzip data ({err})",
            "re-download the file, or check it with gzip -t",
        ) from None


def decode_line(path: Path, number: int, raw: bytes) -> str:
    """One line's bytes as UTF-8 text; bad bytes are named by line and position."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataFormatError(
            path,
            f"line {number}",
            f"not UTF-8 text (byte 0x{raw[err.start]:02x} at byte {err.start + 1} of the line)",
            "re-save the file as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)",
        ) from None


def json_object(path: Path, number: int, line: str) -> dict[str, Any]:
    """One JSONL line as an object; a bad line is named by its number."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as err:
        raise DataFormatError(path, f"line {number}", f"not valid JSON ({err.msg})") from None
    except RecursionError:
        raise DataFormatError(path, f"line {number}", "JSON nested too deeply") from None
    if not isinstance(row, dict):
        raise DataFormatError(path, f"line {number}", f"expected a JSON object, got {type(row).__name__}")
    return row
