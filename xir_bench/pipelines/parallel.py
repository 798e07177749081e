"""A parallel task (XQuAD-R, MLQA-R): encode (cached) -> rank every setting -> metrics -> results.

:func:`xir_bench.pipelines.evaluate.evaluate_task` is the entry point; it calls
:func:`run_task` for parallel cards.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from xir_bench.cards import TaskCard
from xir_bench.core.collection import ParallelCollection
from xir_bench.core.evaluate import aggregate, compute_rank_table, per_query_frame, pooled_aggregate, subset_scores
from xir_bench.core.reference import expected_per_query_frame
from xir_bench.core.settings import Setting, enumerate_settings
from xir_bench.data.tasks import load_task
from xir_bench.errors import XirBenchError
from xir_bench.models.kind import LoadedModel
from xir_bench.pipelines.options import RunOptions, TaskOutcome
from xir_bench.results.store import model_folder, read_result, write_model_meta, write_result
from xir_bench.storage.locks import folder_lock
from xir_bench.storage.outputs import created_folder
from xir_bench.storage.staging import sweep


def _prompts(record: dict[str, Any]) -> dict[str, str]:
    """What a dense model's texts were given and what ran its network: the prefixes change its
    numbers, and a backend other than torch rounds differently (6th digit), so both are part of
    a result's definition. torch is not recorded, so results from before backends still match."""
    keys = ("query_prefix", "passage_prefix", "backend")
    return {key: str(record[key]) for key in keys if record.get(key) is not None}


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


def run_task(card: TaskCard, model: LoadedModel, options: RunOptions) -> TaskOutcome:
    """Evaluate ``model`` on the parallel task of ``card``; reuse a stored result that already has
    every requested subset. The random reference's scores are exact expectations
    (:mod:`xir_bench.core.reference`)."""
    folder = model_folder(options.output, model.name, model.revision)
    chosen = options.evaluation
    collection = load_task(
        card, options.languages, options.data_dir, chosen.candidate_text, sentence_source=chosen.sentence_source
    )
    settings = enumerate_settings(list(collection.languages), options.settings)
    evaluation = {**chosen.record(), "data": collection.data, **_prompts(model.record)}
    with created_folder(folder), folder_lock(folder):  # a second run into it waits, then reuses
        return _evaluate_unless_stored(card, model, collection, settings, evaluation, options)


def _evaluate_unless_stored(
    card: TaskCard,
    model: LoadedModel,
    collection: ParallelCollection,
    settings: list[Setting],
    evaluation: dict[str, Any],
    options: RunOptions,
) -> TaskOutcome:
    """The stored result if it has every setting, computed the same way; else evaluate and store."""
    folder = model_folder(options.output, model.name, model.revision)
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
                card.name, model.name, path, aggregate(scores, settings), True, pooled_aggregate(scores, settings)
            )
    started = time.perf_counter()
    scorer = model.parallel_scorer(collection, options.cache_dir, options.progress)
    if scorer is None:
        per_query = expected_per_query_frame(collection, settings)
    else:
        table = compute_rank_table(collection, scorer, options.block_size, options.progress, options.evaluation.ties)
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
    write_model_meta(folder, model.model_meta(), model.record)
    return TaskOutcome(
        card.name, model.name, path, aggregate(scores, settings), False, pooled_aggregate(scores, settings)
    )
