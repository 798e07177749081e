"""``xir-bench train``: the hybrid-batch training recipe (arXiv 2408.10536)."""

from __future__ import annotations

import argparse
from pathlib import Path

from xir_bench.cli.arguments import add_command, alpha_argument, csv_list, score_it_hint
from xir_bench.core.collection import DEFAULT_TASKS


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    trainer = add_command(
        commands,
        "train",
        help="fine-tune a model with hybrid mono/cross-lingual batches",
        description="Train a dual encoder with in-batch negatives (MultipleNegativesRankingLoss) where each "
        "batch is monolingual with probability ALPHA, else cross-lingual (arXiv 2408.10536; alpha=1 is "
        "X-X-mono, alpha=0 is X-Y). Pairs of one parallel question never share a batch. Inputs get the "
        "base model's own prompts (else 'Query: ' / 'Passage: '). Writes the model to OUTPUT and its card "
        "beside it (OUTPUT.toml's folder, or --cards DIR), so 'xir-bench run --model OUTPUT' scores it; "
        "with --output models/NAME the board links the card.",
        epilog="examples:\n"
        "  xir-bench train --alpha 0.5 --base static:256 --train mlqa-r --eval-tasks xquad-r "
        "--lr 0.05 --steps 3000 --output models/my-hybrid\n"
        "  xir-bench train --alpha 0.5 --base intfloat/multilingual-e5-small --train pairs.jsonl "
        "--output models/e5-hybrid\n\n"
        "training data (--train): a task (mlqa-r: every question paired with its answer in every\n"
        "language of its group), a JSONL file with query, positive, query_language,\n"
        "passage_language, group [, negative] per line, or hf:NAME[:SPLIT] with those columns.",
    )
    trainer.add_argument(
        "--base",
        required=True,
        help="static[:DIM], tiny-bert[:LAYERSxHIDDEN] (from scratch, "
        "tokenizer trained on the training texts), or a sentence-transformers id/folder",
    )
    trainer.add_argument("--train", required=True, help="mlqa-r, pairs.jsonl or hf:NAME[:SPLIT]")
    trainer.add_argument("--output", required=True, type=Path, help="folder for the trained model (must be new)")
    trainer.add_argument(
        "--alpha",
        type=alpha_argument,
        default=0.5,
        metavar="ALPHA",
        help="probability of a monolingual batch, or a strategy's name: x-x-mono (1), x-y (0), "
        "hybrid (0.5; the default)",
    )
    trainer.add_argument("--steps", type=int, default=1000, help="optimizer steps (default 1000)")
    trainer.add_argument("--batch-size", type=int, default=100, help="pairs per batch (default 100, as the paper)")
    trainer.add_argument(
        "--lr",
        type=float,
        default=3e-5,
        help="AdamW learning rate (default 3e-5, as the paper; from-scratch static embeddings want ~0.05)",
    )
    trainer.add_argument("--weight-decay", type=float, default=0.01, help="AdamW weight decay (default 0.01)")
    trainer.add_argument("--seed", type=int, default=0, help="seed of model init, batches and order (default 0)")
    trainer.add_argument(
        "--loss",
        choices=["mnrl", "cached-mnrl"],
        default="mnrl",
        help="cached-mnrl (GradCache) for batches larger than memory",
    )
    trainer.add_argument("--mini-batch-size", type=int, default=32, help="cached-mnrl's mini-batch (default 32)")
    trainer.add_argument(
        "--eval-tasks",
        type=csv_list,
        default=list(DEFAULT_TASKS),
        metavar="T1,T2",
        help="tasks the model will be scored on; training data overlapping them is refused"
        f" (default: {','.join(DEFAULT_TASKS)})",
    )
    trainer.add_argument(
        "--allow-contamination",
        action="store_true",
        help="train anyway when the data overlaps --eval-tasks (the card says so)",
    )
    trainer.add_argument(
        "--cards",
        type=Path,
        metavar="DIR",
        help="where to write the model card <name>.toml (default: beside --output; models/ to publish it)",
    )
    trainer.add_argument("--name", help="model name on the board (default: the output folder's name)")
    trainer.add_argument("--data-dir", metavar="DIR", help="data folder, as for run")
    trainer.add_argument("--languages", type=csv_list, metavar="L1,L2", help="train on these languages of a task only")
    trainer.add_argument("--max-seq-length", type=int, default=128, help="tokens per text (default 128)")
    trainer.add_argument(
        "--freeze-embeddings",
        action="store_true",
        help="freeze the word-embedding matrix (most of a multilingual model)",
    )
    trainer.add_argument("--query-prompt", help="prefix of queries (default: the base model's own, else 'Query: ')")
    trainer.add_argument("--passage-prompt", help="prefix of passages (default: the base model's, else 'Passage: ')")
    trainer.add_argument(
        "--holdout-groups",
        type=int,
        default=0,
        metavar="N",
        help="keep N parallel groups out of training; log retrieval on them",
    )
    trainer.add_argument("--eval-steps", type=int, metavar="N", help="evaluate held-out groups every N steps")
    trainer.add_argument("--overwrite", action="store_true", help="replace an existing card of the same --name")
    trainer.add_argument("--quiet", action="store_true", help="no progress bars")
    return trainer


def handle(args: argparse.Namespace) -> int:
    from xir_bench.train.config import TrainConfig, validate

    config = TrainConfig(
        base=args.base,
        train=args.train,
        output=args.output,
        alpha=args.alpha,
        steps=args.steps,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        weight_decay=args.weight_decay,
        seed=args.seed,
        loss=args.loss,
        mini_batch_size=args.mini_batch_size,
        data_dir=args.data_dir,
        languages=args.languages,
        eval_tasks=args.eval_tasks,
        allow_contamination=args.allow_contamination,
        cards_dir=args.cards if args.cards is not None else args.output.parent,
        name=args.name,
        progress=not args.quiet,
        max_seq_length=args.max_seq_length,
        freeze_embeddings=args.freeze_embeddings,
        query_prompt=args.query_prompt,
        passage_prompt=args.passage_prompt,
        holdout_groups=args.holdout_groups,
        eval_steps=args.eval_steps,
        overwrite=args.overwrite,
    )
    validate(config)  # before torch is imported: a mistake ends in a moment
    from xir_bench.train.recipe import train

    outcome = train(config)
    losses = outcome.losses
    for point in outcome.held_out:
        print(f"held-out retrieval, step {point.pop('step')}: " + ", ".join(f"{k} {v:.4f}" for k, v in point.items()))
    curve = f"loss {losses[0]:.3f} -> {losses[-1]:.3f}" if losses else "no loss logged"
    print(f"trained on {outcome.pairs['pairs']} pairs; {curve}")
    print(f"model: {outcome.model_path}\ncard:  {outcome.card_path}")
    print(score_it_hint(outcome.model_path, args.eval_tasks, args.data_dir))
    return 0
