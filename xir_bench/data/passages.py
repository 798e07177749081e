"""Passages with no text, counted as a corpus streams past.

A corpus of empty passages still "scores": every passage ties, and the numbers are an
artefact of tie order (a MIRACL corpus whose every text and title was empty gave nDCG
0.0084 without a word). Counting while streaming costs nothing and needs no second pass.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator

from xir_bench.errors import XirBenchError


def counting_empty(what: str, rows: Iterable[tuple[str, str, str]]) -> Iterator[tuple[str, str, str]]:
    """``rows`` (docid, title, text) passed through; when they end, some empty ones are a warning
    with their number and all of them an error."""
    total = empty = 0
    for docid, title, text in rows:
        total += 1
        empty += not (title.strip() or text.strip())
        yield docid, title, text
    if total and empty == total:
        raise XirBenchError(
            f"{what}: all {total} corpus passages are empty (no title, no text); nothing can be scored\n"
            "  fix: check the corpus file's 'title' and 'text' fields"
        )
    if empty:
        warnings.warn(f"{what}: {empty} of {total} corpus passages are empty (no title, no text)", stacklevel=2)
