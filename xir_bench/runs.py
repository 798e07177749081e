"""Find and read stored runs: ``<results>/<model>/<revision>/<Task>.json`` folders.

The board and ``xir-bench compare`` both start here. Every file is validated
(``results.read_result``); a bad one is a clear error that names it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from xir_bench.errors import XirBenchError
from xir_bench.results import StoredResult, read_result
from xir_bench.settings import SettingKind


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
    if "-" not in subset:
        return "mono"
    query, pool = subset.split("-", 1)
    if pool == "all":
        return "multi"
    return "mono" if pool == query else "cross"


def read_run(folder: Path) -> Run:
    """The run stored in ``folder`` (a ``<model>/<revision>`` results folder)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise XirBenchError(f"{folder}: no such results folder")
    names = sorted(p.stem for p in folder.glob("*.json") if p.name != "model_meta.json")
    if not names:
        raise XirBenchError(f"{folder}: no result files (expected <Task>.json beside model_meta.json)")
    results = {name: read_result(folder, name) for name in names}
    meta_path = folder / "model_meta.json"
    model = folder.parent.name
    if meta_path.exists():
        try:
            model = str(json.loads(meta_path.read_text(encoding="utf-8")).get("name") or model)
        except json.JSONDecodeError as err:
            raise XirBenchError(f"{meta_path}: line {err.lineno}: not valid JSON ({err.msg})") from err
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


def discover_runs(root: Path) -> list[Run]:
    """Every model under ``root``, at its most recent revision, sorted by model name."""
    root = Path(root)
    if not root.is_dir():
        raise XirBenchError(f"{root}: results folder not found")
    runs = [resolve_run(p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    return sorted(runs, key=lambda run: run.model)
