"""Speed of the encode-once engine on XQuAD-R (all 132 settings) against a per-setting baseline.

Prints:
  (a) encode-only time: every unique query and candidate text, once, no cache
  (b) whole run: evaluate_task on an empty cache (load, encode, rank every setting, metrics, write)
  (c) per-setting baseline: what MTEB does per subset - encode that setting's queries and
      pool, score, rank - for every setting; its mAP is checked against (b)'s
  (d) warm rerun: the same command again (stored results and embeddings reused), and with
      --overwrite (embeddings from the cache, every setting re-ranked)
  (e) peak RSS after each step
and the ratios the evaluation-core issue sets targets for.

    python bench/eval_speed.py --data-dir ../shared/data            # full baseline (~15 min on 2 cores)
    python bench/eval_speed.py --data-dir ../shared/data --baseline-settings 12   # sampled, extrapolated
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

from xir_bench.cards import get_task_card
from xir_bench.core.evaluate import compute_rank_table, per_query_frame
from xir_bench.core.metrics import average_precision
from xir_bench.core.ranking import Pool, rank_relevant
from xir_bench.core.settings import Setting, enumerate_settings
from xir_bench.data.tasks import load_task
from xir_bench.models.registry import load_model
from xir_bench.models.scratch import save_tiny_transformer
from xir_bench.models.sentence_encoder import SentenceTransformerEncoder
from xir_bench.pipelines.evaluate import RunOptions, evaluate_task


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline_setting(encoder: SentenceTransformerEncoder, collection, setting: Setting) -> float:
    """Encode this setting's queries and pool from scratch, rank, return its mAP."""
    rows, pool_ids = collection.setting_members(setting.query_lang, setting.pool_lang)
    queries = torch.from_numpy(encoder.encode([collection.query_texts[r] for r in rows], "query"))
    pool = torch.from_numpy(encoder.encode([collection.candidate_texts[c] for c in pool_ids], "passage"))
    queries = torch.nn.functional.normalize(queries, dim=1)
    pool = torch.nn.functional.normalize(pool, dim=1)
    relevant = collection.relevant_matrix()[rows]
    in_pool = np.isin(relevant, pool_ids)
    relevant = np.where(in_pool, relevant, -1)
    spec = Pool("setting", pool_ids, ((0, len(pool_ids)),), multilingual=True, segments_are_pools=True)
    ranks = rank_relevant(
        spec, relevant, lambda q: queries[torch.from_numpy(q)] @ pool.T, collection.n_candidates, progress=False
    ).whole_pool
    keep = np.isfinite(ranks).any(axis=1)
    return float(average_precision(ranks[keep]).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--model", help="model folder (default: build a tiny random BERT from the task's texts)")
    parser.add_argument("--layers", type=int, default=2, help="layers of the tiny BERT (default: 2)")
    parser.add_argument("--hidden", type=int, default=256, help="hidden size of the tiny BERT (default: 256)")
    parser.add_argument(
        "--baseline-settings",
        type=int,
        default=0,
        help="time only this many settings of the baseline (spread over mono/cross/multi) and extrapolate; 0 = all",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xir-speed-"))
    collection = load_task("xquad-r", data_dir=args.data_dir)
    unique_queries = list(dict.fromkeys(collection.query_texts))
    unique_candidates = list(dict.fromkeys(collection.candidate_texts))
    model_path = args.model or str(
        save_tiny_transformer(
            [*unique_queries, *unique_candidates],
            work / "tiny-bert",
            hidden=args.hidden,
            layers=args.layers,
            heads=max(1, args.hidden // 64),
        )
    )
    model = load_model(model_path, device="cpu")
    encoder = model.encoder
    assert encoder is not None
    print(f"model: {model_path}  threads: {torch.get_num_threads()}", flush=True)
    print(
        f"XQuAD-R: {collection.n_queries} queries ({len(unique_queries)} unique), "
        f"{collection.n_candidates} candidates ({len(unique_candidates)} unique)"
    )

    t0 = time.perf_counter()
    encoder.encode(unique_queries, "query")
    encoder.encode(unique_candidates, "passage")
    encode_only = time.perf_counter() - t0
    print(f"(a) encode-only, unique texts:          {encode_only:8.2f} s   peak RSS {peak_rss_mb():7.0f} MB")

    options = RunOptions(data_dir=args.data_dir, output=work / "results", cache_dir=work / "cache", progress=False)

    card = get_task_card("xquad-r")
    t0 = time.perf_counter()
    outcome = evaluate_task(card, model, options)
    whole = time.perf_counter() - t0
    print(f"(b) whole run, 132 settings, cold cache: {whole:8.2f} s   peak RSS {peak_rss_mb():7.0f} MB")

    scorer = model.parallel_scorer(collection, options.cache_dir, progress=False)
    assert scorer is not None
    settings = enumerate_settings(list(collection.languages))
    t0 = time.perf_counter()
    table = compute_rank_table(collection, scorer, progress=False)
    per_query = per_query_frame(collection, table, settings)
    scoring = time.perf_counter() - t0
    print(f"    of which scoring + metrics, all settings: {scoring:6.2f} s")

    t0 = time.perf_counter()
    evaluate_task(card, model, options)
    warm = time.perf_counter() - t0
    options.overwrite = True
    t0 = time.perf_counter()
    evaluate_task(card, model, options)
    warm_overwrite = time.perf_counter() - t0
    print(f"(d) warm rerun (results reused):         {warm:8.2f} s")
    print(f"    warm rerun --overwrite (re-rank all): {warm_overwrite:8.2f} s")

    chosen = settings
    if args.baseline_settings:
        picks = np.linspace(0, len(settings) - 1, args.baseline_settings).round().astype(int)
        chosen = [settings[i] for i in sorted(set(picks.tolist()))]
    engine_map = per_query.groupby("subset")["map"].mean()
    t0 = time.perf_counter()
    worst = 0.0
    for setting in chosen:
        worst = max(worst, abs(baseline_setting(encoder, collection, setting) - engine_map[setting.subset]))
    baseline = time.perf_counter() - t0
    if len(chosen) < len(settings):
        # Extrapolate by the number of texts encoded, which is what the baseline's time is made of.
        def texts(s: Setting) -> int:
            queries, pool = collection.setting_members(s.query_lang, s.pool_lang)
            return len(queries) + len(pool)

        baseline *= sum(map(texts, settings)) / sum(map(texts, chosen))
        label = f"(c) per-setting baseline (extrapolated from {len(chosen)} settings)"
    else:
        label = "(c) per-setting baseline, 132 settings"
    print(f"{label}: {baseline:8.2f} s   max |mAP engine - baseline| = {worst:.2e}")
    print(f"(e) peak RSS:                             {peak_rss_mb():8.0f} MB")
    print()
    print(
        f"ratios: (b)/(a) = {whole / encode_only:.3f} (target <= 1.15)   (c)/(b) = {baseline / whole:.1f} "
        f"(target >= 10)   (d)/(b) = {warm / whole:.3%} reused, {warm_overwrite / whole:.1%} --overwrite "
        f"(target <= 5%)   scoring {scoring:.2f} s (target <= 5 s)"
    )
    print(
        f"summary: {outcome.aggregates['mono']['map']:.4f} Mo / {outcome.aggregates['cross']['map']:.4f} Cr / "
        f"{outcome.aggregates['multi']['map']:.4f} Mul mAP"
    )


if __name__ == "__main__":
    main()
