"""One entry point for every task: :func:`evaluate_task` reads the card's kind and runs its pipeline.

- ``parallel`` (XQuAD-R, MLQA-R, any LAReQA-format card): every setting over full pools,
  :mod:`xir_bench.pipelines.parallel`;
- ``topk`` (MIRACL): a streamed corpus searched for the top k, :mod:`xir_bench.pipelines.topk`.

The command line, tests and recipes call this; neither knows which pipeline a task needs.
"""

from __future__ import annotations

from typing import Any

from xir_bench.cards import TaskCard
from xir_bench.errors import XirBenchError
from xir_bench.models.registry import LoadedModel
from xir_bench.pipelines.parallel import RunOptions, TaskOutcome, run_task
from xir_bench.pipelines.topk import SearchOptions


def evaluate_task(
    card: TaskCard, model: LoadedModel, options: RunOptions, search: SearchOptions | None = None
) -> TaskOutcome:
    """Score ``model`` on the task of ``card`` (reusing stored results), write and return the outcome."""
    if card.kind == "parallel":
        return run_task(card.name, model.name, model.revision, model.scorer_factory(options), options, model.meta)
    return _evaluate_topk(card, model, options, search or SearchOptions())


def _evaluate_topk(card: TaskCard, model: LoadedModel, options: RunOptions, search: SearchOptions) -> TaskOutcome:
    from xir_bench.pipelines.topk import MiraclOptions, bm25_searcher, dense_searcher, run_miracl

    if model.reference:
        raise XirBenchError(f"--model random gives the parallel tasks' reference row; {card.title} has none")
    topk_options = MiraclOptions(
        languages=options.languages or list(card.languages),
        data_dir=options.data_dir,
        output=options.output,
        cache_dir=options.cache_dir,
        overwrite=options.overwrite,
        progress=options.progress,
        **vars(search),
    )
    searcher: Any
    if model.encoder is None:
        searcher = bm25_searcher(topk_options, snowball=bool(getattr(model.lexical, "snowball", False)))
    else:
        searcher = dense_searcher(model.encoder, topk_options, model.make_encoder)
    path, means, reused = run_miracl(model.name, model.revision, searcher, topk_options, model.meta)
    return TaskOutcome(card.name, model.name, path, {"mono": means}, reused)
