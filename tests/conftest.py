"""Test set-up: offline, quiet, isolated caches, and synthetic LAReQA fixtures.

The fixtures are made here, by the project: tiny parallel question sets in the LAReQA
format (SQuAD JSON plus ``sentence_breaks``), written to a temporary folder per test.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["XIR_BENCH_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TQDM_DISABLE", "1")

import pytest

SHARED_DATA = Path(os.environ.get("XIR_BENCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))

# Three parallel "languages" of made-up words, so that lexical overlap is controlled.
# Paragraph -> sentences; questions are (id, paragraph, sentence) with per-language text.
WORDS = {
    "en": ["apple", "river", "stone", "cloud", "green", "music", "table", "winter", "horse", "light", "paper", "north"],
    "de": ["apfel", "fluss", "stein", "wolke", "gruen", "musik", "tisch", "winter", "pferd", "licht", "papier", "nord"],
    "es": [
        "manzana",
        "rio",
        "piedra",
        "nube",
        "verde",
        "musica",
        "mesa",
        "invierno",
        "caballo",
        "luz",
        "papel",
        "norte",
    ],
}
PARAGRAPHS = [[(0, 1), (2, 3), (4, 5)], [(6, 7), (8, 9)], [(10, 11), (0, 6)]]
QUESTIONS = [("q1", 0, 1), ("q2", 1, 0), ("q3", 0, 2), ("q4", 2, 0), ("q5", 1, 1)]


def lareqa_document(lang: str, questions: list[tuple[str, int, int]] = QUESTIONS) -> dict:
    """A LAReQA-format document in ``lang`` with the shared paragraphs and questions."""
    words = WORDS.get(lang) or [f"{word}{lang}" for word in WORDS["en"]]
    data = []
    for p, sentences in enumerate(PARAGRAPHS):
        texts = [f"The {words[a]} and the {words[b]} ({lang} {p}.{k})." for k, (a, b) in enumerate(sentences)]
        context, breaks = "", []
        for text in texts:
            start = len(context)
            context += text
            breaks.append([start, len(context)])
            context += " "
        qas = []
        for qid, qp, qs in questions:
            if qp == p:
                a, b = sentences[qs]
                qas.append(
                    {
                        "id": qid,
                        "question": f"Where is the {words[a]} with the {words[b]}?",
                        "answers": [{"answer_start": breaks[qs][0] + 4, "text": words[a]}],
                    }
                )
        data.append(
            {
                "title": f"t{p}",
                "paragraphs": [{"context": context.strip(), "sentence_breaks": breaks, "sentences": texts, "qas": qas}],
            }
        )
    return {"version": "1.1", "data": data}


def fixture_texts(languages: Iterable[str]) -> list[str]:
    """Every sentence and question of the synthetic documents of ``languages``: a tokenizer's training text."""
    return [
        text
        for lang in languages
        for article in lareqa_document(lang)["data"]
        for paragraph in article["paragraphs"]
        for text in [*paragraph["sentences"], *(q["question"] for q in paragraph["qas"])]
    ]


def write_lareqa(root: Path, task_folder: str = "xquad-r", languages: tuple[str, ...] = ("de", "en", "es")) -> Path:
    """Write the synthetic documents under ``root/lareqa/<task_folder>/<lang>.json``."""
    for lang in languages:
        path = root / "lareqa" / task_folder / f"{lang}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(lareqa_document(lang), ensure_ascii=False), encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIR_BENCH_CACHE_DIR", str(tmp_path_factory.mktemp("xir-cache")))
    monkeypatch.delenv("XIR_BENCH_DATA_DIR", raising=False)


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A data folder with a 3-language synthetic XQuAD-R (de, en, es)."""
    return write_lareqa(tmp_path / "data")


@pytest.fixture(scope="session")
def static_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A from-scratch StaticEmbedding model over the synthetic texts, saved to disk."""
    from xir_bench.models.scratch import save_static_model

    return save_static_model(
        fixture_texts(WORDS), tmp_path_factory.mktemp("models") / "static-tiny", dim=32, vocab_size=200
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (or $XIR_BENCH_SHARED_DATA); the test skips when it is absent."""
    if not (SHARED_DATA / "lareqa" / "xquad-r" / "en.json").is_file():
        pytest.skip(f"real data not found at {SHARED_DATA} (set XIR_BENCH_SHARED_DATA)")
    return SHARED_DATA


@dataclasses.dataclass(frozen=True)
class CliResult:
    """What one ``xir-bench`` command did: its exit code and what it printed."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """``run_cli("run", "--model", "bm25", ...)``: the command line in-process; asserts the exit code.

    ``expect`` (default 0) is the exit code the test wants; a different one fails with what
    the command printed, so a test never passes on an error message it did not read."""
    from xir_bench.cli.main import main

    def run(*args: str | Path, expect: int | None = 0) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        result = CliResult(code, captured.out, captured.err)
        if expect is not None:
            assert code == expect, f"xir-bench {' '.join(map(str, args))} exited {code}:\n{captured.err}"
        return result

    return run


def tiny_run_args(model: str | Path, data: Path, output: Path, *extra: str) -> list[str]:
    """``run`` of ``model`` on the synthetic XQuAD-R (de, en, es) into ``output``: the argument list tests share."""
    return [
        "run",
        "--model",
        str(model),
        "--task",
        "xquad-r",
        "--languages",
        "de,en,es",
        "--data-dir",
        str(data),
        "--output",
        str(output),
        "--quiet",
        *extra,
    ]


@pytest.fixture
def bm25_run(run_cli: Callable[..., CliResult], tiny_data: Path, tmp_path: Path) -> Path:
    """The BM25 baseline on the synthetic XQuAD-R, written under ``tmp_path/results``; returns that folder."""
    output = tmp_path / "results"
    run_cli(*tiny_run_args("bm25", tiny_data, output))
    return output


XQUAD_LANGS = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")


@pytest.fixture(scope="session")
def full_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic XQuAD-R in all 11 languages (5 questions, 7 candidates each), and MLQA-R."""
    root = write_lareqa(tmp_path_factory.mktemp("data"), languages=XQUAD_LANGS)
    return write_lareqa(root, task_folder="mlqa-r", languages=("ar", "de", "en", "es", "hi", "vi", "zh"))


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A from-scratch static model whose tokenizer has seen every fixture language."""
    from xir_bench.models.scratch import save_static_model

    return save_static_model(
        fixture_texts(XQUAD_LANGS), tmp_path_factory.mktemp("models") / "static-11", dim=32, vocab_size=400
    )


@pytest.fixture
def results(tiny_data: Path, static_model: Path, tmp_path: Path) -> Path:
    """Stored runs of BM25 and a static model on the synthetic XQuAD-R (``tmp_path/results``)."""
    from xir_bench.cli.main import main

    out = tmp_path / "results"
    for model in ("bm25", str(static_model)):
        assert main(tiny_run_args(model, tiny_data, out)) == 0
    return out
