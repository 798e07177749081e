"""Results on disk, written and read through mteb's own ``TaskResult`` and ``ModelMeta``.

``<output>/<model>/<revision>/<TaskName>.json`` is an mteb ``TaskResult`` (made, validated
and serialised by mteb: scores per subset, ``main_score``, ``languages``,
``evaluation_time``, mteb's 6-decimal rounding), so ``mteb.ResultCache`` loads it (its
results folder is ``<output>``'s parent when ``<output>`` is called ``results``). xir-bench
adds three keys mteb ignores: ``evaluation`` (how the numbers were computed), the
``xir_bench_version``, and ``per_query_sha256``. ``<TaskName>.per_query.parquet`` beside it
keeps one row per (subset, query) for significance tests; ``model_meta.json`` is
``ModelMeta.to_dict()`` plus an ``xir_bench`` record. Every file is written atomically, and
a rerun merges new subsets into what is there.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from xir_bench import __version__
from xir_bench.data.sources import sha256_of
from xir_bench.errors import XirBenchError
from xir_bench.results.schema import TaskResultFile
from xir_bench.results.verify import check_subset_names
from xir_bench.storage.atomic import atomic_open, write_json
from xir_bench.storage.locks import folder_lock
from xir_bench.storage.names import check_identifier, inside
from xir_bench.storage.staging import sweep

#: Per-query columns renamed since: stored name -> current name (read back under the current name).
RENAMED_COLUMNS = {"same_language_first": "same_language_share"}
SPLIT = "test"  # a task card's default split (XQuAD-R); MLQA-R's and MIRACL's is "dev"
SPLITS = ("test", "dev")
#: Columns every per-query table has; parallel tasks add map, mrr, recall_at_1/10 and the bias columns.
PER_QUERY_COLUMNS = ("subset", "query_id", "ndcg_at_10", "recall_at_100")


def mteb_version() -> str:
    """The installed mteb's version, from package metadata (no import of mteb's registry)."""
    return importlib.metadata.version("mteb")


def model_folder(output: Path, model_name: str, revision: str) -> Path:
    """mteb's ResultCache layout: ``<output>/<org>__<name>/<revision>``, each part an identifier
    and the folder inside ``output``."""
    for part in (*model_name.split("/"), revision):
        check_identifier(part, "model name or revision part")
    return inside(output, model_name.replace("/", "__"), revision)


@dataclass(frozen=True)
class StoredResult:
    """One task's results as read from disk."""

    task_result: dict[str, Any]
    per_query: pd.DataFrame

    @property
    def split(self) -> str:
        return next(s for s in SPLITS if s in self.task_result["scores"])

    def subsets(self) -> dict[str, dict[str, Any]]:
        return {entry["hf_subset"]: entry for entry in self.task_result["scores"][self.split]}

    @property
    def evaluation(self) -> dict[str, Any]:
        """How the scores were computed (tie rule, candidate text ...); {} for results older than the record."""
        return dict(self.task_result.get("evaluation") or {})


def read_result(folder: Path, task_name: str) -> StoredResult | None:
    """The stored result of ``task_name``, or None; a damaged file is a clear error."""
    path = folder / f"{task_name}.json"
    table = folder / f"{task_name}.per_query.parquet"
    if not path.exists():
        return None
    fix = f"fix: delete it (and {table.name}) and rerun the model, or rerun with --overwrite"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        check_subset_names(data, task_name)  # cheap, before the per-entry validation
        TaskResultFile.model_validate(data)
        _read_as_mteb_does(path)
        if not any(split in data["scores"] for split in SPLITS):
            raise ValueError(f"no {' or '.join(repr(s) for s in SPLITS)} split in scores")
    except json.JSONDecodeError as err:
        raise XirBenchError(
            f"{path}: line {err.lineno}, column {err.colno}: not valid JSON ({err.msg}); {fix}"
        ) from err
    except ValidationError as err:
        raise XirBenchError(f"{path}: not a valid result file:\n{err}\n{fix}") from err
    except RecursionError as err:
        raise XirBenchError(f"{path}: nested too deeply to be a result file; {fix}") from err
    except (OSError, ValueError) as err:
        raise XirBenchError(f"{path}: unreadable result file ({err}); {fix}") from err
    per_query = pd.DataFrame(columns=list(PER_QUERY_COLUMNS))
    expected = data.get("per_query_sha256")
    if expected is not None and (not table.exists() or sha256_of(table) != expected):
        raise XirBenchError(
            f"{table}: missing, or not the per-query table of {path.name} (its SHA-256 differs from the one "
            f"recorded there: a write was interrupted between the two files); {fix}"
        )
    if table.exists():
        try:
            per_query = pd.read_parquet(table)
        except Exception as err:  # pyarrow raises many kinds of error for a damaged file
            raise XirBenchError(f"{table}: unreadable per-query table ({err}); {fix}") from err
        per_query = per_query.rename(columns=RENAMED_COLUMNS)
        missing = [c for c in PER_QUERY_COLUMNS if c not in per_query.columns]
        if missing:
            raise XirBenchError(f"{table}: per-query table lacks columns {missing}; {fix}")
    stored = StoredResult(task_result=data, per_query=per_query)
    if len(per_query):
        from xir_bench.results.verify import check_scores_against_rows

        check_scores_against_rows(path, stored)
    return stored


