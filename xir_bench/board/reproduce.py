"""Published numbers are checked, not just printed: ``xir-bench reproduce``.

In the spirit of pyserini's two-click reproductions, ``leaderboard/conditions.toml`` lists
for each published row a *condition*: the exact commands that make it and the scores they
must give (board columns of one task, by their keys: ``mono_map``, ``multi_rank_distance``,
``mono_ndcg_at_10`` ..., :mod:`xir_bench.core.columns`). The runner executes the
commands in a fresh working folder (``{data_dir}`` in a command is the data folder, and
results go to that folder's ``results/``), reads the result and reports per score:

- ``OK``: equal to the published value (|Δ| <= 1e-6, relative to the value where it is > 1);
- ``OKish``: |Δ| <= 5e-4 (same scaling): e.g. a retrained model whose arithmetic differs;
- ``FAIL``: anything else, and the command exits non-zero.
"""

from __future__ import annotations

import contextlib
import math
import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from xir_bench.cards import TaskCard, get_task_card
from xir_bench.core.columns import Column
from xir_bench.core.metrics import measure
from xir_bench.errors import XirBenchError, validation_problems
from xir_bench.results.runs import resolve_run
from xir_bench.storage.names import Identifier
from xir_bench.storage.staging import scratch_folder

OK, OKISH = 1e-6, 5e-4


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Identifier  # names a scratch folder
    model: Identifier  # names a results folder
    task: str
    commands: list[str]
    expected: dict[str, float]


@dataclass(frozen=True)
class Check:
    condition: str
    score: str
    expected: float
    got: float

    @property
    def verdict(self) -> str:
        scale = max(1.0, abs(self.expected))
        delta = abs(self.got - self.expected)
        if delta <= OK * scale:
            return "OK"
        return "OKish" if delta <= OKISH * scale else "FAIL"


def load_conditions(path: Path) -> list[Condition]:
    """The conditions file, validated; errors name the file and the condition."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise XirBenchError(
            f"{path}: no such conditions file; fix: run from a checkout of xir-bench (it is "
            "leaderboard/conditions.toml there) or pass --conditions FILE"
        ) from err
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise XirBenchError(f"{path}: cannot read conditions ({err})") from err
    out = []
    for index, entry in enumerate(raw.get("condition", [])):
        try:
            condition = Condition.model_validate(entry)
        except ValidationError as err:
            raise XirBenchError(
                f"{path}: condition #{index + 1}: {validation_problems(err)}\n  fix: correct the condition"
            ) from err
        if not condition.expected:
            raise XirBenchError(
                f"{path}: {condition.name}: no expected scores, so nothing would be checked\n"
                "  fix: add [condition.expected] values (xir-bench reproduce --update-from RESULTS writes them)"
            )
        task_kind = _task_card(path, condition).kind
        for name, value in condition.expected.items():
            try:
                metric = Column.parse(name, task_kind).metric
            except XirBenchError as err:
                raise XirBenchError(f"{path}: {condition.name}: {err}") from None
            if not _in_range(metric, value):
                possible = "a finite number in [0, 1]" if measure(metric).bounded else "a finite number >= 0"
                raise XirBenchError(
                    f"{path}: {condition.name}: expected {name} = {value!r} is not a possible value of {metric}\n"
                    f"  fix: {possible}"
                )
        out.append(condition)
    return out


def _task_card(path: Path, condition: Condition) -> TaskCard:
    try:
        return get_task_card(condition.task)
    except XirBenchError as err:
        raise XirBenchError(f"{path}: {condition.name}: {err}") from None


def _in_range(metric: str, value: float) -> bool:
    """Finite, and within [0, 1] for a bounded measure (mAP), non-negative otherwise (rank distance)."""
    if not math.isfinite(value):
        return False
    return 0.0 <= value <= 1.0 if measure(metric).bounded else value >= 0.0


def scores_of(results: Path, model: str, task: str, keys: list[str]) -> dict[str, float]:
    """The columns ``keys`` (``mono_map``, ...) of ``model`` on ``task`` in a results folder."""
    from xir_bench.board.cells import column_mean

    run = resolve_run(Path(results) / model.replace("/", "__"))
    card = get_task_card(task)
    if card.mteb_name not in run.results:
        raise XirBenchError(f"{run.folder}: no {card.mteb_name} result")
    columns = {key: Column.parse(key, card.kind) for key in keys}
    return {key: column_mean(run, card.mteb_name, column.kind, column.metric) for key, column in columns.items()}


def reproduce(
    condition: Condition, data_dir: Path, run_cli: Callable[[list[str]], int], work: Path | None = None
) -> list[Check]:
    """Run the condition's commands in a fresh folder (``work``, else a temporary one removed
    afterwards); compare its scores to the published ones."""
    if work is None:
        with scratch_folder(f"reproduce-{condition.name}") as scratch:
            return reproduce(condition, data_dir, run_cli, Path(scratch))
    data = str(Path(data_dir).resolve())
    with contextlib.chdir(work):
        for command in condition.commands:
            argv = shlex.split(command.replace("{data_dir}", shlex.quote(data)))
            if argv[:1] != ["xir-bench"]:
                raise XirBenchError(f"{condition.name}: commands must start with xir-bench, got {command!r}")
            code = run_cli(argv[1:])
            if code != 0:
                raise XirBenchError(f"{condition.name}: {command!r} exited with {code}")
        got = scores_of(work / "results", condition.model, condition.task, list(condition.expected))
    return [Check(condition.name, name, value, got[name]) for name, value in condition.expected.items()]


def update_expected(path: Path, results: Path) -> list[Condition]:
    """Rewrite each condition's expected scores from the published results (after publishing anew)."""
    import tomli_w

    from xir_bench.storage.atomic import write_text

    conditions = load_conditions(path)
    updated = []
    for condition in conditions:
        expected = scores_of(results, condition.model, condition.task, list(condition.expected))
        updated.append(condition.model_copy(update={"expected": expected}))
    header = "".join(
        line + "\n" for line in Path(path).read_text(encoding="utf-8").splitlines() if line.startswith("#")
    )
    body = tomli_w.dumps({"condition": [c.model_dump() for c in updated]})
    write_text(path, header + "\n" + body)
    return updated
