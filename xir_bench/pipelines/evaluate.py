"""One entry point for every task and every model: :func:`evaluate_task` (card, model, options).

- ``parallel`` cards (XQuAD-R, MLQA-R, any LAReQA-format card): every setting over full
  pools, :mod:`xir_bench.pipelines.parallel`;
- ``topk`` cards (MIRACL): a streamed corpus searched for the top k,
  :mod:`xir_bench.pipelines.topk`.

The command line, the recipes and the benchmarks call this with the card they hold; none
of them knows which pipeline a task needs or which kind of model it runs.
"""

from __future__ import annotations

from xir_bench.cards import TaskCard
from xir_bench.models.kind import LoadedModel
from xir_bench.pipelines.options import RunOptions, SearchOptions, TaskOutcome
from xir_bench.pipelines.parallel import run_task
from xir_bench.pipelines.topk import run_topk


def evaluate_task(
    card: TaskCard, model: LoadedModel, options: RunOptions, search: SearchOptions | None = None
) -> TaskOutcome:
    """Score ``model`` on the task of ``card`` (reusing stored results), write and return the outcome."""
    if card.kind == "parallel":
        return run_task(card, model, options)
    return run_topk(card, model, options, search or SearchOptions())


__all__ = ["RunOptions", "SearchOptions", "TaskOutcome", "evaluate_task"]
