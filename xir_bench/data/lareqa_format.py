"""Checks of the LAReQA file format, each failure a :class:`DataFormatError` naming the place.

The format is SQuAD v1.1 JSON plus, per paragraph, ``sentence_breaks`` (``[start, end)``
character offsets into ``context``) and ``sentences``; :mod:`xir_bench.data.lareqa` reads
it through these.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xir_bench.core.collection import SentenceSource
from xir_bench.errors import DataFormatError

SQUAD_FIX = "use the LAReQA release of the file (SQuAD JSON with per-paragraph sentence_breaks)"


def load_json(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8-sig") as handle:  # a byte-order mark is not an error
            raw = json.load(handle)
    except RecursionError:
        raise DataFormatError(path, "whole file", "JSON nested too deeply to be a LAReQA file", SQUAD_FIX) from None
    except json.JSONDecodeError as err:
        raise DataFormatError(
            path,
            f"line {err.lineno}, column {err.colno}",
            f"malformed JSON: {err.msg}",
            "re-download the file; a truncated download is the usual cause",
        ) from err
    except UnicodeDecodeError as err:
        raise DataFormatError(path, f"byte {err.start}", "not UTF-8 text", SQUAD_FIX) from err
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), list):
        raise DataFormatError(path, "top level", "expected an object with a 'data' list", SQUAD_FIX)
    return raw


def expect(condition: bool, path: Path, where: str, problem: str, fix: str = SQUAD_FIX) -> None:
    if not condition:
        raise DataFormatError(path, where, problem, fix)


def sentence_spans(paragraph: dict[str, Any], path: Path, where: str) -> list[tuple[int, int]]:
    context = paragraph.get("context")
    expect(isinstance(context, str), path, where, "paragraph has no 'context' string")
    breaks = paragraph.get("sentence_breaks")
    expect(breaks is not None, path, where, "paragraph has no 'sentence_breaks'", SQUAD_FIX)
    expect(isinstance(breaks, list) and len(breaks) > 0, path, where, "'sentence_breaks' must be a non-empty list")
    spans: list[tuple[int, int]] = []
    for k, span in enumerate(breaks):
        ok = (
            isinstance(span, list | tuple)
            and len(span) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
        )
        expect(ok, path, f"{where}.sentence_breaks[{k}]", f"expected [start, end] integers, got {span!r}")
        start, end = span
        expect(
            0 <= start < end <= len(context),
            path,
            f"{where}.sentence_breaks[{k}]",
            f"break [{start}, {end}] out of range for a context of {len(context)} characters",
            "breaks are [start, end) character offsets into 'context'; fix or regenerate them",
        )
        if spans:
            previous = spans[-1]
            expect(
                start >= previous[1],
                path,
                f"{where}.sentence_breaks[{k}]",
                f"break [{start}, {end}] starts before the previous one [{previous[0]}, {previous[1]}] ends: "
                "breaks must be in order and must not overlap",
                "answer labels follow the breaks' order; fix or regenerate the breaks",
            )
        spans.append((start, end))
    return spans


def sentence_field(paragraph: dict[str, Any], n_spans: int) -> list[str] | None:
    """The release's ``sentences`` strings when present and one per break, else None."""
    sentences = paragraph.get("sentences")
    if isinstance(sentences, list) and len(sentences) == n_spans and all(isinstance(s, str) for s in sentences):
        return sentences
    return None


def sentence_texts(
    paragraph: dict[str, Any], spans: list[tuple[int, int]], source: SentenceSource, path: Path, where: str
) -> tuple[list[str], bool]:
    """(candidate sentence texts, whether the ``sentences`` field disagrees with the breaks)."""
    context = paragraph["context"]
    slices = [context[start:end] for start, end in spans]
    field = sentence_field(paragraph, len(spans))
    disagrees = field is not None and [s.strip() for s in field] != [s.strip() for s in slices]
    if source == "breaks":
        return slices, disagrees
    expect(
        field is not None,
        path,
        where,
        "no 'sentences' list with one string per sentence break",
        "use the default sentence source (the breaks), or a release with a 'sentences' field",
    )
    return list(field or []), disagrees


def answer_start(qa: dict[str, Any], path: Path, where: str) -> int:
    answers = qa.get("answers")
    expect(isinstance(answers, list) and len(answers) > 0, path, where, "question has no 'answers'")
    start = answers[0].get("answer_start") if isinstance(answers[0], dict) else None
    expect(
        isinstance(start, int) and not isinstance(start, bool),
        path,
        where,
        "answers[0].answer_start must be an integer",
    )
    return start
