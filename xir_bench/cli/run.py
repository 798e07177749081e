"""``xir-bench run``: score a model on tasks and print the summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xir_bench.cli.arguments import add_command, add_data_options, positive_int, task_list
from xir_bench.core.collection import (
    CANDIDATE_TEXTS,
    DEFAULT_EVALUATION,
    DEFAULT_TASKS,
    SENTENCE_SOURCES,
    TIE_RULES,
    Evaluation,
)
from xir_bench.models.builtin_kinds import BUILTIN_KINDS
from xir_bench.models.openvino_backend import BACKENDS

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


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    run = add_command(
        commands,
        "run",
        help="evaluate a model on tasks and write results",
        description="Evaluate MODEL on every requested setting of every task.",
        epilog=_RUN_EPILOG,
    )
    run.add_argument(
        "--model",
        required=True,
        help="; ".join(kind.usage for kind in BUILTIN_KINDS),
    )
    run.add_argument(
        "--task",
        type=task_list,
        default=list(DEFAULT_TASKS),
        metavar="T1,T2",
        help=f"xquad-r, mlqa-r, miracl (default: {','.join(DEFAULT_TASKS)})",
    )
    run.add_argument(
        "--settings",
        default="mono,cross,multi",
        metavar="KINDS",
        help="setting kinds to report: any of mono,cross,multi (default: all)",
    )
    add_data_options(run)
    run.add_argument(
        "--output", type=Path, default=Path("results"), metavar="DIR", help="results folder (default: results)"
    )
    run.add_argument("--cache-dir", type=Path, metavar="DIR", help="embedding cache (default: the user cache)")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write cached embeddings")
    run.add_argument("--overwrite", action="store_true", help="recompute even if results exist")
    run.add_argument(
        "--candidate-text",
        choices=CANDIDATE_TEXTS,
        default=DEFAULT_EVALUATION.candidate_text,
        help="encode the sentence alone (default) or with its paragraph (LAReQA's encoder input)",
    )
    run.add_argument(
        "--sentence-source",
        choices=SENTENCE_SOURCES,
        default=DEFAULT_EVALUATION.sentence_source,
        help="candidate sentence text: context[start:end] of each sentence break (default, as LAReQA's "
        "reference evaluation) or the paragraph's 'sentences' strings",
    )
    run.add_argument(
        "--ties",
        choices=TIE_RULES,
        default=DEFAULT_EVALUATION.ties,
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
    run.add_argument(
        "--batch-size",
        type=positive_int,
        metavar="N",
        help="texts per forward pass of a sentence-transformers model (default: 8 on a CPU, the fastest "
        "measured there, see docs/performance.md; 64 on a GPU)",
    )
    run.add_argument(
        "--backend",
        choices=BACKENDS,
        default=BACKENDS[0],
        help="what runs a sentence-transformers model's network: torch (default) or openvino "
        "(pip install 'xir-bench[openvino]'; the same embeddings to float32 rounding, converted once "
        "per model revision and kept in the cache)",
    )
    run.add_argument(
        "--threads",
        type=positive_int,
        metavar="N",
        help="CPU threads for encoding (default: one per core; on a busy machine 1 avoids oversubscription)",
    )
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
    return run


def handle(args: argparse.Namespace) -> int:
    from xir_bench.cards import get_task_card
    from xir_bench.cli.arguments import check_faiss_factory, check_run_request
    from xir_bench.models.openvino_backend import check_openvino_installed
    from xir_bench.models.registry import check_spec

    # Mistakes first, before the heavy imports (torch, mteb) and any work: they end in a moment.
    check_run_request(args.task, args.languages, args.output, args.device, args.data_dir)
    cards = [get_task_card(task) for task in args.task]
    if any(card.kind == "topk" for card in cards):
        check_faiss_factory(args.faiss)
    check_spec(args.model, args.revision, args.backend)
    if args.backend == "openvino":
        check_openvino_installed()
    from xir_bench.core.settings import parse_kinds
    from xir_bench.models.registry import load_model
    from xir_bench.models.threads import limit_threads
    from xir_bench.pipelines.evaluate import RunOptions, SearchOptions, evaluate_task

    options = RunOptions(
        settings=parse_kinds(args.settings),
        languages=args.languages,
        data_dir=args.data_dir,
        output=args.output,
        evaluation=Evaluation(args.candidate_text, args.sentence_source, args.ties),
        block_size=args.block_size,
        overwrite=args.overwrite,
        progress=not args.quiet,
    )
    if args.no_cache:
        options.cache_dir = None
    elif args.cache_dir is not None:
        options.cache_dir = args.cache_dir
    search = SearchOptions(
        chunk_size=args.chunk_size,
        exact_limit=args.exact_limit,
        faiss_factory=args.faiss,
        nprobe=args.nprobe,
        workers=args.workers,
        ray_address=args.ray_address,
    )
    limit_threads(args.threads)
    model = load_model(
        args.model, args.revision, args.query_prefix, args.passage_prefix, args.batch_size, args.device, args.backend
    )
    source = getattr(model.encoder, "prompt_source", None)
    if source is not None and model.encoder is not None:
        prompts = f"{model.encoder.prefix('query')!r} / {model.encoder.prefix('passage')!r}"
        print(f"xir-bench: {model.name}: query / passage prompts {prompts} from {source}", file=sys.stderr)
    trained_on = model.trained_on()
    outcomes = []
    for card in cards:
        if trained_on is not None and trained_on.lower() == card.name:
            print(
                f"xir-bench: warning: {model.name} was trained on {trained_on} (see its card); "
                f"its {card.name} scores are not zero-shot and should not be ranked with the others",
                file=sys.stderr,
            )
        outcomes.append((card, evaluate_task(card, model, options, search)))
    print_summary(outcomes, args.ties)
    return 0


def print_summary(outcomes: list[tuple[Any, Any]], ties: str) -> None:
    """One table per task kind: the parallel tasks' Mo/Cr/Mul and bias, the top-k tasks' measures."""
    from tabulate import tabulate

    from xir_bench.core.columns import PARALLEL_COLUMNS
    from xir_bench.core.metrics import measure, measures_for

    parallel = [o for card, o in outcomes if card.kind == "parallel"]
    topk = [o for card, o in outcomes if card.kind == "topk"]
    state = {True: "reused", False: "new"}
    if parallel:
        # the board's columns (Mo / Cr / Mul mAP, RD), then the same-language share
        share = measure("same_language_share")
        columns = [(kind, metric) for _, kind, metric, _ in PARALLEL_COLUMNS] + [("multi", share.name)]
        headers = ["model", "task", *(header for header, *_ in PARALLEL_COLUMNS), share.header, "", "results"]
        rows = [
            [o.model, o.task, *(o.aggregates.get(k, {}).get(n) for k, n in columns), state[o.reused], str(o.path)]
            for o in parallel
        ]
        print(tabulate(rows, headers=headers, floatfmt=".4f", missingval="-"))
        print("\nmAP pooled over all questions (as LAReQA's paper reports; above: mean over query languages)")
        pooled = [
            [o.model, o.task, *(o.pooled.get(k, {}).get("map") for k in ("mono", "cross", "multi"))] for o in parallel
        ]
        print(tabulate(pooled, headers=["model", "task", "Mo", "Cr", "Mul"], floatfmt=".4f", missingval="-"))
        if ties != DEFAULT_EVALUATION.ties:
            print(f"ties ranked by the {ties!r} rule (recorded in the results)")
    if topk:
        names = [m.name for m in measures_for("topk")]
        rows = [
            [o.model, o.task, *(o.aggregates["mono"].get(n) for n in names), state[o.reused], str(o.path)] for o in topk
        ]
        headers = ["model", "task", *(measure(n).header for n in names), "", "results"]
        print(tabulate(rows, headers=headers, floatfmt=".4f", missingval="-"))
