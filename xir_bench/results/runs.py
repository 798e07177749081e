"""Find and read stored runs: ``<results>/<model>/<revision>/<Task>.json`` folders.

The board and ``xir-bench compare`` both start here. Every file is validated
(``results.read_result``); a bad one is a clear error that names it.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

from xir_bench.core.settings import Setting, SettingKind
from xir_bench.errors import XirBenchError
from xir_bench.results.store import StoredResult, read_result


@dataclass(frozen=True)
class Run:
    """One model at one revision, with its stored results by mteb task name."""

    model: str
    revision: str
    folder: Path
    results: dict[str, StoredResult]

    def latest_date(self) -> float:
        return max((float(r.task_result.get("date") or 0) for r in self.results.values()), default=0.0)


def subset_kind(subset: str) -> SettingKind:
    """``eng-eng`` -> mono, ``eng-deu`` -> cross, ``eng-all`` -> multi; MIRACL's ``sw`` -> mono."""
    return Setting.parse(subset).kind if "-" in subset else "mono"


def read_run(folder: Path) -> Run:
    """The run stored in ``folder`` (a ``<model>/<revision>`` results folder)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise XirBenchError(f"{folder}: no such results folder")
    names = _result_names(folder)
    if not names:
        raise XirBenchError(f"{folder}: no result files (expected <Task>.json beside model_meta.json)")
    results = {name: read_result(folder, name) for name in names}
    meta_path = folder / "model_meta.json"
    model = folder.parent.name
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise XirBenchError(f"{meta_path}: line {err.lineno}: not valid JSON ({err.msg})") from err
        if not isinstance(meta, dict):
            raise XirBenchError(f"{meta_path}: a JSON object is expected, not a {type(meta).__name__}")
        model = str(meta.get("name") or model)
    return Run(model=model, revision=folder.name, folder=folder, results={k: v for k, v in results.items() if v})


def resolve_run(path: Path) -> Run:
    """A run from a ``<model>/<revision>`` folder, or a ``<model>`` folder with one or more revisions."""
    path = Path(path)
    if any(path.glob("*.json")):
        return read_run(path)
    revisions = [p for p in sorted(path.iterdir()) if p.is_dir()] if path.is_dir() else []
    if not revisions:
        raise XirBenchError(f"{path}: not a results folder (expected <model>/<revision>/<Task>.json)")
    return max((read_run(p) for p in revisions), key=lambda run: (run.latest_date(), run.revision))


def _result_names(folder: Path) -> list[str]:
    """The task results stored in a ``<model>/<revision>`` folder (every JSON but model_meta.json)."""
    return sorted(p.stem for p in folder.glob("*.json") if p.name != "model_meta.json")


def discover_runs(root: Path) -> list[Run]:
    """Every model under ``root``, sorted by model name; one revision each, or an error.

    The board shows one row per model: a model folder with several revisions (a rerun of a
    recipe, a retrained checkpoint) is an error naming them, never a silent choice; so is
    one model name stored in two folders.
    """
    root = Path(root)
    if not root.is_dir():
        raise XirBenchError(f"{root}: results folder not found")
    runs = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        revisions = sorted(
            p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".") and _result_names(p)
        )
        if not revisions:  # e.g. what a run that failed on a full disk left: nothing to show, nothing to refuse
            warnings.warn(f"{folder}: no results inside; skipped", stacklevel=2)
            continue
        if len(revisions) > 1:
            raise XirBenchError(
                f"{folder}: {len(revisions)} revisions ({', '.join(revisions)}); the board shows one per model: "
                "move the ones not to publish out of the results folder (or rename the model)"
            )
        runs.append(resolve_run(folder))
    by_name: dict[str, Run] = {}
    for run in runs:
        if run.model in by_name:
            raise XirBenchError(
                f"model name {run.model!r} is stored twice: {by_name[run.model].folder} and {run.folder}; "
                "give one of them another name"
            )
        by_name[run.model] = run
    return sorted(runs, key=lambda run: run.model)
