"""Descriptive statistics of the per-kind tasks, computed by mteb's own code, for maintainers.

mteb keeps every task's statistics (numbers of queries and documents, text lengths, relevant
documents per query, per subset) beside its metadata; ``CardTaskMetadata`` points mteb at
``tasks/descriptive_stats/<Task>.json``. Rerun after a card's data changes::

    python -m xir_bench.mteb_plugin.stats --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from xir_bench.cards import task_cards
from xir_bench.mteb_plugin.tasks import kind_tasks, register


def compute(data_dir: str | Path | None = None, tasks: list[str] | None = None) -> list[Path]:
    """mteb's ``calculate_descriptive_statistics`` for every per-kind task of the parallel cards."""
    if data_dir is not None:
        os.environ["XIR_BENCH_DATA_DIR"] = str(data_dir)
    register()
    written = []
    for card in task_cards().values():
        if card.kind != "parallel" or (tasks and card.name not in tasks):
            continue
        for cls in kind_tasks(card):
            task = cls(progress=False)
            task.calculate_descriptive_statistics(overwrite_results=True)
            written.append(task.metadata.descriptive_stat_path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="the data folder (default: $XIR_BENCH_DATA_DIR, the cache, a download)")
    parser.add_argument("--task", action="append", help="only this card (repeatable)")
    arguments = parser.parse_args()
    for path in compute(arguments.data_dir, arguments.task):
        print(f"wrote {path}")
