"""XQuAD-R's 132 subsets under ``mteb.evaluate``: xir-bench's encode-once task vs plain MTEB.

Plain MTEB evaluates subset by subset and encodes each subset's queries and pool anew
(``XQuADR(encode_once=False)`` is exactly that path: mteb's own search and scoring). The
encode-once task encodes every unique text once and ranks all subsets from memory.

Prints the texts each path sends to the model, wall times and their ratio. The plain
path can be timed on a sample of subsets (spread over mono/cross/multi) and
extrapolated by the number of texts it encodes, which is what its time is made of.

    python bench/mteb_speed.py --data-dir ../shared/data --plain-subsets 12
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

import mteb
from sentence_transformers import SentenceTransformer

from xir_bench.data.tasks import load_task
from xir_bench.models.scratch import save_static_model, save_tiny_transformer
from xir_bench.mteb_plugin.tasks import XQuADR


def counting(model: SentenceTransformer) -> Counter[str]:
    """Count every text the model encodes (wraps ``model.encode`` in place)."""
    seen: Counter[str] = Counter()
    original = model.encode

    def encode(*args, **kwargs):
        texts = args[0] if args else kwargs.get("inputs", kwargs.get("sentences"))
        seen.update([texts] if isinstance(texts, str) else list(texts))
        return original(*args, **kwargs)

    model.encode = encode  # type: ignore[method-assign]
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--model", choices=["tiny-bert", "static"], default="tiny-bert")
    parser.add_argument("--plain-subsets", type=int, default=0, help="time this many plain subsets; 0 = all 132")
    args = parser.parse_args()
    os.environ["XIR_BENCH_DATA_DIR"] = args.data_dir
    work = Path(tempfile.mkdtemp(prefix="xir-mteb-speed-"))
    collection = load_task("xquad-r", data_dir=args.data_dir)
    texts = [*dict.fromkeys(collection.query_texts), *dict.fromkeys(collection.candidate_texts)]
    if args.model == "static":
        path = save_static_model(texts, work / "static", dim=256, vocab_size=8000)
    else:
        path = save_tiny_transformer(texts, work / "tiny-bert", hidden=256, layers=2, heads=4)
    model = SentenceTransformer(str(path), device="cpu")
    seen = counting(model)

    task = XQuADR(progress=False)
    t0 = time.perf_counter()
    fast = mteb.evaluate(model, tasks=[task], cache=None, show_progress_bar=False)
    fast_time = time.perf_counter() - t0
    fast_scores = {e["hf_subset"]: e for e in fast.task_results[0].scores["test"]}
    fast_encoded = sum(seen.values())
    print(f"model {args.model}: {path}")
    print(
        f"encode-once: {len(fast_scores)} subsets in {fast_time:8.2f} s; texts encoded {fast_encoded} "
        f"(unique {len(seen)}), max times one text was encoded: {max(seen.values())}"
    )

    plain_task = XQuADR(encode_once=False, progress=False)
    subsets = list(plain_task.hf_subsets)
    chosen = subsets
    if args.plain_subsets:
        picks = np.linspace(0, len(subsets) - 1, args.plain_subsets).round().astype(int)
        chosen = [subsets[i] for i in sorted(set(picks.tolist()))]
    plain_task.filter_languages(None, hf_subsets=chosen)
    seen.clear()
    t0 = time.perf_counter()
    plain = mteb.evaluate(model, tasks=[plain_task], cache=None, show_progress_bar=False)
    plain_time = time.perf_counter() - t0
    plain_scores = {e["hf_subset"]: e for e in plain.task_results[0].scores["test"]}
    plain_encoded = sum(seen.values())

    def texts_of(subset: str) -> int:
        setting = plain_task.settings[subset]
        queries, pool = collection.setting_members(setting.query_lang, setting.pool_lang)
        return len(queries) + len(pool)

    all_texts = sum(map(texts_of, subsets))
    if len(chosen) < len(subsets):
        plain_time *= all_texts / sum(map(texts_of, chosen))
        label = f"plain MTEB (timed {len(chosen)} subsets, extrapolated to {len(subsets)})"
    else:
        label = f"plain MTEB, {len(subsets)} subsets"
    agree = max(abs(plain_scores[s]["ndcg_at_10"] - fast_scores[s]["ndcg_at_10"]) for s in chosen)
    print(
        f"{label}: {plain_time:8.2f} s; texts encoded {plain_encoded} in the timed subsets, "
        f"{all_texts} for all {len(subsets)}"
    )
    print(f"max |ndcg@10 plain - encode-once| over the timed subsets: {agree:.1e}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(
        f"ratios: texts encoded plain/encode-once = {all_texts / fast_encoded:.1f}x, "
        f"time plain/encode-once = {plain_time / fast_time:.1f}x (target >= 10x)"
    )


if __name__ == "__main__":
    main()
