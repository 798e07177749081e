"""MIRACL: loaders, streamed resumable corpus encoding, sharding, search, metrics vs pytrec_eval."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from xir_bench.cards import get_task_card
from xir_bench.cli.main import main
from xir_bench.data import miracl
from xir_bench.errors import XirBenchError
from xir_bench.pipelines.topk import hits_frame
from xir_bench.topk.search import Hits, exact_search, faiss_search
from xir_bench.topk.store import CorpusStore, encode_corpus

MIRACL = get_task_card("miracl")


def _miracl_run_args(model: str, data: Path, output: Path, cache: Path) -> list[str]:
    """``run`` of ``model`` on MIRACL Swahili and Yoruba from ``data``: the argument list tests share."""
    places = ["--data-dir", str(data), "--output", str(output), "--cache-dir", str(cache)]
    return ["run", "--model", model, "--task", "miracl", "--languages", "sw,yo", *places, "--quiet"]


DEV_QUERIES = {
    "ar": 2896,
    "bn": 411,
    "de": 305,
    "en": 799,
    "es": 648,
    "fa": 632,
    "fi": 1271,
    "fr": 343,
    "hi": 350,
    "id": 960,
    "ja": 860,
    "ko": 213,
    "ru": 1252,
    "sw": 482,
    "te": 828,
    "th": 733,
    "yo": 119,
    "zh": 393,
}


class HashEncoder:
    """A deterministic toy encoder: bag of hashed words; counts calls; can fail on purpose."""

    name = "hash-encoder"
    revision = "1"
    similarity = "cosine"

    def __init__(self, dim: int = 16, fail_after: int | None = None) -> None:
        self.dim = dim
        self.calls = 0
        self.fail_after = fail_after

    def prefix(self, role: str) -> str:
        return ""

    def encode(self, texts: list[str], role: str) -> np.ndarray:
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt("planted interruption")
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, sum(map(ord, word)) % self.dim] += 1.0
        return out + 1e-3


def corpus(n: int = 1000, seed: int = 0) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(300)]
    return [(f"d{i}#0", f"t{i % 7}", " ".join(rng.choice(words, 8))) for i in range(n)]


def stored(store: CorpusStore) -> tuple[list[str], np.ndarray]:
    ids, vectors = [], []
    for chunk_ids, chunk in store.iter_chunks():
        ids += chunk_ids
        vectors.append(np.asarray(chunk))
    return ids, np.concatenate(vectors)


@pytest.mark.realdata
def test_dev_query_counts_match_miracl(shared_data: Path) -> None:
    for lang, expected in DEV_QUERIES.items():
        topics, qrels = miracl.topics_and_qrels(MIRACL, lang, shared_data)
        assert len(topics) == expected, lang
        assert set(qrels) <= set(topics)
        assert all(g in (0, 1) for judged in qrels.values() for g in judged.values())


def test_resume_after_interruption_gives_the_same_embeddings(tmp_path: Path) -> None:
    rows = corpus(1000)
    whole = encode_corpus(rows, HashEncoder(), CorpusStore(tmp_path / "whole"), "c", chunk_size=128, progress=False)
    broken = CorpusStore(tmp_path / "broken")
    with pytest.raises(KeyboardInterrupt):
        encode_corpus(rows, HashEncoder(fail_after=3), broken, "c", chunk_size=128, progress=False)
    assert broken.done() == {0, 1, 2}
    resumed = HashEncoder()
    encode_corpus(rows, resumed, broken, "c", chunk_size=128, progress=False)
    assert resumed.calls == 8 - 3  # only the missing chunks were encoded
    ids_a, vectors_a = stored(whole)
    ids_b, vectors_b = stored(broken)
    assert ids_a == ids_b == [r[0] for r in rows]
    np.testing.assert_array_equal(vectors_a, vectors_b)
    assert not list(broken.folder.rglob("*.tmp"))  # nothing half-written


def test_sharded_equals_single_process(tmp_path: Path) -> None:
    rows = corpus(700)
    single = encode_corpus(rows, HashEncoder(), CorpusStore(tmp_path / "single"), "c", chunk_size=100, progress=False)
    sharded = CorpusStore(tmp_path / "sharded")
    for worker in (1, 0, 2):
        encode_corpus(rows, HashEncoder(), sharded, "c", chunk_size=100, shard=(worker, 3), progress=False)
    ids_a, vectors_a = stored(single)
    ids_b, vectors_b = stored(sharded)
    assert ids_a == ids_b
    np.testing.assert_array_equal(vectors_a, vectors_b)


def test_store_refuses_mixed_models_and_missing_chunks(tmp_path: Path) -> None:
    store = encode_corpus(corpus(300), HashEncoder(), CorpusStore(tmp_path / "s"), "c", chunk_size=100, progress=False)
    other = HashEncoder()
    other.revision = "2"
    with pytest.raises(XirBenchError, match="holds embeddings made with"):
        encode_corpus(corpus(300), other, store, "c", chunk_size=100, progress=False)
    (store.chunks / "000001.npy").unlink()
    with pytest.raises(XirBenchError, match=r"chunks \[1\] missing"):
        store.size()


def test_exact_search_matches_brute_force_and_faiss_agrees(tmp_path: Path) -> None:
    rows = corpus(2000)
    encoder = HashEncoder(dim=32)
    store = encode_corpus(rows, encoder, CorpusStore(tmp_path / "s"), "c", chunk_size=300, progress=False)
    rng = np.random.default_rng(1)
    queries = rng.standard_normal((20, 32)).astype(np.float32)
    hits = exact_search(queries, store, k=50, progress=False)
    _, vectors = stored(store)
    normed = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    scores = q @ normed.T
    for row in range(len(queries)):
        top = np.argsort(-scores[row], kind="stable")[:50]
        np.testing.assert_allclose(hits.scores[row], scores[row, top], rtol=1e-5, atol=1e-6)
    approx = faiss_search(queries, store, k=50, factory="HNSW32")
    overlap = np.mean([len(set(a) & set(b)) / 50 for a, b in zip(hits.ids, approx.ids, strict=True)])
    assert overlap > 0.9
    assert list(store.folder.glob("faiss-*.index"))  # built once, reused next time


def test_ndcg_and_recall_equal_pytrec_eval() -> None:
    import pytrec_eval

    rng = np.random.default_rng(0)
    docs = [f"d{i}" for i in range(400)]
    qrels, ranked = {}, []
    for q in range(60):
        judged = rng.choice(docs, size=int(rng.integers(1, 12)), replace=False)
        qrels[f"q{q}"] = {d: int(rng.integers(0, 2)) for d in judged}
        qrels[f"q{q}"][str(judged[0])] = 1  # at least one positive
        ranked.append([str(d) for d in rng.permutation(docs)[:150]])
    hits = Hits(ranked, np.zeros((60, 150)))
    frame = hits_frame("xx", list(qrels), hits, qrels).set_index("query_id")
    run = {qid: {d: float(150 - r) for r, d in enumerate(row)} for qid, row in zip(qrels, ranked, strict=True)}
    expected = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100", "recall.10"}).evaluate(run)
    for qid, values in expected.items():
        assert frame.loc[qid, "ndcg_at_10"] == pytest.approx(values["ndcg_cut_10"], abs=1e-9)
        assert frame.loc[qid, "recall_at_100"] == pytest.approx(values["recall_100"], abs=1e-9)
        assert frame.loc[qid, "recall_at_10"] == pytest.approx(values["recall_10"], abs=1e-9)


def _write_miracl(root: Path, lang: str, n_queries: int = 12) -> None:
    """Topics whose answer passage repeats the query's words, plus distractors."""
    folder = root / "miracl"
    (folder / "corpus").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(len(lang))
    words = [f"{lang}{i}" for i in range(80)]
    topics, qrels, passages = [], [], []
    for q in range(n_queries):
        query = " ".join(rng.choice(words, 3))
        topics.append(f"{q}\t{query}")
        qrels.append(f"{q}\tQ0\tp{q}#0\t1\n{q}\tQ0\tx{q}#0\t0")
        passages.append({"docid": f"p{q}#0", "title": "", "text": query + " " + " ".join(rng.choice(words, 4))})
        passages.append({"docid": f"x{q}#0", "title": "x", "text": " ".join(rng.choice(words, 7))})
    (folder / f"topics.miracl-v1.0-{lang}-dev.tsv").write_text("\n".join(topics) + "\n")
    (folder / f"qrels.miracl-v1.0-{lang}-dev.tsv").write_text("\n".join(qrels) + "\n")
    (folder / "corpus" / f"{lang}.jsonl").write_text("".join(json.dumps(p) + "\n" for p in passages))


