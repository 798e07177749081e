"""Run a model on tasks: load -> encode (cached) -> rank every setting -> metrics -> results.

This is what ``xir-bench run`` calls; it is also the programmatic entry point.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xir_bench.cards import TaskCard, get_task_card
from xir_bench.core.collection import CandidateText, ParallelCollection, SentenceSource
from xir_bench.core.evaluate import aggregate, compute_rank_table, per_query_frame, pooled_aggregate, subset_scores
from xir_bench.core.ranking import DEFAULT_TIES, TieRule
from xir_bench.core.reference import expected_per_query_frame
from xir_bench.core.scorers import Scorer
from xir_bench.core.settings import SETTING_KINDS, Setting, SettingKind, enumerate_settings
from xir_bench.data.sources import cache_root
from xir_bench.data.tasks import load_task
from xir_bench.errors import XirBenchError
from xir_bench.results.store import model_folder, read_result, write_model_meta, write_result
from xir_bench.storage.locks import folder_lock
from xir_bench.storage.outputs import created_folder
from xir_bench.storage.staging import sweep


@dataclass
class RunOptions:
    """Everything ``xir-bench run`` lets a user choose, with its defaults."""

    settings: tuple[SettingKind, ...] = SETTING_KINDS
    languages: list[str] | None = None
    data_dir: str | Path | None = None
    output: Path = Path("results")
    cache_dir: Path | None = field(default_factory=lambda: cache_root() / "embeddings")
    candidate_text: CandidateText = "sentence"
    sentence_source: SentenceSource = "breaks"
    ties: TieRule = DEFAULT_TIES
    block_size: int = 512
    overwrite: bool = False
    progress: bool = True

    def evaluation(self) -> dict[str, str]:
        """The choices that change the numbers, recorded with every result and compared before reuse."""
        return {"ties": self.ties, "sentence_source": self.sentence_source, "candidate_text": self.candidate_text}


@dataclass(frozen=True)
class TaskOutcome:
    """What a run produced for one task."""

    task: str
    model: str
    path: Path
    aggregates: dict[str, dict[str, float]]
    reused: bool
    pooled: dict[str, dict[str, float]] = field(default_factory=dict)


def _prompts(meta: dict[str, Any] | None) -> dict[str, str]:
    """What a dense model's texts were given and what ran its network: the prefixes change its
    numbers, and a backend other than torch rounds differently (6th digit), so both are part of
    a result's definition. torch is not recorded, so results from before backends still match."""
    meta = meta or {}
    keys = ("query_prefix", "passage_prefix", "backend")
    return {key: str(meta[key]) for key in keys if meta.get(key) is not None}


def check_same_pool(
    path: Path, stored: dict[str, dict[str, Any]], settings: list[Setting], languages: list[str]
) -> None:
    """A multilingual pool is part of its scores' definition: a run over another language set
    neither reuses nor silently replaces stored multilingual-pool results."""
    multi = [s for s in settings if s.kind == "multi"]
    if not multi:
        return
    wanted = sorted(multi[0].mteb_languages(languages))
    for name, entry in stored.items():
        if Setting.parse(name).kind == "multi" and sorted(entry.get("languages", [])) != wanted:
            raise XirBenchError(
                f"{path} holds multilingual-pool results over {_codes(entry['languages'])}; this run's pool is "
                f"{_codes(wanted)}, which changes those scores, so they are neither reused nor replaced\n"
                "  fix: pass --overwrite to replace them, or --output another folder to keep both"
            )


def _codes(mteb_languages: list[str]) -> str:
    """``["deu-Latn", "eng-Latn"]`` -> ``deu,eng``."""
    return ",".join(sorted(code.split("-")[0] for code in mteb_languages))


def run_task(
    task: str,
    model_name: str,
    revision: str,
    make_scorer: Callable[[ParallelCollection], Scorer] | None,
    options: RunOptions,
    meta: dict[str, Any] | None = None,
) -> TaskOutcome:
    """Evaluate one task; reuse a stored result that already has every requested subset.

    ``make_scorer=None`` is the random ranker: exact expectations, no ranking (see
    :mod:`xir_bench.core.reference`).
    """
    card = get_task_card(task)
    folder = model_folder(options.output, model_name, revision)
    collection = load_task(
        task, options.languages, options.data_dir, options.candidate_text, sentence_source=options.sentence_source
    )
    settings = enumerate_settings(list(collection.languages), options.settings)
    evaluation = {**options.evaluation(), "data": collection.data, **_prompts(meta)}
    with created_folder(folder), folder_lock(folder):  # a second run into it waits, then reuses
        return _evaluate_unless_stored(
            card, (model_name, revision), collection, settings, evaluation, make_scorer, options, meta
        )


def _evaluate_unless_stored(
    card: TaskCard,
    model: tuple[str, str],
    collection: ParallelCollection,
    settings: list[Setting],
    evaluation: dict[str, Any],
    make_scorer: Callable[[ParallelCollection], Scorer] | None,
    options: RunOptions,
    meta: dict[str, Any] | None,
) -> TaskOutcome:
    """The stored result if it has every setting, computed the same way; else evaluate and store."""
    model_name, revision = model
    folder = model_folder(options.output, model_name, revision)
    languages = list(collection.languages)
    sweep(folder)  # what a killed writer left here, before anything reads the folder
    stored = None if options.overwrite else read_result(folder, card.mteb_name)
    if stored is not None and stored.evaluation != evaluation:
        differ = sorted(k for k in {*evaluation, *stored.evaluation} if evaluation.get(k) != stored.evaluation.get(k))
        shown = "; ".join(f"{k}: stored {stored.evaluation.get(k)!r}, now {evaluation.get(k)!r}" for k in differ)
        raise XirBenchError(
            f"{folder / card.mteb_name}.json was computed another way ({shown}); its numbers are not reused "
            "and not mixed with new ones\n  fix: pass --overwrite to replace it, or --output another folder"
        )
    if stored is not None:
        check_same_pool(folder / f"{card.mteb_name}.json", stored.subsets(), settings, languages)
        have = stored.subsets()
        same_pool = {s.subset: set(s.mteb_languages(languages)) for s in settings}
        if all(s.subset in have and set(have[s.subset]["languages"]) == same_pool[s.subset] for s in settings):
            scores = {s.subset: have[s.subset] for s in settings}
            path = folder / f"{card.mteb_name}.json"
            return TaskOutcome(
                card.name, model_name, path, aggregate(scores, settings), True, pooled_aggregate(scores, settings)
            )
    started = time.perf_counter()
    if make_scorer is None:
        per_query = expected_per_query_frame(collection, settings)
    else:
        scorer = make_scorer(collection)
        table = compute_rank_table(collection, scorer, options.block_size, options.progress, options.ties)
        per_query = per_query_frame(collection, table, settings)
    scores = subset_scores(per_query, settings, card.main_score)
    elapsed = time.perf_counter() - started
    entries = [{"hf_subset": s.subset, "languages": s.mteb_languages(languages), **scores[s.subset]} for s in settings]
    path = write_result(
        folder,
        card.mteb_name,
        collection.data,
        entries,
        per_query,
        elapsed,
        split=card.split,
        evaluation=evaluation,
        replace=options.overwrite,
    )
    write_model_meta(folder, model_name, revision, dict(meta or {}))
    return TaskOutcome(
        card.name, model_name, path, aggregate(scores, settings), False, pooled_aggregate(scores, settings)
    )
