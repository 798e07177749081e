"""torch against OpenVINO for a sentence-transformers folder: speed and fidelity on real texts.

For each backend and batch size: texts per CPU-second and per wall-second while encoding
N real XQuAD-R texts (questions and candidate sentences, spread over the 11 languages,
each with the model card's prefix), then the cosine of every OpenVINO embedding with
torch's (mean and minimum). Both backends run in this one process, one after the other,
on the same texts, so the ratio is measured side by side; the best of --repeats passes
counts, as a shared machine is noisy.

    python bench/backends.py --model runs/paper/models/e5-small-base --data-dir ../shared/data \\
        [--texts 2000] [--batch-sizes 8,16,32,64] [--threads 2] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

from xir_bench.models.sentence_encoder import SentenceTransformerEncoder
from xir_bench.models.threads import limit_threads

LANGS = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")


def real_texts(data_dir: str, count: int) -> tuple[list[str], list[str]]:
    """(questions, sentences): an even spread over every language and article, ``count`` in all."""
    questions: list[str] = []
    sentences: list[str] = []
    per_language = count // len(LANGS) + 1
    for lang in LANGS:
        doc = json.loads((Path(data_dir) / "lareqa" / "xquad-r" / f"{lang}.json").read_text(encoding="utf-8"))
        q = [qa["question"] for a in doc["data"] for p in a["paragraphs"] for qa in p["qas"]]
        s = [p["context"][a:b] for art in doc["data"] for p in art["paragraphs"] for a, b in p["sentence_breaks"]]
        half = per_language // 2
        questions += q[:: max(1, len(q) // half)][:half]
        sentences += s[:: max(1, len(s) // (per_language - half))][: per_language - half]
    keep = count * len(questions) // (len(questions) + len(sentences))
    return questions[:keep], sentences[: count - keep]


def timed(
    encoder: SentenceTransformerEncoder, questions: list[str], sentences: list[str]
) -> tuple[float, float, np.ndarray]:
    """(CPU seconds, wall seconds, embeddings) of encoding the texts once."""
    cpu, wall = time.process_time(), time.perf_counter()
    embeddings = np.concatenate([encoder.encode(questions, "query"), encoder.encode(sentences, "passage")])
    return time.process_time() - cpu, time.perf_counter() - wall, embeddings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a sentence-transformers folder")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--batch-sizes", default="8,16,32,64")
    parser.add_argument("--threads", type=int, default=None, help="default: one per core")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    limit_threads(args.threads)
    questions, sentences = real_texts(args.data_dir, args.texts)
    n = len(questions) + len(sentences)
    print(f"{n} texts ({len(questions)} questions, {len(sentences)} sentences), model {args.model}")
    with tempfile.TemporaryDirectory(prefix="xir-bench-backends-") as cache:
        os.environ["XIR_BENCH_CACHE_DIR"] = cache  # the converted network, removed afterwards
        compare(args, questions, sentences)


def compare(args: argparse.Namespace, questions: list[str], sentences: list[str]) -> None:
    """Print one line per batch size, then each against torch at its slowest."""
    n = len(questions) + len(sentences)
    rows = []
    for batch_size in (int(b) for b in args.batch_sizes.split(",")):
        best: dict[str, tuple[float, float, np.ndarray]] = {}
        for backend in ("torch", "openvino"):
            encoder = SentenceTransformerEncoder(args.model, batch_size=batch_size, backend=backend)
            encoder.encode(questions[:8], "query")  # warm up
            runs = [timed(encoder, questions, sentences) for _ in range(args.repeats)]
            best[backend] = min(runs, key=lambda r: r[0])
        torch_cpu, torch_wall, torch_emb = best["torch"]
        ov_cpu, ov_wall, ov_emb = best["openvino"]
        cosine = (torch_emb * ov_emb).sum(1) / np.linalg.norm(torch_emb, axis=1) / np.linalg.norm(ov_emb, axis=1)
        rows.append((batch_size, n / torch_cpu, n / ov_cpu))
        print(
            f"batch {batch_size:3d}: torch {n / torch_cpu:6.1f} texts/CPU-s {n / torch_wall:6.1f} texts/s | "
            f"openvino {n / ov_cpu:6.1f} texts/CPU-s {n / ov_wall:6.1f} texts/s | "
            f"openvino/torch {torch_cpu / ov_cpu:.2f}x (wall {torch_wall / ov_wall:.2f}x) | "
            f"cosine mean {cosine.mean():.6f} min {cosine.min():.6f}",
            flush=True,
        )
    slowest = min(r[1] for r in rows)
    print("\nagainst torch at its slowest batch size (texts/CPU-s):")
    for batch_size, t_cpu, o_cpu in rows:
        print(f"  batch {batch_size:3d}: torch {t_cpu / slowest:.2f}x  openvino {o_cpu / slowest:.2f}x")


if __name__ == "__main__":
    main()
