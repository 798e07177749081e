"""A miniature of arXiv 2408.10536's comparison: X-X-mono vs X-Y vs hybrid batches.

Trains one from-scratch model per strategy on MLQA-R (alpha = 1: every batch
monolingual; alpha = 0: every batch cross-lingual; alpha = 0.5: hybrid), with the same
base, steps and seed, and scores each zero-shot on XQuAD-R: Mo / Cr / Mul mAP and rank
distance, also split by whether the query/pool languages were seen in training
(el, ru, th, tr are not in MLQA-R). By default everything goes under ``runs/miniature/``
(models, cards, results; not committed); ``--publish`` writes the models to ``models/``,
their cards to ``models/<name>.toml`` and the results to ``leaderboard/results``, as the
published board has them.

    python recipes/reproduce_miniature.py --data-dir ../shared/data

The defaults are the published board's (static 256-d, 1000 steps of batch 100, lr 0.05,
seed 0): about 90 s in all on 2 idle CPU cores (about 22 s of training and 6 s of scoring
per model, measured); a busy machine takes several times longer. ``--base tiny-bert:2x128``
trains a small transformer instead (about 15 minutes for the three).
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

UNSEEN = {"ell", "rus", "tha", "tur"}  # XQuAD-R languages absent from MLQA-R


def breakdown(per_query: Any) -> dict[str, float]:
    """Mean mAP of mono/cross subsets whose languages were all seen, or include an unseen one."""
    subsets = per_query.groupby("subset")["map"].mean()
    out: dict[str, float] = {}
    for kind in ("mono", "cross"):
        rows = {"seen": [], "unseen": []}
        for subset, value in subsets.items():
            query, pool = subset.split("-")
            if pool == "all" or (kind == "mono") != (query == pool):
                continue
            rows["unseen" if {query, pool} & UNSEEN else "seen"].append(value)
        for part, values in rows.items():
            out[f"{kind} {part}"] = sum(values) / len(values)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--base", default="static:256", help="static[:DIM] or tiny-bert[:LxH] (default static:256)")
    parser.add_argument(
        "--steps", type=int, default=1000, help="optimizer steps per model (default 1000, as published)"
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.05, help="0.05 for static embeddings; ~1e-4 for tiny-bert")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prefix", default="mini", help="model names are <prefix>-<strategy>")
    parser.add_argument("--out", type=Path, default=Path("runs/miniature"), help="where models, cards and results go")
    parser.add_argument(
        "--publish", action="store_true", help="write to models/ and leaderboard/results (the published board)"
    )
    parser.add_argument("--retrain", action="store_true", help="delete and retrain existing models")
    args = parser.parse_args()
    # heavy imports after the arguments are read: --help and mistakes answer at once
    import pandas as pd
    from tabulate import tabulate

    from xir_bench.cards import get_task_card
    from xir_bench.models.registry import load_model
    from xir_bench.pipelines.evaluate import RunOptions, evaluate_task
    from xir_bench.train.config import STRATEGY_ALPHAS as STRATEGIES
    from xir_bench.train.recipe import TrainConfig, train

    args.models = Path("models") if args.publish else args.out / "models"
    args.results = Path("leaderboard/results") if args.publish else args.out / "results"

    started = time.perf_counter()
    rows = []
    for strategy, alpha in STRATEGIES.items():
        name = f"{args.prefix}-{strategy}"
        output = args.models / name
        if args.retrain and output.exists():
            shutil.rmtree(output)
        t0 = time.perf_counter()
        losses: list[float] = []
        if not output.exists():
            outcome = train(
                TrainConfig(
                    base=args.base,
                    train="mlqa-r",
                    output=output,
                    alpha=alpha,
                    steps=args.steps,
                    batch_size=args.batch_size,
                    learning_rate=args.lr,
                    seed=args.seed,
                    data_dir=args.data_dir,
                    eval_tasks=["xquad-r"],
                    cards_dir=args.models,
                    name=name,
                    progress=False,
                    overwrite=args.retrain,  # a retrained model replaces its own card
                )
            )
            losses = outcome.losses
        train_time = time.perf_counter() - t0
        model = load_model(
            str(output), query_prefix="Query: ", passage_prefix="Passage: ", batch_size=128, device="cpu"
        )
        options = RunOptions(data_dir=args.data_dir, output=args.results, cache_dir=None, progress=False)
        t0 = time.perf_counter()
        result = evaluate_task(get_task_card("xquad-r"), model, options)
        eval_time = time.perf_counter() - t0
        per_query = pd.read_parquet(result.path.with_name("XQuADR.per_query.parquet"))
        agg = result.aggregates
        rows.append(
            {
                "strategy": f"{strategy} (α={alpha})",
                "Mo": agg["mono"]["map"],
                "Cr": agg["cross"]["map"],
                "Mul": agg["multi"]["map"],
                "RD ↓": agg["multi"]["rank_distance"],
                **breakdown(per_query),
                "loss first→last": f"{losses[0]:.2f}→{losses[-1]:.2f}" if losses else "(reused)",
                "train s": round(train_time, 1),
                "eval s": round(eval_time, 1),
            }
        )
        print(f"{name}: done in {train_time + eval_time:.0f} s", flush=True)
    print()
    print(f"base {args.base}, {args.steps} steps of batch {args.batch_size}, lr {args.lr}, seed {args.seed}")
    print(tabulate(rows, headers="keys", floatfmt=".4f"))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
