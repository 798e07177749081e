"""torch against OpenVINO for a sentence-transformers folder: speed and fidelity on real texts.

For each backend and batch size: texts per CPU-second and per wall-second while encoding
N real XQuAD-R texts (questions and candidate sentences, spread over the 11 languages,
each with the model card's prefix), then the cosine of every OpenVINO embedding with
torch's (mean and minimum). Both backends run in this one process, one after the other,
on the same texts, so the ratio is measured side by side; the best of --repeats passes
counts, as a shared machine is noisy.

Then the network alone, on the same tokenised batches (the first batch size): where
OpenVINO's time goes (its own per-operation counters) and both backends' rate in GFLOP/s
of the dense layers' work per CPU-second, to set against the core's float32 peak (for
AVX2 with two FMA units: 32 FLOP per cycle).

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

from xir_bench.models.openvino_backend import NETWORK_FILE, compile_options, converted_folder
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
        profile(args, questions, sentences, Path(cache))


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


def dense_flops_per_token(network: object) -> int:
    """Multiply-adds x 2 of every matrix product with a constant weight (the dense layers), per token."""
    flops = 0
    for op in network.get_ops():  # type: ignore[attr-defined]
        weight = op.input_value(1).get_node() if op.get_type_name() == "MatMul" else None
        if weight is not None and weight.get_type_name() == "Constant":
            flops += 2 * int(np.prod(list(weight.get_output_shape(0))))
    return flops


def profile(args: argparse.Namespace, questions: list[str], sentences: list[str], cache: Path) -> None:
    """Print OpenVINO's time per operation type and both backends' dense-layer GFLOP/s on the same batches."""
    import openvino
    import torch

    batch_size = int(args.batch_sizes.split(",")[0])
    encoder = SentenceTransformerEncoder(args.model, batch_size=batch_size)
    transformer = encoder.model[0]  # its network alone, for torch's time
    texts = sorted(
        [encoder.prefix("query") + q for q in questions] + [encoder.prefix("passage") + s for s in sentences], key=len
    )
    tokenised = (encoder.model.preprocess(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size))
    batches = [{name: value for name, value in f.items() if isinstance(value, torch.Tensor)} for f in tokenised]
    tokens = sum(b["input_ids"].numel() for b in batches)
    with torch.no_grad():
        cpu = time.process_time()
        for batch in batches:
            transformer.model(**batch)
        torch_cpu = time.process_time() - cpu
    network_file = converted_folder(cache, encoder.revision) / NETWORK_FILE  # converted by compare()
    core = openvino.Core()
    network = core.read_model(network_file)
    threads = torch.get_num_threads()
    plain = core.compile_model(network, "CPU", compile_options(threads)).create_infer_request()
    cpu = time.process_time()
    for batch in batches:
        plain.infer({name: tensor.numpy() for name, tensor in batch.items()})
    ov_cpu = time.process_time() - cpu
    counting = {**compile_options(threads), "PERF_COUNT": True}
    counted = core.compile_model(network, "CPU", counting).create_infer_request()
    per_type: dict[str, float] = {}
    for batch in batches:
        counted.infer({name: tensor.numpy() for name, tensor in batch.items()})
        for counter in counted.profiling_info:
            per_type[counter.node_type] = per_type.get(counter.node_type, 0.0) + counter.real_time.total_seconds()
    flops = dense_flops_per_token(network) * tokens
    total = sum(per_type.values())
    print(f"\nwhere OpenVINO's time goes (batch {batch_size}, {tokens} tokens with padding, network only):")
    for node_type, seconds in sorted(per_type.items(), key=lambda item: -item[1])[:6]:
        print(f"  {node_type:24s} {100 * seconds / total:5.1f}%")
    print(
        f"dense layers: {flops / 1e9:.1f} GFLOP; per CPU-second, with {threads} thread(s): "
        f"torch {flops / torch_cpu / 1e9:.1f}, OpenVINO {flops / ov_cpu / 1e9:.1f} GFLOP/s ({torch_cpu / ov_cpu:.2f}x)"
    )


if __name__ == "__main__":
    main()
