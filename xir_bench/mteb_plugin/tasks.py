"""xir-bench's tasks as MTEB tasks: XQuAD-R and MLQA-R (every setting) and MIRACL.

Importing this module registers the tasks with mteb (``mteb.get_task("XQuADR")`` then
works); :func:`register` does the same explicitly and is idempotent::

    import mteb
    import xir_bench.mteb_plugin.tasks  # registers XQuADR, MLQAR, XirMIRACL

    results = mteb.evaluate(model, tasks=mteb.get_tasks(tasks=["XQuADR"], languages=["eng", "deu"]))

A parallel task has one MTEB subset per setting: ``eng-eng`` (monolingual), ``eng-deu``
(queries in English, pool of German) and ``eng-all`` (queries in English, the pool of
every language). MTEB evaluates subset by subset and would encode the same texts once
per subset (22x for XQuAD-R's 132 subsets); these tasks instead encode every unique text
once, on the first subset asked for, rank every setting from those embeddings with
xir-bench's engine (exact full-pool ranks), and answer later subsets from memory. Set
``encode_once=False`` to get MTEB's plain per-subset evaluation (top-1000 search).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mteb.abstasks.retrieval import AbsTaskRetrieval

from xir_bench.cards import TaskCard, get_task_card, task_cards
from xir_bench.mteb_plugin.compat import check_internals, register_tasks
from xir_bench.mteb_plugin.metadata import task_metadata
from xir_bench.mteb_plugin.miracl_task import XirMIRACL
from xir_bench.mteb_plugin.parallel_task import ParallelRetrievalTask

if TYPE_CHECKING:
    import mteb

_CLASSES: dict[str, type[AbsTaskRetrieval]] = {}


def task_class(card: TaskCard) -> type[AbsTaskRetrieval]:
    """The mteb task class of a card: made once per parallel card (a new card needs no code)."""
    if card.kind == "topk":
        return XirMIRACL
    if card.mteb_name not in _CLASSES:
        attributes = {"task_card": card, "metadata": task_metadata(card), "__module__": __name__}
        _CLASSES[card.mteb_name] = type(card.mteb_name, (ParallelRetrievalTask,), attributes)
    return _CLASSES[card.mteb_name]


XQuADR = task_class(get_task_card("xquad-r"))
MLQAR = task_class(get_task_card("mlqa-r"))


def task_classes() -> tuple[type[AbsTaskRetrieval], ...]:
    """Every card's task class (the cards in ``$XIR_BENCH_TASK_CARDS`` folders included)."""
    return tuple(task_class(card) for card in task_cards().values())


def register() -> None:
    """Make every card's task visible to ``mteb.get_task``/``get_tasks``/``evaluate`` (idempotent)."""
    check_internals()
    register_tasks(task_classes())


def benchmark() -> mteb.Benchmark:  # type: ignore[name-defined]
    """An ``mteb.Benchmark`` of xir-bench's tasks (for ``mteb.evaluate`` and leaderboards)."""
    import mteb

    register()
    return mteb.Benchmark(
        name="xir-bench",
        tasks=mteb.get_tasks(tasks=[t.metadata.name for t in task_classes()]),
        description="Multilingual answer and passage retrieval: XQuAD-R and MLQA-R in every mono, cross and "
        "multilingual setting (LAReQA), and MIRACL dev.",
        reference="https://github.com/google-research-datasets/lareqa",
    )


register()
