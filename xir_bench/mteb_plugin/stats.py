"""Descriptive statistics of every registered task, for maintainers.

mteb keeps every task's statistics (numbers of queries and documents, text lengths, relevant
documents per query, per subset) beside its metadata; ``CardTaskMetadata`` points mteb at
``tasks/descriptive_stats/<Task>.json``. The parallel tasks' are computed by mteb's own
``calculate_descriptive_statistics`` from the data. ``XirMIRACL`` is MIRACL dev over the full
corpus, the data of mteb's ``MIRACLRetrieval``, whose statistics mteb ships: they are taken
from there once the local topics and judgments are checked to be the same (per language: the
number of queries, their characters, the positive judgments); the 106M-passage corpus is not
here to check. Rerun after a card's data changes::

    python -m xir_bench.mteb_plugin.stats --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from xir_bench.cards import TaskCard, task_cards
from xir_bench.core.languages import iso3
from xir_bench.errors import XirBenchError
from xir_bench.mteb_plugin.tasks import kind_tasks, register, task_class


def compute(data_dir: str | Path | None = None, tasks: list[str] | None = None) -> list[Path]:
    """Statistics of every task of the cards (per-kind and combined; MIRACL's checked and taken from mteb)."""
    if data_dir is not None:
        os.environ["XIR_BENCH_DATA_DIR"] = str(data_dir)
    register()
    written = []
    for card in task_cards().values():
        if tasks and card.name not in tasks:
            continue
        if card.kind == "topk" and card.adapted_from:
            written.append(adapted_statistics(card, data_dir))
            continue
        for cls in (*kind_tasks(card), task_class(card)):
            task = cls(progress=False)
            task.calculate_descriptive_statistics(overwrite_results=True)
            written.append(task.metadata.descriptive_stat_path)
    return written


def adapted_statistics(card: TaskCard, data_dir: str | Path | None) -> Path:
    """The statistics of the mteb task a top-k card is adapted from (MIRACL: MIRACLRetrieval) under
    its own subset names, after checking that the local topics and judgments are the ones they
    describe (the full corpus is too large to count here)."""
    import mteb

    from xir_bench.data import miracl

    source = card.adapted_from[0]
    theirs = mteb.get_task(source).metadata.descriptive_stats[card.split]
    per_language = {}
    for lang in card.languages:
        stats = theirs["hf_subset_descriptive_stats"][lang]
        topics, qrels, _ = miracl.judged_topics(card, lang, data_dir)
        ours = (len(topics), sum(map(len, topics.values())), sum(g > 0 for j in qrels.values() for g in j.values()))
        expected = (
            stats["num_queries"],
            stats["queries_text_statistics"]["total_text_length"],
            stats["relevant_docs_statistics"]["num_relevant_docs"],
        )
        if ours != expected:
            raise XirBenchError(
                f"{card.title} {lang}: local topics/qrels give (queries, query characters, positive judgments) "
                f"{ours}, mteb's {source} statistics {expected}: not the same data, its statistics do not apply"
            )
        per_language[iso3(lang)] = stats
    path = task_class(card).metadata.descriptive_stat_path
    document = {card.split: {**theirs, "hf_subset_descriptive_stats": per_language}}
    path.write_text(json.dumps(document, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="the data folder (default: $XIR_BENCH_DATA_DIR, the cache, a download)")
    parser.add_argument("--task", action="append", help="only this card (repeatable)")
    arguments = parser.parse_args()
    for path in compute(arguments.data_dir, arguments.task):
        print(f"wrote {path}")