def _read_as_mteb_does(path: Path) -> None:
    """``TaskResult.from_disk``, as ``mteb.ResultCache`` reads the file; any failure is a ValueError."""
    from mteb.results import TaskResult

    try:
        TaskResult.from_disk(path)
    except (ValidationError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f"mteb cannot read it as a TaskResult: {err}") from err


def write_result(
    folder: Path,
    task_name: str,
    dataset_revision: str,
    subset_entries: list[dict[str, Any]],
    per_query: pd.DataFrame,
    evaluation_time: float,
    split: str = SPLIT,
    evaluation: dict[str, Any] | None = None,
    replace: bool = False,
) -> Path:
    """Write (merging with an earlier run's other subsets) the TaskResult and per-query table.

    The two files are one unit: the table is written first and the JSON, written last,
    records the table's SHA-256, which :func:`read_result` checks. ``replace`` (``--overwrite``)
    ignores what is stored, even a damaged file, instead of merging with it.

    An earlier run's subsets are kept only if they were computed the same way (same data
    revision and ``evaluation`` record) and, for multilingual-pool subsets, over the same
    pool languages as this run's: a result never mixes numbers of two definitions.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sweep(folder)  # what a killed writer left behind
    with folder_lock(folder):  # concurrent runs merge in turn, none is lost
        evaluation = dict(evaluation or {})
        previous = None if replace else read_result(folder, task_name)
        new_subsets = {e["hf_subset"] for e in subset_entries}
        new_pools = {_pool_of(e) for e in subset_entries if e["hf_subset"].endswith("-all")}

        def compatible(entry: dict[str, Any]) -> bool:
            is_pool = entry["hf_subset"].endswith("-all")
            return entry["hf_subset"] not in new_subsets and (
                not is_pool or not new_pools or _pool_of(entry) in new_pools
            )

        same_definition = (
            previous is not None
            and previous.task_result.get("dataset_revision") == dataset_revision
            and previous.evaluation == evaluation
        )
        if previous is not None and same_definition:
            # the stored subsets whatever split they were filed under (MLQA-R's moved from test to dev)
            kept = [e for e in previous.subsets().values() if compatible(e)]
            subset_entries = kept + subset_entries
            if len(previous.per_query):
                old = previous.per_query[previous.per_query["subset"].isin({e["hf_subset"] for e in kept})]
                per_query = pd.concat([old, per_query], ignore_index=True)
        from mteb.results import TaskResult

        task_result = TaskResult(
            dataset_revision=dataset_revision,
            task_name=task_name,
            mteb_version=mteb_version(),
            scores={split: subset_entries},
            evaluation_time=evaluation_time,
            date=datetime.datetime.now(datetime.UTC),
        )
        provenance = {
            "evaluation": evaluation,
            "xir_bench_version": __version__,
            "per_query_sha256": write_per_query(folder, task_name, per_query),
        }
        path = folder / f"{task_name}.json"
        write_json(path, {**_as_mteb_writes_it(task_result), **provenance})
        return path


def write_per_query(folder: Path, task_name: str, per_query: pd.DataFrame) -> str:
    """``<task_name>.per_query.parquet``, written whole; returns its SHA-256, which the result JSON
    records (written after it: :func:`read_result` then knows the two files belong together)."""
    buffer = io.BytesIO()
    per_query.to_parquet(buffer, index=False)
    with atomic_open(folder / f"{task_name}.per_query.parquet", "wb") as handle:
        handle.write(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def _as_mteb_writes_it(task_result: Any) -> dict[str, Any]:
    """The JSON ``TaskResult.to_disk`` writes (mteb's rounding and date format), as a dict to add to."""
    with tempfile.TemporaryDirectory(prefix="xirtmp-") as scratch:
        path = Path(scratch) / "result.json"
        task_result.to_disk(path)
        return json.loads(path.read_text(encoding="utf-8"))


def _pool_of(entry: dict[str, Any]) -> frozenset[str]:
    """The languages of a multilingual-pool subset entry (its query language is one of them)."""
    return frozenset(entry.get("languages", ()))


def write_model_meta(folder: Path, meta: Any, record: dict[str, Any]) -> None:
    """``model_meta.json``: the model's mteb ``ModelMeta``, plus how the run was made.

    ``record`` (kind, prompts, source) is kept under ``xir_bench``, where mteb's loaders,
    which build ModelMeta from the file's keys, do not see it."""
    write_json(
        folder / "model_meta.json", {**meta.to_dict(), "xir_bench": {**record, "xir_bench_version": __version__}}
    )


def bare_model_meta(name: str, revision: str, framework: list[str]) -> Any:
    """A ``ModelMeta`` that knows only a model's identity (results from before the record);
    validated under ``xir-bench/`` when the name has no organisation, written under its own."""
    from mteb.models.model_meta import ModelMeta

    checked = name if "/" in name else f"xir-bench/{name}"
    fields = {"name": checked, "revision": revision, "framework": framework}
    return ModelMeta.create_empty(overwrites=fields).model_copy(update={"name": name})