@pytest.mark.parametrize("model", ["bm25", "static"])
def test_run_miracl_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], model: str) -> None:
    from xir_bench.models.scratch import save_static_model

    data = tmp_path / "data"
    for lang in ("sw", "yo"):
        _write_miracl(data, lang)
    model_arg = "bm25"
    if model == "static":
        texts = [
            json.loads(line)["text"]
            for lang in ("sw", "yo")
            for line in (data / "miracl" / "corpus" / f"{lang}.jsonl").read_text().splitlines()
        ]
        model_arg = str(save_static_model(texts, tmp_path / "static", dim=32, vocab_size=300))
    args = [
        *_miracl_run_args(model_arg, data, tmp_path / "results", tmp_path / "cache"),
        "--chunk-size",
        "5",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "nDCG@10" in out and "new" in out
    (result,) = (tmp_path / "results").rglob("XirMIRACL.json")
    data_json = json.loads(result.read_text())
    entries = {e["hf_subset"]: e for e in data_json["scores"]["dev"]}
    assert set(entries) == {"swa", "yor"} and entries["swa"]["n_queries"] == 12
    assert entries["swa"]["main_score"] == entries["swa"]["ndcg_at_10"] > 0.5  # the answer shares the query's words
    assert main(args) == 0 and "reused" in capsys.readouterr().out
    if model == "static":
        assert len(list((tmp_path / "cache" / "corpora").rglob("*.npy"))) == 2 * 5  # 24 passages, chunks of 5


def test_miracl_unknown_language_and_missing_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    _write_miracl(data, "sw")
    base = ["run", "--model", "bm25", "--task", "miracl", "--data-dir", str(data), "--output", str(tmp_path / "r")]
    assert main([*base, "--languages", "xx"]) == 2
    assert "MIRACL has no language" in capsys.readouterr().err
    (data / "miracl" / "corpus" / "sw.jsonl").unlink()
    assert main([*base, "--languages", "sw"]) == 2
    assert "no corpus at" in capsys.readouterr().err


@pytest.mark.slow
def test_ray_sharded_encoding_equals_single_process(tmp_path: Path) -> None:
    """Two Ray Data workers on a local cluster (127.0.0.1) write what one process writes."""
    pytest.importorskip("ray")
    from functools import partial

    from xir_bench.models.scratch import save_static_model
    from xir_bench.models.sentence_encoder import SentenceTransformerEncoder
    from xir_bench.topk.distributed import encode_corpus_distributed

    rows = corpus(900)
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps({"docid": d, "title": t, "text": x}) + "\n" for d, t, x in rows))
    model = save_static_model([x for _, _, x in rows], tmp_path / "static", dim=16, vocab_size=400)
    make_encoder = partial(SentenceTransformerEncoder, str(model), device="cpu")
    single = encode_corpus(
        miracl.iter_corpus(path), make_encoder(), CorpusStore(tmp_path / "single"), "c", chunk_size=100, progress=False
    )
    sharded = encode_corpus_distributed(
        partial(miracl.iter_corpus, path), make_encoder, CorpusStore(tmp_path / "ray"), "c", chunk_size=100, workers=2
    )
    ids_a, vectors_a = stored(single)
    ids_b, vectors_b = stored(sharded)
    assert ids_a == ids_b and len(ids_a) == 900
    np.testing.assert_allclose(vectors_a, vectors_b, rtol=0, atol=1e-6)


