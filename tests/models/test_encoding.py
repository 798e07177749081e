"""Engine: hand-computed end-to-end scores, encode-once, the embedding cache, bad model output."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pytest

from xir_bench.core.evaluate import aggregate, compute_rank_table, per_query_frame, subset_scores
from xir_bench.core.scorers import DenseScorer
from xir_bench.core.settings import enumerate_settings
from xir_bench.data.tasks import load_task
from xir_bench.errors import ModelOutputError
from xir_bench.models.encoding import encode_texts

LANGS = ["de", "en", "es"]


class CountingEncoder:
    """A deterministic fake model (a vector per text hash) that counts what it encodes."""

    name = "counting"
    revision = "r1"
    similarity = "cosine"

    def __init__(self, dim: int = 16, bad: str | None = None) -> None:
        self.dim = dim
        self.bad = bad
        self.seen: list[str] = []

    def prefix(self, role: str) -> str:
        return {"query": "Query: ", "passage": "Passage: "}[role]

    def encode(self, texts: list[str], role: str) -> np.ndarray:
        self.seen += texts
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256((role + text).encode()).digest()[:8], "little")
            rows.append(np.random.default_rng(seed).standard_normal(self.dim))
        out = np.array(rows, dtype=np.float32)
        if self.bad == "nan":
            out[len(out) // 2, 0] = np.nan
        if self.bad == "rows":
            out = out[:-1]
        return out


def test_hand_computed_scores(tiny_data: Path) -> None:
    collection = load_task("xquad-r", LANGS, data_dir=tiny_data)
    n_q, n_c = collection.n_queries, collection.n_candidates
    candidates = np.eye(n_c, dtype=np.float32)  # one-hot: a query's embedding is its score row
    queries = np.zeros((n_q, n_c), dtype=np.float32)
    q = next(i for i in range(n_q) if collection.query_ids[i] == "q1" and collection.query_langs[i] == 1)  # en
    # q1's answers: 1 (de), 8 (en), 15 (es). Rank order: 9, 8, 0, 15, 1, then the zeros.
    queries[q, [9, 8, 0, 15, 1]] = [0.95, 0.9, 0.8, 0.7, 0.5]
    scorer = DenseScorer(collection, queries, candidates, similarity="dot")
    settings = enumerate_settings(list(collection.languages))
    assert len(settings) == 3 + 6 + 3
    per_query = per_query_frame(collection, compute_rank_table(collection, scorer, progress=False), settings)
    row = per_query[(per_query.subset == "eng-all") & (per_query.query_id == "q1")].iloc[0]
    assert row["map"] == pytest.approx((1 / 2 + 2 / 4 + 3 / 5) / 3)
    assert row["rank_distance"] == 3
    assert row["same_language_share"] == 1.0
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert row["ndcg_at_10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(5) + 1 / math.log2(6)) / ideal)
    assert row["mrr"] == 0.5 and row["recall_at_1"] == 0 and row["recall_at_10"] == 1
    mono = per_query.set_index(["subset", "query_id"])
    assert mono.loc[("eng-eng", "q1"), "map"] == 0.5
    assert mono.loc[("eng-deu", "q1"), "map"] == 0.5
    assert mono.loc[("eng-spa", "q1"), "map"] == 1.0
    scores = subset_scores(per_query, settings, "map")
    assert scores["eng-all"]["n_queries"] == 5 and scores["eng-all"]["main_score"] == scores["eng-all"]["map"]
    agg = aggregate(scores, settings)
    assert agg["mono"]["map"] == pytest.approx(np.mean([scores[s]["map"] for s in ("deu-deu", "eng-eng", "spa-spa")]))
    assert set(agg) == {"mono", "cross", "multi"} and "rank_distance" in agg["multi"]


def test_each_unique_text_encoded_once_and_cached(tiny_data: Path, tmp_path: Path) -> None:
    collection = load_task("xquad-r", LANGS, data_dir=tiny_data)
    encoder = CountingEncoder()
    cache = tmp_path / "cache"
    queries = encode_texts(encoder, collection.query_texts, "query", cache, chunk_size=4, progress=False)
    assert sorted(encoder.seen) == sorted(set(collection.query_texts))
    encoder.seen.clear()
    again = encode_texts(encoder, collection.query_texts, "query", cache, progress=False)
    assert encoder.seen == []
    np.testing.assert_array_equal(queries, again)
    # A partially filled cache (an interrupted run) encodes only what is missing.
    shards = sorted((next(cache.iterdir())).glob("*.npz"))
    assert len(shards) == 4  # 15 texts in chunks of 4
    with np.load(shards[0]) as removed:
        n_removed = len(removed["keys"])
    shards[0].unlink()
    encode_texts(encoder, collection.query_texts, "query", cache, progress=False)
    assert len(encoder.seen) == n_removed > 0


def test_corrupt_cache_is_detected_and_recomputed(tiny_data: Path, tmp_path: Path) -> None:
    collection = load_task("xquad-r", LANGS, data_dir=tiny_data)
    encoder = CountingEncoder()
    cache = tmp_path / "cache"
    first = encode_texts(encoder, collection.candidate_texts, "passage", cache, progress=False)
    (shard,) = next(cache.iterdir()).glob("*.npz")
    shard.write_bytes(shard.read_bytes()[:100])  # truncated
    encoder.seen.clear()
    with pytest.warns(UserWarning, match="is corrupt"):
        second = encode_texts(encoder, collection.candidate_texts, "passage", cache, progress=False)
    np.testing.assert_array_equal(first, second)
    assert len(encoder.seen) == len(set(collection.candidate_texts))


def test_prefix_is_part_of_the_cache_key(tiny_data: Path, tmp_path: Path) -> None:
    collection = load_task("xquad-r", ["en"], data_dir=tiny_data)
    encoder = CountingEncoder()
    encode_texts(encoder, collection.query_texts, "query", tmp_path, progress=False)
    encoder.prefix = lambda role: "other: "  # type: ignore[method-assign]
    encoder.seen.clear()
    encode_texts(encoder, collection.query_texts, "query", tmp_path, progress=False)
    assert len(encoder.seen) == 5


@pytest.mark.parametrize(("bad", "message"), [("nan", "NaN or infinite"), ("rows", "shape")])
def test_bad_model_output(tiny_data: Path, tmp_path: Path, bad: str, message: str) -> None:
    collection = load_task("xquad-r", ["en"], data_dir=tiny_data)
    with pytest.raises(ModelOutputError, match=message):
        encode_texts(CountingEncoder(bad=bad), collection.query_texts, "query", tmp_path, progress=False)
    assert list(tmp_path.rglob("*.npz")) == []  # nothing bad was cached


def test_dimension_mismatch(tiny_data: Path, tmp_path: Path) -> None:
    collection = load_task("xquad-r", ["en"], data_dir=tiny_data)
    with pytest.raises(ModelOutputError, match=r"8-dimensional embeddings where earlier ones .* have 16"):
        encode_texts(CountingEncoder(dim=8), collection.candidate_texts, "passage", tmp_path, dim=16, progress=False)


def test_scratch_tokenizer_ids_and_token_vectors_are_reproducible() -> None:
    """Ids follow a fixed order and a token's vector depends on the token, not on its id."""
    from xir_bench.models.scratch import SPECIAL_TOKENS, token_vectors, train_tokenizer

    texts = ["the apple and the river", "der apfel und der fluss", "la manzana y el rio"] * 5
    vocab = train_tokenizer(texts, vocab_size=60).get_vocab()
    by_id = [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])]
    assert by_id[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS)
    assert by_id[len(SPECIAL_TOKENS) :] == sorted(by_id[len(SPECIAL_TOKENS) :])
    forward = token_vectors(["apple", "##s", "river"], dim=6, seed=3)
    backward = token_vectors(["river", "apple"], dim=6, seed=3)
    np.testing.assert_array_equal(forward[0], backward[1])
    np.testing.assert_array_equal(forward[2], backward[0])
    assert not np.array_equal(token_vectors(["apple"], 6, seed=4), forward[:1])


