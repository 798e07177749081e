"""``xir-bench leaderboard``: publish the markdown board from stored results."""

from __future__ import annotations

import argparse
from pathlib import Path

from xir_bench.cli.arguments import add_command
from xir_bench.errors import XirBenchError


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    board = add_command(
        commands,
        "leaderboard",
        help="publish the markdown leaderboard from stored results",
        description="Read every <model>/<revision>/<Task>.json under --results (validated), draw per-model "
        "heatmaps and rank-distance charts, and write the board: one table per data set, ranked, with "
        "paired significance tests against the best model of each column, and per-language tables.",
        epilog="example:\n  xir-bench run --model bm25 --output leaderboard/results\n"
        "  xir-bench leaderboard --results leaderboard/results --out leaderboard/README.md",
    )
    board.add_argument(
        "--results",
        type=Path,
        default=Path("leaderboard/results"),
        metavar="DIR",
        help="results folder (default: leaderboard/results)",
    )
    board.add_argument(
        "--out",
        type=Path,
        default=Path("leaderboard/README.md"),
        metavar="FILE",
        help="board to write (default: leaderboard/README.md); pictures go to plots/ beside it",
    )
    board.add_argument(
        "--models",
        type=Path,
        default=Path("models"),
        metavar="DIR",
        help="model cards to link names to (default: models)",
    )
    board.add_argument("--seed", type=int, default=0, help="seed of the significance tests (default: 0)")
    return board


def handle(args: argparse.Namespace) -> int:
    from xir_bench.storage.outputs import require_writable

    if args.out.is_dir():
        raise XirBenchError(f"--out {args.out} is a folder; give the board's file, e.g. {args.out / 'README.md'}")
    require_writable(args.out.parent, "--out")  # before the results are read and pictures drawn
    from xir_bench.board.publish import publish

    path = publish(args.results, args.out, args.models, args.seed)
    print(f"wrote {path}")
    return 0
