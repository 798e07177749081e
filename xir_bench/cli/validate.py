"""``xir-bench validate PATH...``: check submitted results folders and model cards before they join a board."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xir_bench.cli.arguments import add_command


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    validate = add_command(
        commands,
        "validate",
        help="check results folders and model cards as a board maintainer would",
        description="Check what someone submits to a board: each results folder's identity (folder names, "
        "model_meta.json), each result file as mteb reads it, its per-query table's SHA-256, every subset "
        "score recomputed from that table, the scores' ranges; each model card's schema, name, the folder "
        "it names and its lineage. Every problem is listed; exit 0 when there is none, 2 otherwise.",
        epilog="examples:\n  xir-bench validate leaderboard/results/*/*\n"
        "  xir-bench validate results/my-model models/my-model.toml",
    )
    validate.add_argument(
        "paths", type=Path, nargs="+", metavar="PATH", help="a results folder (root, model or revision) or a card"
    )
    return validate


def handle(args: argparse.Namespace) -> int:
    from xir_bench.results.validate import validate

    sound, problems = validate(args.paths)
    for line in sound:
        print(f"OK    {line}")
    for line in problems:
        print(f"FAIL  {line}", file=sys.stderr)
    print(f"{len(sound)} sound, {len(problems)} problem{'s' * (len(problems) != 1)}")
    return 2 if problems else 0
