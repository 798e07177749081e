"""``xir-bench export-mteb``: the tasks in mteb's dataset layout, ready to contribute upstream."""

from __future__ import annotations

import argparse
from pathlib import Path

from xir_bench.cli.arguments import add_command, task_list
from xir_bench.core.collection import DEFAULT_TASKS
from xir_bench.storage.outputs import require_output_folder


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    export = add_command(
        commands,
        "export-mteb",
        help="write the tasks as mteb datasets (corpus / queries / qrels per subset, parquet)",
        description="Write every per-kind task of the parallel data sets (LAReQAXQuADMono, ...Cross, ...Multi) "
        "as a Hugging Face dataset in mteb's retrieval layout: <subset>-corpus, <subset>-queries and "
        "<subset>-qrels configs (parquet) and a dataset card. mteb's RetrievalDatasetLoader reads the folder "
        "as it would the hub repository, so the tasks can be contributed to mteb.",
        epilog="example:\n  xir-bench export-mteb --output mteb-export --data-dir ../shared/data\n"
        '  python -c "from mteb.abstasks.retrieval_dataset_loaders import RetrievalDatasetLoader as L; '
        "print(L('mteb-export/LAReQAXQuADMono', None, 'test', config='eng').load()['corpus'])\"",
    )
    export.add_argument("--output", type=Path, required=True, metavar="DIR", help="folder for the datasets")
    export.add_argument(
        "--task",
        type=task_list,
        default=list(DEFAULT_TASKS),
        metavar="T1,T2",
        help=f"parallel tasks to export (default: {','.join(DEFAULT_TASKS)})",
    )
    export.add_argument("--data-dir", metavar="DIR", help="data folder, as for run")
    export.add_argument("--quiet", action="store_true", help="no progress bars")
    return export


def handle(args: argparse.Namespace) -> int:
    from xir_bench.cards import get_task_card
    from xir_bench.errors import XirBenchError

    require_output_folder(args.output, "--output")
    cards = [get_task_card(task) for task in args.task]
    topk = [card.name for card in cards if card.kind != "parallel"]
    if topk:
        raise XirBenchError(
            f"{', '.join(topk)}: a top-k task; mteb already has it (MIRACLRetrieval), export the parallel tasks"
        )
    from xir_bench.mteb_plugin.export import export_task

    for card in cards:
        for folder in export_task(card, args.output, args.data_dir, progress=not args.quiet):
            print(f"wrote {folder}")
    return 0
