"""``xir-bench scratch-model``: a small model built from scratch, offline."""

from __future__ import annotations

import argparse
from pathlib import Path

from xir_bench.cli.arguments import add_command, add_data_options, positive_int, score_it_hint


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    scratch = add_command(
        commands,
        "scratch-model",
        help="build a small model from scratch (offline)",
        description="Train a WordPiece tokenizer on a task's texts and save a StaticEmbedding "
        "sentence-transformers model with random token vectors: an offline model for demos and "
        "tests, and a starting point for training.",
    )
    scratch.add_argument("--task", default="mlqa-r", help="task whose texts train the tokenizer (default: mlqa-r)")
    scratch.add_argument("--output", type=Path, required=True, metavar="DIR", help="folder to write the model to")
    scratch.add_argument("--dim", type=positive_int, default=128, help="embedding dimension (default: 128)")
    scratch.add_argument(
        "--vocab-size", type=positive_int, default=8000, help="tokenizer vocabulary size (default: 8000)"
    )
    scratch.add_argument("--seed", type=int, default=0, help="seed of the random token vectors (default: 0)")
    add_data_options(scratch)
    return scratch


def handle(args: argparse.Namespace) -> int:
    from xir_bench.storage.outputs import require_new_folder

    require_new_folder(args.output, "--output")  # before the data is read and the model built
    from xir_bench.data.tasks import load_task
    from xir_bench.models.scratch import save_static_model

    collection = load_task(args.task, args.languages, args.data_dir)
    texts = [*collection.query_texts, *collection.candidate_texts]
    path = save_static_model(texts, args.output, dim=args.dim, vocab_size=args.vocab_size, seed=args.seed)
    print(f"saved a static model ({args.dim}-d, tokenizer trained on {len(texts)} {args.task} texts) to {path}")
    print(score_it_hint(path, None, args.data_dir))
    return 0
