"""``xir-bench mteb ...``: mteb's own CLI with xir-bench's tasks registered."""

from __future__ import annotations

import argparse

from xir_bench.cli.arguments import add_command


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    mteb = add_command(
        commands,
        "mteb",
        help="mteb's own CLI, with xir-bench's tasks registered",
        description="Everything after 'mteb' goes to mteb's CLI, after XQuADR, MLQAR and XirMIRACL are "
        "registered. Data comes from $XIR_BENCH_DATA_DIR (or the cache / a download).",
        epilog="example:\n  XIR_BENCH_DATA_DIR=../shared/data xir-bench mteb run -m models/static-scratch "
        "-t LAReQAXQuADMono --output-folder results-mteb\n\n"
        "mteb's own commands and options (these import mteb: about 10 s):\n"
        "  xir-bench mteb run --help\n  xir-bench mteb available-tasks --help",
        add_help=False,
    )
    return mteb


def handle(rest: list[str]) -> int:
    from xir_bench.mteb_plugin.compat import run_mteb_cli
    from xir_bench.mteb_plugin.tasks import register

    register()
    return run_mteb_cli(rest)
