"""``xir-bench compare RUN_A RUN_B``: per-setting deltas with paired tests."""

from __future__ import annotations

import argparse
from pathlib import Path

from xir_bench.cli.arguments import add_command


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    compare = add_command(
        commands,
        "compare",
        help="per-setting deltas between two runs, with significance",
        description="Compare two runs subset by subset: A, B, A − B and a paired randomization test on "
        "per-query scores (Benjamini-Hochberg adjusted over all rows).",
        epilog="example:\n  xir-bench compare results/bm25/bm25s-0.3.16 results/static-scratch",
    )
    compare.add_argument("run_a", type=Path, metavar="RUN_A", help="a <model>/<revision> (or <model>) results folder")
    compare.add_argument("run_b", type=Path, metavar="RUN_B", help="the run to compare against")
    compare.add_argument("--metric", default="map", help="per-query metric: map, ndcg_at_10, mrr, recall_at_10, ...")
    compare.add_argument("--seed", type=int, default=0, help="seed of the tests (default: 0)")
    return compare


def handle(args: argparse.Namespace) -> int:
    from xir_bench.board.compare import compare
    from xir_bench.results.runs import resolve_run

    print(compare(resolve_run(args.run_a), resolve_run(args.run_b), args.metric, args.seed))
    return 0