def test_miracl_rows_on_the_board(tmp_path: Path) -> None:
    from xir_bench.models.scratch import save_static_model

    data = tmp_path / "data"
    for lang in ("sw", "yo"):
        _write_miracl(data, lang, n_queries=30)
    texts = [json.loads(line)["text"] for line in (data / "miracl" / "corpus" / "sw.jsonl").read_text().splitlines()]
    static = save_static_model(texts, tmp_path / "static-mini", dim=8, vocab_size=100)
    results = tmp_path / "results"
    for model in ("bm25", str(static)):
        args = _miracl_run_args(model, data, results, tmp_path / "cache")
        assert main(args) == 0
    board = tmp_path / "board" / "README.md"
    assert main(["leaderboard", "--results", str(results), "--out", str(board), "--models", str(tmp_path)]) == 0
    text = board.read_text()
    assert "## MIRACL (dev)" in text and "### MIRACL: nDCG@10 by language" in text
    section = text.split("## MIRACL (dev)")[1]
    assert re.search(r"\| 1 +\| bm25 +\| \*\*1\.0000\*\*", section), section
    assert re.search(r"\| 2 +\| static-mini +\| 0\.\d{4}\\\*", section), section  # significantly worse
    assert "swa yor" in section


SLOW_ENCODE = """
import sys, time
sys.path.insert(0, {tests!r})
from test_miracl import HashEncoder, corpus
from xir_bench.topk.store import CorpusStore, encode_corpus

class Slow(HashEncoder):
    def encode(self, texts, role):
        time.sleep(0.3)
        return super().encode(texts, role)

encode_corpus(corpus(2000), Slow(), CorpusStore({folder!r}), "c", chunk_size=100, progress=False)
"""


