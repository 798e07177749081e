"""xir-bench's tasks as mteb tasks, made from the cards in ``tasks/``.

Importing this module registers them with mteb (:func:`register` does the same, idempotent)::

    import mteb
    import xir_bench.mteb_tasks  # registers the tasks

    tasks = mteb.get_tasks(tasks=["LAReQAXQuADMono", "LAReQAXQuADCross", "LAReQAXQuADMulti"])
    results = mteb.evaluate(xir_bench.load_model("models/static-scratch"), tasks=tasks)

Per parallel card, one task per setting kind, whose mteb mean is the board's number:

- ``LAReQAXQuADMono``: subsets ``eng``, ``deu``, ... (queries and pool in that language);
- ``LAReQAXQuADCross``: subsets ``eng_queries-deu_pool`` (English queries, German pool);
- ``LAReQAXQuADMulti``: subsets ``eng_queries-all_pool``, ... (queries in that language, one pool of every language);

and the combined ``XQuADR`` / ``MLQAR`` (every setting, xir-bench's own subset names ``eng-deu``),
kept for ``xir-bench run``'s results; one task per top-k card (``XirMIRACL`` for MIRACL), named by
its card. mteb evaluates subset by subset
and would encode the same texts once per subset; these tasks encode every unique text once
(through the embedding cache), rank every setting exactly with xir-bench's engine and answer
the other subsets from memory. ``encode_once=False`` gives mteb's plain per-subset path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mteb.abstasks.retrieval import AbsTaskRetrieval

from xir_bench.cards import TaskCard, get_task_card, task_cards
from xir_bench.core.settings import SETTING_KINDS, SettingKind
from xir_bench.mteb_plugin.compat import check_internals, register_tasks
from xir_bench.mteb_plugin.metadata import task_metadata
from xir_bench.mteb_plugin.parallel_task import ParallelRetrievalTask
from xir_bench.mteb_plugin.topk_task import TopkRetrievalTask

if TYPE_CHECKING:
    import mteb

_CLASSES: dict[str, type[AbsTaskRetrieval]] = {}


def task_class(card: TaskCard, kind: SettingKind | None = None) -> type[AbsTaskRetrieval]:
    """The mteb task class of a card (of one setting kind): made once, from the card alone."""
    metadata = task_metadata(card, kind)
    if metadata.name not in _CLASSES:
        attributes = {"task_card": card, "metadata": metadata, "__module__": __name__}
        if card.kind == "topk":
            _CLASSES[metadata.name] = type(metadata.name, (TopkRetrievalTask,), attributes)
        else:
            attributes["setting_kind"] = kind
            _CLASSES[metadata.name] = type(metadata.name, (ParallelRetrievalTask,), attributes)
    return _CLASSES[metadata.name]


XQuADR = task_class(get_task_card("xquad-r"))
MLQAR = task_class(get_task_card("mlqa-r"))
XirMIRACL = task_class(get_task_card("miracl"))


def kind_tasks(card: TaskCard) -> tuple[type[AbsTaskRetrieval], ...]:
    """A parallel card's three per-kind tasks (mono, cross, multi); a top-k card's one task."""
    if card.kind == "topk":
        return (task_class(card),)
    return tuple(task_class(card, kind) for kind in SETTING_KINDS)


def task_classes() -> tuple[type[AbsTaskRetrieval], ...]:
    """Every card's tasks: per-kind and combined (the cards in ``$XIR_BENCH_TASK_CARDS`` folders included)."""
    classes = [cls for card in task_cards().values() for cls in kind_tasks(card)]
    classes += [task_class(card) for card in task_cards().values() if card.kind == "parallel"]
    return tuple(classes)


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
        tasks=mteb.get_tasks(tasks=[t.metadata.name for card in task_cards().values() for t in kind_tasks(card)]),
        description="Multilingual answer and passage retrieval: XQuAD-R and MLQA-R as one task per setting kind "
        "(monolingual, cross-lingual, multilingual pool; LAReQA), whose means are the board's Mo, Cr and Mul, "
        "and MIRACL dev.",
        reference="https://github.com/google-research-datasets/lareqa",
    )


register()
