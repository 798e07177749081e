"""``xir-bench reproduce``: rerun the board's published conditions and check their scores."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xir_bench.cli.arguments import add_command
from xir_bench.errors import XirBenchError


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    repro = add_command(
        commands,
        "reproduce",
        help="rerun the board's published conditions and check their scores",
        description="Run each condition of the reproducibility matrix (leaderboard/conditions.toml: the exact "
        "commands behind a published row, and the scores they must give) in a fresh folder, and print OK "
        "(equal), OKish (|delta| <= 5e-4) or FAIL per score. Exits 1 if any score FAILs.",
        epilog="examples:\n  xir-bench reproduce --data-dir ../shared/data\n"
        "  xir-bench reproduce --condition bm25-xquad-r --condition static-scratch-xquad-r --data-dir ../shared/data",
    )
    repro.add_argument("--condition", action="append", metavar="NAME", help="only this condition (repeatable)")
    repro.add_argument(
        "--conditions",
        type=Path,
        default=Path("leaderboard/conditions.toml"),
        metavar="FILE",
        help="the matrix (default: leaderboard/conditions.toml)",
    )
    repro.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="data folder the commands read (default: $XIR_BENCH_DATA_DIR, else ../shared/data)",
    )
    repro.add_argument("--list", action="store_true", help="list the conditions and exit")
    repro.add_argument(
        "--update-from",
        type=Path,
        metavar="RESULTS",
        help="maintainers: rewrite the expected scores from a published results folder (runs nothing)",
    )
    return repro


def handle(args: argparse.Namespace) -> int:
    import os

    from tabulate import tabulate

    from xir_bench.board.reproduce import load_conditions, reproduce

    if args.update_from is not None:
        from xir_bench.board.reproduce import update_expected

        updated = update_expected(args.conditions, args.update_from)
        print(f"updated the expected scores of {len(updated)} conditions in {args.conditions}")
        return 0
    conditions = load_conditions(args.conditions)
    if args.list:
        for condition in conditions:
            print(f"{condition.name}: " + " && ".join(condition.commands))
        return 0
    if args.condition:
        unknown = sorted(set(args.condition) - {c.name for c in conditions})
        if unknown:
            known = ", ".join(c.name for c in conditions)
            raise XirBenchError(f"unknown condition(s) {', '.join(unknown)}; known: {known}")
        conditions = [c for c in conditions if c.name in args.condition]
    data_dir = args.data_dir or Path(os.environ.get("XIR_BENCH_DATA_DIR", "../shared/data"))
    checks = []
    for condition in conditions:
        print(f"reproducing {condition.name} ...", file=sys.stderr, flush=True)
        checks += reproduce(condition, data_dir, args.run_cli)
    rows = [
        [c.condition, c.score, f"{c.expected:.6f}", f"{c.got:.6f}", f"{c.got - c.expected:+.2e}", c.verdict]
        for c in checks
    ]
    print(tabulate(rows, headers=["condition", "score", "published", "now", "delta", ""], disable_numparse=True))
    failed = sum(c.verdict == "FAIL" for c in checks)
    print(f"\n{len(checks) - failed} of {len(checks)} scores reproduced" + (f"; {failed} FAIL" if failed else ""))
    return 1 if failed else 0
