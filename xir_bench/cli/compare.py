"""``xir-bench compare RUN_A RUN_B``: per-setting deltas with paired tests, or per slice with ``--by``."""

from __future__ import annotations

import argparse
from pathlib import Path

from xir_bench.cli.arguments import add_command

SLICE_HELP = """\
With --by, each slice (a language, a Wikipedia article, a domain of articles) gets
A, B, A − B, a 95% interval and a paired sign-flip test for every board column (Mo, Cr,
Mul mAP and rank distance), Benjamini-Hochberg-adjusted over the slices. Tests and
intervals resample units, never single rows: --unit question, paragraph or article.
The default is the coarsest unit the slicing leaves free - article for --by language
and --by domain (a claim about a domain should hold for other articles of it),
paragraph for --by article. A cross-lingual row counts for both its languages.
A p-value no draw reached is printed as a bound, "< 4e-06"."""


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from xir_bench.core.collection import SLICINGS, UNITS

    compare = add_command(
        commands,
        "compare",
        help="deltas between two runs per setting or per language/article/domain, with significance",
        description="Compare two runs subset by subset: A, B, A − B and a paired randomization test on "
        "per-query scores (Benjamini-Hochberg adjusted over all rows).\n\n" + SLICE_HELP,
        epilog="examples:\n"
        "  xir-bench compare results/bm25/bm25s-0.3.16 results/static-scratch\n"
        "  xir-bench compare leaderboard/results/e5-small-hybrid leaderboard/results/e5-small-base \\\n"
        "      --by domain --task xquad-r --plot hybrid-vs-base.png",
    )
    compare.add_argument("run_a", type=Path, metavar="RUN_A", help="a <model>/<revision> (or <model>) results folder")
    compare.add_argument("run_b", type=Path, metavar="RUN_B", help="the run to compare against")
    compare.add_argument("--metric", default="map", help="per-query metric: map, ndcg_at_10, mrr, recall_at_10, ...")
    compare.add_argument("--by", choices=SLICINGS, help="compare slice by slice: language, article or domain")
    compare.add_argument("--unit", choices=UNITS, help="what tests and intervals resample (default: see above)")
    compare.add_argument("--task", help="only these tasks, comma-separated (xquad-r, mlqa-r)")
    compare.add_argument("--plot", type=Path, metavar="PNG", help="with --by: a forest plot of one task's slices")
    compare.add_argument("--csv", type=Path, metavar="CSV", help="with --by: every row of the comparison as CSV")
    compare.add_argument("--seed", type=int, default=0, help="seed of the tests (default: 0)")
    return compare


def handle(args: argparse.Namespace) -> int:
    from xir_bench.board.compare import compare
    from xir_bench.errors import XirBenchError
    from xir_bench.results.runs import resolve_run

    run_a, run_b = resolve_run(args.run_a), resolve_run(args.run_b)
    tasks = [t.strip() for t in args.task.split(",") if t.strip()] if args.task else None
    if args.by is None:
        if args.plot or args.csv or args.unit:
            raise XirBenchError("--plot, --csv and --unit go with --by\n  fix: add --by language|article|domain")
        print(compare(run_a, run_b, args.metric, args.seed))
        return 0
    from xir_bench.board.compare_slices import render, slice_tasks, write_csv
    from xir_bench.board.forest import forest_plot

    for path, suffix in ((args.plot, ".png"), (args.csv, ".csv")):
        if path is not None and path.suffix.lower() != suffix:
            raise XirBenchError(f"{path}: expected a {suffix} file name")
    compared, notes = slice_tasks(run_a, run_b, args.by, args.unit, args.metric, tasks, args.seed)
    print(render(run_a, run_b, args.by, compared, notes))
    if args.plot is not None:
        if len(compared) > 1:
            raise XirBenchError(f"--plot draws one task; {len(compared)} were compared\n  fix: choose one with --task")
        title = f"{run_a.model} − {run_b.model}, {compared[0].title} by {args.by} (unit: {compared[0].unit})"
        print(f"wrote {forest_plot(compared[0].rows, title, args.plot)}")
    if args.csv is not None:
        print(f"wrote {write_csv(compared, args.csv)}")
    return 0
