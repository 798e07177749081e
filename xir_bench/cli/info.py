"""``xir-bench info TASK``: what a task holds, per language."""

from __future__ import annotations

import argparse
import json

from xir_bench.cli.arguments import add_command, add_data_options


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    info = add_command(
        commands,
        "info",
        help="counts of a task's questions and candidates",
        description="Per-language question and candidate counts and the multilingual pool size; for "
        "miracl, per-language dev queries and judgments.",
    )
    info.add_argument("task", help="a task card's name: xquad-r, mlqa-r, miracl, ...")
    info.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_data_options(info)
    return info


def handle(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from xir_bench.cards import get_task_card
    from xir_bench.data.tasks import task_stats

    stats = task_stats(args.task, args.languages, args.data_dir)
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    if get_task_card(args.task).kind == "topk":  # queries and judgments per language
        rows = [[lang, *v.values()] for lang, v in stats["languages"].items()]
        print(tabulate(rows, headers=["language", "queries", "with positive", "judgments", "positive"]))
        return 0
    rows = [[lang, v["questions"], v["candidates"], v["skipped_questions"]] for lang, v in stats["languages"].items()]
    print(tabulate(rows, headers=["language", "questions", "candidates", "skipped"]))
    print(f"\n{stats['question_ids']} question ids, multilingual pool of {stats['multilingual_pool']} candidates")
    return 0
