"""Bring results written by xir-bench 0.2 up to the current format, in place.

What changed: MLQA-R's results are filed under its source's split, ``dev`` (they were under
``test``); ``model_meta.json`` is mteb's ``ModelMeta`` (``framework`` was ``["xir-bench"]``,
not one of mteb's values; the run's record moved under ``xir_bench``), and the per-query
column ``same_language_first`` is called ``same_language_share``, like its subset score;
per-query tables of parallel tasks carry each question's ``article`` and ``paragraph``
(read from the data, hence ``--data-dir``), which ``xir-bench compare --by`` slices on.
Older results still load without this (the reader renames the column); migrating makes
the files themselves current for mteb's ``ResultCache`` and other readers.

    python -m xir_bench.results.migrate leaderboard/results --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import json
from functools import cache
from pathlib import Path

import pandas as pd

from xir_bench.cards import task_cards_by_mteb_name
from xir_bench.core.collection import SLICE_COLUMNS
from xir_bench.core.settings import Setting
from xir_bench.errors import XirBenchError
from xir_bench.models.registry import kinds
from xir_bench.results.store import RENAMED_COLUMNS, bare_model_meta, write_model_meta, write_per_query
from xir_bench.storage.atomic import write_json


def migrate_model_meta(folder: Path) -> bool:
    """Rewrite an old ``model_meta.json`` as ModelMeta plus the ``xir_bench`` record; True if changed."""
    path = folder / "model_meta.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    if "xir_bench" in meta:
        return False
    extra = {k: v for k, v in meta.items() if k not in ("name", "revision", "framework")}
    framework = {kind.name: list(kind.framework) for kind in kinds()}.get(str(extra.get("kind")), ["NumPy"])
    write_model_meta(folder, bare_model_meta(meta["name"], meta["revision"], framework), extra)
    return True


def migrate_per_query(folder: Path, task_name: str) -> bool:
    """Rename old per-query columns and record the table's new SHA-256 in the result; True if changed."""
    table = folder / f"{task_name}.per_query.parquet"
    frame = pd.read_parquet(table)
    if not set(RENAMED_COLUMNS) & set(frame.columns):
        return False
    result_path = folder / f"{task_name}.json"
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["per_query_sha256"] = write_per_query(folder, task_name, frame.rename(columns=RENAMED_COLUMNS))
    write_json(result_path, result)
    return True


@cache
def _slices_by_question(task: str, languages: tuple[str, ...], data_dir: str | None) -> pd.DataFrame:
    """Question id -> article, paragraph, from the task's data in the result's languages."""
    from xir_bench.data.tasks import load_task

    collection = load_task(task, list(languages), data_dir=data_dir)
    return pd.DataFrame(collection.group_slices, index=pd.Index(collection.group_ids, name="query_id"))


def migrate_slices(folder: Path, task_name: str, data_dir: str | None) -> bool:
    """Give a parallel task's per-query table its slice columns; True if changed."""
    card = task_cards_by_mteb_name().get(task_name)
    table = folder / f"{task_name}.per_query.parquet"
    frame = pd.read_parquet(table)
    if card is None or card.source.format != "lareqa" or set(SLICE_COLUMNS) <= set(frame.columns):
        return False
    languages = tuple(sorted({Setting.parse(subset).query_lang for subset in frame["subset"].unique()}))
    slices = _slices_by_question(card.name, languages, data_dir)
    unknown = sorted(set(frame["query_id"]) - set(slices.index))
    if unknown:
        raise XirBenchError(
            f"{table}: {len(unknown)} question ids are not in {card.name}'s data (first: {unknown[0]!r})\n"
            "  fix: pass the --data-dir of the data this result was computed on"
        )
    frame = frame.drop(columns=[c for c in SLICE_COLUMNS if c in frame.columns])
    position = list(frame.columns).index("query_id") + 1
    for offset, name in enumerate(SLICE_COLUMNS):
        frame.insert(position + offset, name, slices.loc[frame["query_id"], name].to_numpy())
    result_path = folder / f"{task_name}.json"
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["per_query_sha256"] = write_per_query(folder, task_name, frame)
    write_json(result_path, result)
    return True


def migrate_split(folder: Path, task_name: str) -> bool:
    """File a result's scores under its task card's split (MLQA-R: ``test`` -> ``dev``); True if changed."""
    card = task_cards_by_mteb_name().get(task_name)
    path = folder / f"{task_name}.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    scores = result.get("scores", {})
    if card is None or card.split in scores or len(scores) != 1:
        return False
    result["scores"] = {card.split: next(iter(scores.values()))}
    write_json(path, result)
    return True


def migrate(root: Path, data_dir: str | None = None) -> list[Path]:
    """Every ``<model>/<revision>`` folder under ``root``; returns the files changed."""
    changed: list[Path] = []
    for meta_path in sorted(Path(root).glob("*/*/model_meta.json")):
        folder = meta_path.parent
        if migrate_model_meta(folder):
            changed.append(meta_path)
        for table in sorted(folder.glob("*.per_query.parquet")):
            task_name = table.name.removesuffix(".per_query.parquet")
            if migrate_per_query(folder, task_name) | migrate_slices(folder, task_name, data_dir):
                changed.append(table)
            if migrate_split(folder, task_name):
                changed.append(folder / f"{task_name}.json")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, nargs="?", default=Path("leaderboard/results"), help="results folder")
    parser.add_argument("--data-dir", help="where the tasks' data is (for the slice columns; default: the cache)")
    args = parser.parse_args()
    for path in migrate(args.root, args.data_dir):
        print(f"migrated {path}")


if __name__ == "__main__":
    main()