def test_cache_io_error_deletes_nothing(tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A transient I/O error is not proof of corruption: the shard stays, the run stops with a message."""
    from xir_bench.errors import XirBenchError
    from xir_bench.models import embedding_cache

    collection = load_task("xquad-r", LANGS, data_dir=tiny_data)
    encode_texts(CountingEncoder(), collection.query_texts, "query", tmp_path, progress=False)
    (shard,) = tmp_path.rglob("*.npz")

    def failing(path: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(embedding_cache, "_checked_shapes", failing)
    with pytest.raises(XirBenchError, match=r"Input/output error.*nothing was deleted"):
        encode_texts(CountingEncoder(), collection.query_texts, "query", tmp_path, progress=False)
    assert shard.exists()


def test_cache_shard_that_is_a_folder(tiny_data: Path, tmp_path: Path) -> None:
    from xir_bench.errors import XirBenchError

    collection = load_task("xquad-r", ["en"], data_dir=tiny_data)
    encode_texts(CountingEncoder(), collection.query_texts, "query", tmp_path, progress=False)
    (shard,) = tmp_path.rglob("*.npz")
    (shard.parent / "odd.npz").mkdir()
    with pytest.raises(XirBenchError, match=r"odd\.npz is not a file"):
        encode_texts(CountingEncoder(), collection.query_texts, "query", tmp_path, progress=False)


@pytest.mark.slow
def test_crafted_shard_cannot_make_key_loading_huge(tiny_data: Path, tmp_path: Path) -> None:
    """A small compressed file declaring a huge array is refused from its header, before any read."""
    import io
    import zipfile

    collection = load_task("xquad-r", ["en"], data_dir=tiny_data)
    encode_texts(CountingEncoder(), collection.query_texts, "query", tmp_path, progress=False)
    (shard,) = tmp_path.rglob("*.npz")
    huge = io.BytesIO()
    np.save(huge, np.zeros((4_000_000, 32), dtype=np.uint8))  # 128 MB of zeros, ~125 kB deflated
    with zipfile.ZipFile(shard.parent / "crafted-0.npz", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("keys.npy", huge.getvalue())
        archive.writestr("embeddings.npy", huge.getvalue())
    encoder = CountingEncoder()
    with pytest.warns(UserWarning, match="crafted-0.npz is corrupt .*compressed"):
        encode_texts(encoder, collection.query_texts, "query", tmp_path, progress=False)
    assert encoder.seen == []  # the real shard still served every text


def test_dimension_change_under_one_revision_is_recovered(tiny_data: Path, tmp_path: Path) -> None:
    collection = load_task("xquad-r", LANGS, data_dir=tiny_data)
    encode_texts(CountingEncoder(dim=16), collection.query_texts[:5], "query", tmp_path, progress=False)
    with pytest.warns(UserWarning, match="now gives 8-d embeddings where its cache holds 16-d"):
        out = encode_texts(CountingEncoder(dim=8), collection.query_texts, "query", tmp_path, progress=False)
    assert out.shape == (len(collection.query_texts), 8)
    again = CountingEncoder(dim=8)
    encode_texts(again, collection.query_texts, "query", tmp_path, progress=False)
    assert again.seen == []  # the new cache serves everything


def _cached_run(tiny_data: Path, cache: Path, static_model: Path) -> float:
    """Mo of the static model on the synthetic XQuAD-R, through ``cache``."""
    from xir_bench.cards import get_task_card
    from xir_bench.models.registry import load_model
    from xir_bench.pipelines.evaluate import RunOptions, evaluate_task

    model = load_model(str(static_model))
    output = cache.parent / f"out-{len(list(cache.parent.iterdir()))}"
    options = RunOptions(languages=LANGS, data_dir=tiny_data, output=output, cache_dir=cache, progress=False)
    outcome = evaluate_task(get_task_card("xquad-r"), model, options)
    return outcome.aggregates["mono"]["map"]


def test_a_shard_whose_arrays_were_replaced_is_caught_by_its_checksum(
    tiny_data: Path, tmp_path: Path, static_model: Path
) -> None:
    """Random values in a well-formed shard gave Mo 0.0057 instead of 0.3142, silently."""
    cache = tmp_path / "cache"
    honest = _cached_run(tiny_data, cache, static_model)
    shards = sorted(cache.rglob("*.npz"))
    assert shards and all("-" in s.stem for s in shards)
    with np.load(shards[0]) as data:
        keys, embeddings = data["keys"], data["embeddings"]
    np.savez(shards[0], keys=keys, embeddings=np.random.default_rng(0).random(embeddings.shape).astype(np.float32))
    with pytest.warns(UserWarning, match="do not match the checksum in its name"):
        again = _cached_run(tiny_data, cache, static_model)
    assert again == pytest.approx(honest, abs=1e-12)


def test_a_shard_of_another_dimension_invalidates_only_itself(
    tiny_data: Path, tmp_path: Path, static_model: Path
) -> None:
    """One newer shard of another dimension made the valid shards be deleted as corrupt."""
    import time

    from xir_bench.models.embedding_cache import EmbeddingCache, text_key

    cache = tmp_path / "cache"
    _cached_run(tiny_data, cache, static_model)
    folder = sorted(cache.iterdir())[0]
    valid = sorted(folder.glob("*.npz"))
    time.sleep(0.01)
    EmbeddingCache(folder).put([text_key("odd one")], np.ones((1, 7), dtype=np.float32))
    with pytest.warns(UserWarning, match="7-d where the other shards are"):
        EmbeddingCache(folder).index  # noqa: B018  (building the index checks the shards)
    assert sorted(folder.glob("*.npz")) == valid


class InterruptingEncoder(CountingEncoder):
    """Raises KeyboardInterrupt (as Ctrl-C does) on its ``stop_at``-th call."""

    batch_size = 4

    def __init__(self, stop_at: int) -> None:
        super().__init__()
        self.calls: list[int] = []
        self.stop_at = stop_at

    def encode(self, texts: list[str], role: str) -> np.ndarray:
        self.calls.append(len(texts))
        if len(self.calls) == self.stop_at:
            raise KeyboardInterrupt
        return super().encode(texts, role)


def test_encoder_is_called_one_batch_at_a_time(tmp_path: Path) -> None:
    texts = [f"text {i} " + "x" * (i % 7) for i in range(30)]
    encoder = InterruptingEncoder(stop_at=0)
    encode_texts(encoder, texts, "passage", tmp_path, progress=False)
    assert encoder.calls == [4] * 7 + [2]  # one progress update per call, each at most batch_size texts


def test_ctrl_c_keeps_the_batches_encoded_before_it(tmp_path: Path) -> None:
    texts = [f"text {i}" for i in range(30)]
    with pytest.raises(KeyboardInterrupt):
        encode_texts(InterruptingEncoder(stop_at=4), texts, "passage", tmp_path, progress=False)
    again = CountingEncoder()
    resumed = encode_texts(again, texts, "passage", tmp_path, progress=False)
    assert len(again.seen) == 30 - 3 * 4  # the three finished batches came from the cache
    fresh = encode_texts(CountingEncoder(), texts, "passage", None, progress=False)
    np.testing.assert_array_equal(resumed, fresh)
