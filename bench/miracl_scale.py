"""MIRACL-style scale test: a synthetic corpus of up to 1M+ passages, a from-scratch static model.

For each corpus size (default 250k and 1M) a fresh subprocess writes the corpus as
JSONL, encodes it through the chunked on-disk store, and runs exact blockwise top-100
search for the queries; its peak RSS is reported, so memory can be compared across
sizes (the target: within 20% from 250k to 1M). Then, again in a fresh process per
size, faiss (default IVF1024,Flat, inverted lists on disk) is built over each store;
its build and search time, Recall@100 against exact search and peak RSS are reported.

    python bench/miracl_scale.py                       # 250k and 1M passages
    python bench/miracl_scale.py --sizes 100000 --faiss HNSW32
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

WORDS = 20_000


def words(rng: np.random.Generator, n: int) -> list[str]:
    # Zipf-like word frequencies, as in text
    ranks = np.minimum(rng.zipf(1.3, size=n), WORDS) - 1
    return [f"w{r}" for r in ranks]


def write_corpus(path: Path, size: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8") as out:
        for start in range(0, size, 10_000):
            block = min(10_000, size - start)
            tokens = words(rng, block * 24)
            for i in range(block):
                text = " ".join(tokens[i * 24 : (i + 1) * 24])
                out.write(
                    json.dumps({"docid": f"{start + i}#0", "title": f"t{(start + i) % 997}", "text": text}) + "\n"
                )


def queries_for(corpus: Path, n: int, seed: int = 1) -> list[str]:
    """Queries made of 6 words from the first passages (so they have a clear answer)."""
    rng = np.random.default_rng(seed)
    out = []
    with open(corpus, encoding="utf-8") as handle:
        for line, _ in zip(handle, range(n), strict=False):
            tokens = json.loads(line)["text"].split()
            out.append(" ".join(rng.choice(tokens, 6, replace=False)))
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class AnonymousPeak:
    """Peak anonymous memory (RssAnon), sampled every 20 ms.

    ru_maxrss also counts pages of memory-mapped files (the embedding chunks, faiss's
    on-disk lists) that happen to be resident; the kernel can drop those at any time,
    so RssAnon is the memory a process really needs.
    """

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.sample()

    def sample(self) -> None:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    self.peak_kb = max(self.peak_kb, int(line.split()[1]))

    def stop_mb(self) -> float:
        self._stop.set()
        self._thread.join()
        self.sample()
        return self.peak_kb / 1024


def child(args: argparse.Namespace) -> None:
    """One corpus size in this (fresh) process: write, encode, exact search; print JSON."""
    from xir_bench.data.miracl import iter_corpus
    from xir_bench.models.sentence_encoder import SentenceTransformerEncoder
    from xir_bench.topk.search import exact_search, faiss_search
    from xir_bench.topk.store import CorpusStore, encode_corpus

    anonymous = AnonymousPeak()
    work = Path(args.work)
    corpus = work / f"corpus-{args.size}.jsonl"
    result: dict[str, float] = {"size": args.size}
    if args.mode == "exact":
        t0 = time.perf_counter()
        write_corpus(corpus, args.size)
        result["write_s"] = time.perf_counter() - t0
    encoder = SentenceTransformerEncoder(str(work / "model"), batch_size=4096, device="cpu")
    store = CorpusStore(work / f"store-{args.size}")
    queries = encoder.encode(queries_for(corpus, args.queries), "query")
    if args.mode == "exact":
        t0 = time.perf_counter()
        encode_corpus(iter_corpus(corpus), encoder, store, "bench", chunk_size=args.chunk_size, progress=False)
        result["encode_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        hits = exact_search(queries, store, k=100, progress=False)
        result["exact_search_s"] = time.perf_counter() - t0
        np.save(work / f"exact-{args.size}.npy", np.array([[int(d.split("#")[0]) for d in row] for row in hits.ids]))
        result["top1_is_source"] = float(np.mean([row[0] == f"{i}#0" for i, row in enumerate(hits.ids)]))
    else:
        t0 = time.perf_counter()
        faiss_search(queries[:1], store, k=100, factory=args.faiss)  # build (and save) the index
        result["faiss_build_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        hits = faiss_search(queries, store, k=100, factory=args.faiss)
        result["faiss_search_s"] = time.perf_counter() - t0
        exact = np.load(work / f"exact-{args.size}.npy")
        approx = [{int(d.split("#")[0]) for d in row} for row in hits.ids]
        result["recall_at_100_vs_exact"] = float(
            np.mean([len(set(e) & a) / 100 for e, a in zip(exact, approx, strict=True)])
        )
    result["peak_rss_mb"] = peak_rss_mb()
    result["peak_anon_mb"] = anonymous.stop_mb()
    print(json.dumps(result))


def run_child(argv: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *argv], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--chunk-size", type=int, default=50_000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--faiss", default="IVF1024,Flat")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="exact", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from xir_bench.models.scratch import save_static_model

    work = Path(tempfile.mkdtemp(prefix="xir-miracl-scale-"))
    rng = np.random.default_rng(0)
    sample = [" ".join(words(rng, 24)) for _ in range(20_000)]
    save_static_model(sample, work / "model", dim=args.dim, vocab_size=8000)
    sizes = [int(s) for s in args.sizes.split(",")]
    common = ["--child", "--work", str(work), "--queries", str(args.queries), "--chunk-size", str(args.chunk_size)]
    print(f"static model dim {args.dim}; {args.queries} queries; chunks of {args.chunk_size}; work dir {work}")
    results = []
    for size in sizes:
        r = run_child([*common, "--size", str(size)])
        results.append(r)
        print(
            f"{size:>9} passages: write {r['write_s']:6.1f} s | encode {r['encode_s']:6.1f} s "
            f"({size / r['encode_s']:8.0f} passages/s) | exact top-100 search {r['exact_search_s']:6.1f} s "
            f"| top-1 = source passage {r['top1_is_source']:.3f} | peak RSS {r['peak_rss_mb']:6.0f} MB "
            f"(anonymous {r['peak_anon_mb']:6.0f} MB)",
            flush=True,
        )
    faiss_results = []
    for size in sizes:
        f = run_child([*common, "--size", str(size), "--mode", "faiss", "--faiss", args.faiss])
        faiss_results.append(f)
        exact_s = next(r["exact_search_s"] for r in results if r["size"] == size)
        print(
            f"{size:>9} passages, faiss {args.faiss}: build {f['faiss_build_s']:6.1f} s | search "
            f"{f['faiss_search_s']:5.2f} s (exact {exact_s:.1f} s) | Recall@100 vs exact "
            f"{f['recall_at_100_vs_exact']:.4f} | peak RSS {f['peak_rss_mb']:6.0f} MB "
            f"(anonymous {f['peak_anon_mb']:6.0f} MB)",
            flush=True,
        )
    if len(results) > 1:
        ratio = results[-1]["peak_rss_mb"] / results[0]["peak_rss_mb"]
        anon = results[-1]["peak_anon_mb"] / results[0]["peak_anon_mb"]
        print(
            f"peak RSS {sizes[-1]} / {sizes[0]} passages, encode + exact search: {ratio:.3f} (target <= 1.20; "
            f"anonymous {anon:.3f})"
        )
        ratio = faiss_results[-1]["peak_rss_mb"] / faiss_results[0]["peak_rss_mb"]
        anon = faiss_results[-1]["peak_anon_mb"] / faiss_results[0]["peak_anon_mb"]
        print(f"peak RSS {sizes[-1]} / {sizes[0]} passages, faiss build + search: {ratio:.3f} (anonymous {anon:.3f})")
    disk = sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) / 2**20
    print(f"disk used in {work}: {disk:.0f} MB (delete it when done)")


if __name__ == "__main__":
    main()
