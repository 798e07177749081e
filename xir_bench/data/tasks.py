"""Load a task by name: card -> files -> collection."""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from pathlib import Path

from xir_bench.cards import TaskCard, get_task_card
from xir_bench.core.collection import DEFAULT_EVALUATION, CandidateText, ParallelCollection, SentenceSource
from xir_bench.data.lareqa import load_lareqa
from xir_bench.data.sources import resolve_files, sha256_of
from xir_bench.errors import XirBenchError


def select_languages(card: TaskCard, languages: list[str] | None) -> list[str]:
    """The card's languages, or the requested subset in the card's order."""
    if not languages:
        return list(card.languages)
    unknown = [code for code in languages if code not in card.languages]
    if unknown:
        raise XirBenchError(
            f"{card.title} has no language {', '.join(unknown)}; its languages are: {', '.join(card.languages)}"
        )
    return [code for code in card.languages if code in languages]


def load_task(
    task: str | TaskCard,
    languages: list[str] | None = None,
    data_dir: str | Path | None = None,
    candidate_text: CandidateText = DEFAULT_EVALUATION.candidate_text,
    base_url: str | None = None,
    sentence_source: SentenceSource = DEFAULT_EVALUATION.sentence_source,
) -> ParallelCollection:
    """The collection of a parallel task (a card, or its name: ``xquad-r``, ``mlqa-r``, any ``lareqa`` card).

    A top-k task (MIRACL) is never loaded whole: its pipeline streams the corpus language by
    language (:mod:`xir_bench.data.miracl`)."""
    card = task if isinstance(task, TaskCard) else get_task_card(task)
    if card.source.format != "lareqa":
        raise XirBenchError(
            f"{card.title} is a top-k task ({card.source.format}): it is searched language by language, "
            "not loaded as one collection\n  fix: xir-bench run --task " + card.name
        )
    chosen = select_languages(card, languages)
    if len(chosen) < 1:
        raise XirBenchError(f"{card.title}: no language selected")
    files = resolve_files(card, chosen, data_dir=data_dir, base_url=base_url)
    collection = load_lareqa(card.name, files, candidate_text=candidate_text, sentence_source=sentence_source)
    return dataclasses.replace(collection, data=data_identity(card, files))


def data_identity(card: TaskCard, files: dict[str, Path]) -> str:
    """The card's revision when every file has the release's SHA-256; else ``local:<digest>`` and a warning.

    A ``--data-dir`` copy may be edited, truncated or another version: its numbers are not
    the benchmark's, so they are labelled as such in results and on the board.
    """
    digests = {lang: sha256_of(path) for lang, path in files.items()}
    differ = [lang for lang, digest in digests.items() if card.source.sha256.get(lang) != digest]
    if not differ:
        return card.source.revision
    combined = hashlib.sha256("".join(f"{lang}:{digests[lang]}\n" for lang in sorted(digests)).encode()).hexdigest()
    warnings.warn(
        f"{card.title}: {', '.join(files[lang].name for lang in differ)} differ from the release "
        f"({card.source.revision[:12]}); results are labelled as an unverified local copy",
        stacklevel=3,
    )
    return f"local:{combined[:16]}"


def task_stats(name: str, languages: list[str] | None = None, data_dir: str | Path | None = None) -> dict:
    """What ``xir-bench info`` shows, read the way the card's format says."""
    card = get_task_card(name)
    if card.source.format == "miracl-anserini":
        from xir_bench.data import miracl

        return miracl.stats(card, select_languages(card, languages), data_dir)
    return load_task(name, languages, data_dir).stats()