@pytest.mark.slow
def test_resume_after_sigkill(tmp_path: Path) -> None:
    """Kill -9 an encoding process midway; a rerun finishes it with the same embeddings."""
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "killed"
    script = SLOW_ENCODE.format(tests=str(Path(__file__).parent), folder=str(folder))
    process = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 120
    while len(CorpusStore(folder).done()) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = CorpusStore(folder).done()
    assert 3 <= len(killed_at) < 20, killed_at  # it really stopped midway
    resumed = HashEncoder()
    encode_corpus(corpus(2000), resumed, CorpusStore(folder), "c", chunk_size=100, progress=False)
    assert resumed.calls == 20 - len(killed_at)
    whole = encode_corpus(
        corpus(2000), HashEncoder(), CorpusStore(tmp_path / "whole"), "c", chunk_size=100, progress=False
    )
    ids_a, vectors_a = stored(whole)
    ids_b, vectors_b = stored(CorpusStore(folder))
    assert ids_a == ids_b
    np.testing.assert_array_equal(vectors_a, vectors_b)


def test_corpus_jsonl_gz_and_bad_line(tmp_path: Path) -> None:
    import gzip

    lines = [json.dumps({"docid": "a#0", "title": "T", "text": "x y"}), json.dumps({"docid": "b#0", "text": "z"})]
    with gzip.open(tmp_path / "c.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    assert list(miracl.iter_corpus(tmp_path / "c.jsonl.gz")) == [("a#0", "T", "x y"), ("b#0", "", "z")]
    assert miracl.passage_text("T", "x y") == "T x y"
    (tmp_path / "bad.jsonl").write_text(lines[0] + "\n" + '{"docid": "c#0"}\n')
    with pytest.raises(XirBenchError, match=r"bad\.jsonl: line 2: expected a JSON object with 'docid'"):
        list(miracl.iter_corpus(tmp_path / "bad.jsonl"))


def test_ivf_index_lives_on_disk_and_matches_exact(tmp_path: Path) -> None:
    """IVF lists are merged into one .ivfdata file and memory-mapped; with every list probed it is exact."""
    rows = corpus(3000)
    store = encode_corpus(rows, HashEncoder(dim=32), CorpusStore(tmp_path / "s"), "c", chunk_size=400, progress=False)
    queries = np.random.default_rng(2).standard_normal((15, 32)).astype(np.float32)
    exact = exact_search(queries, store, k=20, progress=False)
    approx = faiss_search(queries, store, k=20, factory="IVF8,Flat", nprobe=8)
    np.testing.assert_allclose(approx.scores, exact.scores, rtol=1e-5, atol=1e-5)
    (folder,) = store.folder.glob("faiss-IVF8_Flat")
    assert sorted(p.name for p in folder.iterdir()) == ["index.json", "lists.ivfdata", "populated.index"]
    again = faiss_search(queries, store, k=20, factory="IVF8,Flat", nprobe=8)  # reuses the index
    assert again.ids == approx.ids
    with pytest.raises(XirBenchError, match="not an IVF index"):
        from xir_bench.topk.search import build_ondisk_ivf

        build_ondisk_ivf(store, "Flat", tmp_path / "flat")


@pytest.mark.realdata
def test_info_miracl(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "miracl", "--data-dir", str(shared_data), "--languages", "sw,yo", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)["languages"]
    assert stats["sw"]["queries"] == DEV_QUERIES["sw"] and stats["yo"]["queries"] == DEV_QUERIES["yo"]
    assert 0 < stats["sw"]["positive_judgments"] <= stats["sw"]["judgments"]


def test_hub_sources_are_called_right(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a data folder, topics/qrels come from miracl/miracl and the corpus streams from
    miracl/miracl-corpus: the download calls are checked with local files standing in."""
    import datasets
    import huggingface_hub

    _write_miracl(tmp_path, "sw")
    monkeypatch.delenv("XIR_BENCH_OFFLINE", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("XIR_BENCH_DATA_DIR", raising=False)
    requested = []

    def fake_download(repo_id: str, filename: str, repo_type: str, revision: str) -> str:
        requested.append((repo_id, filename, repo_type, revision))
        return str(tmp_path / "miracl" / Path(filename).name)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    topics, qrels = miracl.topics_and_qrels(MIRACL, "sw")
    assert len(topics) == 12 and set(qrels) == set(topics)
    assert requested == [
        ("miracl/miracl", "miracl-v1.0-sw/topics/topics.miracl-v1.0-sw-dev.tsv", "dataset", "main"),
        ("miracl/miracl", "miracl-v1.0-sw/qrels/qrels.miracl-v1.0-sw-dev.tsv", "dataset", "main"),
    ]

    calls = []

    def fake_load_dataset(kind: str, **kwargs):
        calls.append((kind, kwargs))
        return iter([{"docid": "1#0", "title": "T", "text": "x"}, {"docid": "1#1", "title": None, "text": "y"}])

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    assert list(miracl.corpus_rows(MIRACL, "sw")) == [("1#0", "T", "x"), ("1#1", "", "y")]
    assert calls == [
        (
            "json",
            {
                "data_files": "hf://datasets/miracl/miracl-corpus/miracl-corpus-v1.0-sw/*.jsonl.gz",
                "split": "train",
                "streaming": True,
            },
        )
    ]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(XirBenchError, match="offline"):
        miracl.topics_and_qrels(MIRACL, "sw")


@pytest.mark.parametrize(
    ("address", "message"),
    [("127.0.0.1:9", "no Ray cluster answers at 127.0.0.1:9"), ("nonsense", "expected HOST:PORT")],
)
def test_unreachable_ray_address_fails_fast(address: str, message: str) -> None:
    from xir_bench.topk.distributed import check_reachable

    with pytest.raises(XirBenchError, match=message):
        check_reachable(address, timeout=2)
    check_reachable("auto")  # left to Ray


def _miracl_run(tmp_path: Path, model: str = "bm25", *extra: str) -> list[str]:
    return [
        "run",
        "--model",
        model,
        "--task",
        "miracl",
        "--languages",
        "sw",
        "--data-dir",
        str(tmp_path / "data"),
        "--output",
        str(tmp_path / "results"),
        "--chunk-size",
        "5",
        "--quiet",
        *extra,
    ]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda folder: (folder / "topics.miracl-v1.0-sw-dev.tsv").write_bytes(b"0\tcaf\xe9\n"),
            r"topics.miracl-v1.0-sw-dev.tsv: line 1: not UTF-8 text",
        ),
        (
            lambda folder: (folder / "corpus" / "sw.jsonl").write_bytes(b'{"docid": "a", "text": "\xff"}\n'),
            r"sw.jsonl: line 1: not UTF-8 text",
        ),
        (
            lambda folder: (folder / "corpus" / "sw.jsonl").write_text('{"docid": ' + "[" * 50_000 + "\n"),
            r"sw.jsonl: line 1: JSON nested too deeply",
        ),
        (
            lambda folder: (folder / "corpus" / "sw.jsonl").write_text('{"docid": "a\\nb", "text": "t"}\n'),
            r"docid 'a\\nb' is empty or holds whitespace",
        ),
        (lambda folder: (folder / "corpus" / "sw.jsonl").write_text(""), r"the corpus has no passages"),
        (
            lambda folder: (folder / "qrels.miracl-v1.0-sw-dev.tsv").write_text("0\tQ0\tp0#0\t0\n"),
            r"no query has a passage judged relevant",
        ),
        (
            lambda folder: (folder / "corpus" / "sw.jsonl").write_text(
                (folder / "corpus" / "sw.jsonl").read_text() * 2
            ),
            r"docid 'p0#0' is in the corpus twice",
        ),
    ],
)
def test_bad_miracl_input_is_named_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage, message: str
) -> None:
    _write_miracl(tmp_path / "data", "sw")
    damage(tmp_path / "data" / "miracl")
    assert main(_miracl_run(tmp_path)) == 2
    err = capsys.readouterr().err
    assert re.search(message, err) and "Traceback" not in err
    assert not list((tmp_path / "results").rglob("*.json"))


def test_duplicate_docids_ranked_together_are_refused_for_dense_models(tmp_path: Path) -> None:
    """nDCG@10 of 1.49 came from a passage counted twice; a ranking holding one docid twice is an error."""
    from xir_bench.pipelines.topk import hits_frame
    from xir_bench.topk.search import Hits

    hits = Hits([["p#0", "p#0", "q#0"]], np.zeros((1, 3)))
    with pytest.raises(XirBenchError, match="docid 'p#0' is in the corpus more than once"):
        hits_frame("sw", ["1"], hits, {"1": {"p#0": 1}})


def test_byte_order_mark_keeps_the_first_query(tmp_path: Path) -> None:
    _write_miracl(tmp_path / "data", "sw")
    for name in ("topics.miracl-v1.0-sw-dev.tsv", "qrels.miracl-v1.0-sw-dev.tsv"):
        path = tmp_path / "data" / "miracl" / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    topics, qrels, _ = miracl.judged_topics(MIRACL, "sw", tmp_path / "data")
    assert "0" in topics and "0" in qrels and len(topics) == 12


def test_truncated_gzip_corpus_is_named(tmp_path: Path) -> None:
    import gzip

    rows = "".join(json.dumps({"docid": f"d{i}", "text": f"text {i} " * 20}) + "\n" for i in range(2000))
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(rows.encode())[:3000])
    with pytest.raises(XirBenchError, match=r"c\.jsonl\.gz: after line \d+: truncated or damaged gzip"):
        list(miracl.iter_corpus(tmp_path / "c.jsonl.gz"))


def test_no_cache_leaves_no_corpus_store(
    tmp_path: Path, static_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_miracl(tmp_path / "data", "sw")
    for _ in range(2):  # twice: a second run must not trip over anything the first left
        assert main([*_miracl_run(tmp_path, str(static_model), "--no-cache", "--overwrite")]) == 0
    assert not [p for p in (tmp_path / "results").rglob("*") if p.suffix in (".npy", ".index")]
    assert not [p for p in (tmp_path / "results").iterdir() if "xirtmp" in p.name]  # no temporary store left


@pytest.mark.parametrize("victim", ["lists.ivfdata", "populated.index"])
def test_truncated_ivf_index_is_rebuilt(tmp_path: Path, victim: str, caplog: pytest.LogCaptureFixture) -> None:
    """A truncated .ivfdata used to end the process with SIGBUS: sizes are checked first, then rebuilt."""
    store = encode_corpus(
        corpus(600), HashEncoder(dim=16), CorpusStore(tmp_path / "s"), "c", chunk_size=200, progress=False
    )
    queries = np.random.default_rng(3).standard_normal((5, 16)).astype(np.float32)
    first = faiss_search(queries, store, k=10, factory="IVF4,Flat", nprobe=4)
    path = store.folder / "faiss-IVF4_Flat" / victim
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    again = faiss_search(queries, store, k=10, factory="IVF4,Flat", nprobe=4)
    assert again.ids == first.ids and "differ from those written" in caplog.text


def test_truncated_chunk_is_encoded_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    encoder = HashEncoder(dim=8)
    store = encode_corpus(corpus(300), encoder, CorpusStore(tmp_path / "s"), "c", chunk_size=100, progress=False)
    before = stored(store)
    npy = store.chunks / "000001.npy"
    npy.write_bytes(npy.read_bytes()[:200])
    with pytest.raises(XirBenchError, match=r"(?s)000001: embeddings file is truncated.*rerun the same command"):
        store.size()
    encode_corpus(corpus(300), encoder, store, "c", chunk_size=100, progress=False)
    assert "encoding it again" in caplog.text
    after = stored(store)
    assert before[0] == after[0]
    np.testing.assert_array_equal(before[1], after[1])


def test_ivf_training_sample_spans_the_corpus(tmp_path: Path) -> None:
    """MIRACL's corpus is ordered by article: the sample must come from everywhere, not the head."""
    from xir_bench.topk.search import _training_sample

    store = CorpusStore(tmp_path / "s")
    store.chunks.mkdir(parents=True)
    for index in range(10):  # vector = [its row number, 1]
        rows = np.arange(index * 100, (index + 1) * 100, dtype=np.float32)
        store.write_chunk(index, [f"d{r}" for r in range(100)], np.stack([rows, np.ones(100)], axis=1))
    sample = _training_sample(store, cosine=False, train_size=200)
    rows = sample[:, 0].astype(int)
    assert len(set(rows)) == 200 and rows.max() > 900 and rows.min() < 100


def test_shards_read_only_their_own_chunks(tmp_path: Path) -> None:
    """Ray workers each read the whole corpus to find their chunks; from a local file they now seek."""
    path = tmp_path / "c.jsonl"
    rows = corpus(1050)
    path.write_text(
        "".join(
            json.dumps({"docid": d, "title": t, "text": x}) + "\n" + ("\n" if i % 97 == 0 else "")
            for i, (d, t, x) in enumerate(rows)
        )
    )
    source = miracl.chunked_corpus(path, 100)
    assert source is not None and source.n_chunks == 11
    reads: list[int] = []

    class Counting:
        n_chunks = source.n_chunks

        def read(self, index: int) -> list[tuple[str, str, str]]:
            reads.append(index)
            return source.read(index)

    store = CorpusStore(tmp_path / "sharded")
    for worker in range(3):
        encode_corpus(Counting(), HashEncoder(), store, "c", chunk_size=100, shard=(worker, 3), progress=False)
    assert sorted(reads) == list(range(11)) and len(reads) == 11  # every chunk read once, by its owner
    whole = encode_corpus(iter(rows), HashEncoder(), CorpusStore(tmp_path / "whole"), "c", 100, progress=False)
    ids_a, vectors_a = stored(whole)
    ids_b, vectors_b = stored(store)
    assert ids_a == ids_b == [d for d, _, _ in rows]
    np.testing.assert_array_equal(vectors_a, vectors_b)


def test_chunked_corpus_reads_past_a_byte_order_mark(tmp_path: Path) -> None:
    """Workers reading chunks must see the rows the stream reader sees, a BOM on line 1 included."""
    path = tmp_path / "c.jsonl"
    rows = corpus(25)
    path.write_bytes(
        b"\xef\xbb\xbf" + "".join(json.dumps({"docid": d, "title": t, "text": x}) + "\n" for d, t, x in rows).encode()
    )
    source = miracl.chunked_corpus(path, 10)
    assert source is not None
    assert [row for i in range(source.n_chunks) for row in source.read(i)] == list(miracl.iter_corpus(path)) == rows


def test_miracl_with_an_empty_corpus_stops_the_run(tmp_path: Path, run_cli) -> None:
    """Every passage empty (text and title): scored nDCG 0.0084 with no warning."""
    data = tmp_path / "data"
    _write_miracl(data, "sw")
    corpus = data / "miracl" / "corpus" / "sw.jsonl"
    rows = [json.loads(line) for line in corpus.read_text().splitlines()]
    corpus.write_text("".join(json.dumps({**r, "title": "", "text": ""}) + "\n" for r in rows))
    args = ["run", "--model", "bm25", "--task", "miracl", "--languages", "sw", "--data-dir", data]
    result = run_cli(*args, "--output", tmp_path / "out", "--quiet", expect=2)
    assert f"MIRACL sw: all {len(rows)} corpus passages are empty" in result.err
    assert not list((tmp_path / "out").rglob("*.json"))
