"""``xir-bench validate``: what a board maintainer runs on a submitted results folder and model card.

Nothing submitted is believed: a result folder's identity (its folder names, ``model_meta.json``),
each result file as mteb reads it, its per-query table's hash and every subset score recomputed
from that table (:mod:`xir_bench.results.verify`), the scores' ranges; a model card's schema,
name, the folder it may name, and its lineage fields (what it was trained on, what it descends
from), which decide whether its rows are zero-shot. Every problem is listed, not the first only.
"""

from __future__ import annotations

import json
from pathlib import Path

from xir_bench.errors import XirBenchError


def validate(paths: list[Path]) -> tuple[list[str], list[str]]:
    """(what was checked and found sound, every problem found), each a line naming its file."""
    sound: list[str] = []
    problems: list[str] = []
    for path in paths:
        if path.suffix == ".toml":
            found = card_problems(path)
            checked = [path]
        elif path.is_dir():
            checked = result_folders(path)
            found = [p for folder in checked for p in folder_problems(folder)]
            if not checked:
                found = [f"{path}: no results here (expected <model>/<revision>/<Task>.json and model_meta.json)"]
        else:
            checked, found = [], [f"{path}: neither a results folder nor a model card (.toml)"]
        problems += found
        sound += [str(p) for p in checked if not any(line.startswith(f"{p}") for line in found)]
    return sound, problems


def result_folders(path: Path) -> list[Path]:
    """The ``<model>/<revision>`` folders at or below ``path`` (a results root, a model, a revision)."""
    if (path / "model_meta.json").exists() or any(path.glob("*.json")):
        return [path]
    return sorted(
        {meta.parent for meta in path.glob("**/model_meta.json")} | {j.parent for j in path.glob("*/*/*.json")}
    )


def folder_problems(folder: Path) -> list[str]:
    """Identity, every result file, every score of one ``<model>/<revision>`` folder."""
    from xir_bench.cards import task_cards_by_mteb_name
    from xir_bench.results.store import read_result
    from xir_bench.storage.names import is_identifier

    problems = []
    for part in (folder.parent.name, folder.name):
        if not is_identifier(part):
            problems.append(f"{folder}: folder name {part!r} cannot be a model name or revision")
    problems += _meta_problems(folder)
    tasks = task_cards_by_mteb_name()
    for path in sorted(p for p in folder.glob("*.json") if p.name != "model_meta.json"):
        if path.stem not in tasks:
            problems.append(f"{path}: {path.stem!r} is no task of this board; known: {', '.join(sorted(tasks))}")
            continue
        try:  # mteb's reading, the hash, the schema's ranges, every score against its rows
            read_result(folder, path.stem)
        except (XirBenchError, RecursionError, TypeError, AttributeError, KeyError) as err:
            problems.append(f"{path}: {err}" if not str(err).startswith(str(path)) else str(err))
    return problems


def _meta_problems(folder: Path) -> list[str]:
    path = folder / "model_meta.json"
    if not path.is_file():
        return [f"{path}: missing (every run writes it: the model's name and revision)"]
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
        return [f"{path}: not valid JSON ({err})"]
    if not isinstance(meta, dict):
        return [f"{path}: a JSON object is expected, not a {type(meta).__name__}"]
    problems = []
    name, revision = meta.get("name"), meta.get("revision")
    if not isinstance(name, str) or name.replace("/", "__") != folder.parent.name:
        problems.append(f"{path}: name {name!r} is not its folder's, {folder.parent.name!r}")
    if revision != folder.name:
        problems.append(f"{path}: revision {revision!r} is not its folder's, {folder.name!r}")
    return problems


def card_problems(path: Path) -> list[str]:
    """A model card: schema, name, the folder it may name, lineage fields."""
    from xir_bench.cards import load_model_card, published_path_problem

    try:
        card = load_model_card(path)
    except XirBenchError as err:
        return [str(err)]
    problems = [p for p in [published_path_problem(path, card)] if p is not None]
    if card.kind == "sentence-transformers" and not (card.original or card.training_data or card.training):
        problems.append(
            f"{path}: no lineage: say what the model descends from (original) or was trained on "
            "(training_data, [training]); the board decides zero-shot from it"
        )
    return problems
