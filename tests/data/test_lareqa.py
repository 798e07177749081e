"""LAReQA parsing: semantics on the synthetic fixture, and every bad-input case."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import lareqa_document, write_lareqa

from xir_bench.data.lareqa import load_lareqa
from xir_bench.data.tasks import load_task
from xir_bench.errors import DataFormatError, XirBenchError


def _files(root: Path, langs=("de", "en", "es")) -> dict[str, Path]:
    return {lang: root / "lareqa" / "xquad-r" / f"{lang}.json" for lang in langs}


def test_semantics(tiny_data: Path) -> None:
    collection = load_task("xquad-r", ["en", "de", "es"], data_dir=tiny_data)
    assert collection.languages == ("de", "en", "es")  # card order, not request order
    stats = collection.stats()
    assert stats["multilingual_pool"] == 3 * 7 and stats["question_ids"] == 5 and stats["questions"] == 15
    # Candidate ids: language + paragraph + sentence position; language-contiguous.
    assert collection.candidate_ids[:3] == ("de/p0/s0", "de/p0/s1", "de/p0/s2")
    assert list(collection.candidate_langs) == [0] * 7 + [1] * 7 + [2] * 7
    # q1 answers paragraph 0, sentence 1 in every language: candidates 1, 8, 15.
    group = collection.group_ids.index("q1")
    assert collection.group_relevant[group].tolist() == [1, 8, 15]
    assert collection.candidate_texts[8] == "The stone and the cloud (en 0.1)."
    relevant = collection.relevant_matrix()
    assert relevant.shape == (15, 3) and (relevant >= 0).all()


def test_sentence_with_context(tiny_data: Path) -> None:
    collection = load_task("xquad-r", ["en"], data_dir=tiny_data, candidate_text="sentence+context")
    assert collection.candidate_texts[1].startswith("The stone and the cloud (en 0.1).\nThe apple")


def test_answer_outside_sentences_is_skipped_with_warning(tmp_path: Path) -> None:
    root = write_lareqa(tmp_path, languages=("en",))
    path = _files(root, ("en",))["en"]
    doc = json.loads(path.read_text())
    paragraph = doc["data"][0]["paragraphs"][0]
    paragraph["sentence_breaks"][-1][1] -= 10  # leave a gap at the end of the paragraph
    paragraph["qas"][0]["answers"][0]["answer_start"] = len(paragraph["context"]) - 2
    path.write_text(json.dumps(doc))
    with pytest.warns(UserWarning, match="skipped 1 questions"):
        collection = load_lareqa("xquad-r", {"en": path})
    assert collection.n_queries == 4 and collection.skipped_questions == {"en": 1}


def _corrupt(tmp_path: Path, mutate) -> Path:
    root = write_lareqa(tmp_path, languages=("en",))
    path = _files(root, ("en",))["en"]
    doc = lareqa_document("en")
    mutate(doc)
    path.write_text(json.dumps(doc, indent=1))
    return path


@pytest.mark.parametrize(
    ("mutate", "where", "message"),
    [
        (
            lambda d: d["data"][1]["paragraphs"][0].pop("sentence_breaks"),
            "data[1].paragraphs[0]",
            "no 'sentence_breaks'",
        ),
        (
            lambda d: d["data"][0]["paragraphs"][0]["sentence_breaks"].__setitem__(1, [5, 9999]),
            "data[0].paragraphs[0].sentence_breaks[1]",
            "out of range",
        ),
        (
            lambda d: d["data"][0]["paragraphs"][0]["sentence_breaks"].__setitem__(0, ["a", 3]),
            "data[0].paragraphs[0].sentence_breaks[0]",
            "integers",
        ),
        (
            lambda d: d["data"][1]["paragraphs"][0]["qas"][0].__setitem__("id", "q1"),
            "data[1].paragraphs[0].qas[0]",
            "duplicate question id 'q1' (first at data[0].paragraphs[0].qas[0])",
        ),
        (
            lambda d: d["data"][2]["paragraphs"][0]["qas"][0].__setitem__("question", "  "),
            "data[2].paragraphs[0].qas[0]",
            "empty text",
        ),
        (
            lambda d: d["data"][0]["paragraphs"][0]["qas"][0].__setitem__("answers", []),
            "data[0].paragraphs[0].qas[0]",
            "no 'answers'",
        ),
        (lambda d: d.pop("data"), "top level", "'data' list"),
        (  # out of order: answer labels would land on the wrong sentences
            lambda d: d["data"][0]["paragraphs"][0]["sentence_breaks"].reverse(),
            "data[0].paragraphs[0].sentence_breaks[1]",
            "must be in order and must not overlap",
        ),
        (  # overlapping
            lambda d: d["data"][0]["paragraphs"][0]["sentence_breaks"][1].__setitem__(0, 3),
            "data[0].paragraphs[0].sentence_breaks[1]",
            "must be in order and must not overlap",
        ),
        (  # duplicated
            lambda d: d["data"][1]["paragraphs"][0]["sentence_breaks"].insert(0, [0, 5]),
            "data[1].paragraphs[0].sentence_breaks[1]",
            "must be in order and must not overlap",
        ),
        (
            lambda d: d["data"][0]["paragraphs"][0]["qas"][0].__setitem__("id", 17),
            "data[0].paragraphs[0].qas[0]",
            "question 'id' must be a non-empty string, got 17 (int)",
        ),
    ],
)
def test_bad_input_names_file_and_position(tmp_path: Path, mutate, where: str, message: str) -> None:
    path = _corrupt(tmp_path, mutate)
    with pytest.raises(DataFormatError) as info:
        load_lareqa("xquad-r", {"en": path})
    text = str(info.value)
    assert str(path) in text and where in text and message in text
    assert "fix:" in text


def test_malformed_json_gives_line_and_column(tmp_path: Path) -> None:
    root = write_lareqa(tmp_path, languages=("en",))
    path = _files(root, ("en",))["en"]
    path.write_text('{"data": [\n  {"paragraphs": [}\n]}')
    with pytest.raises(DataFormatError, match=r"en\.json: line 2, column 19: malformed JSON"):
        load_lareqa("xquad-r", {"en": path})


def test_unknown_language_code(tiny_data: Path) -> None:
    with pytest.raises(XirBenchError, match="XQuAD-R has no language xx, pt; its languages are: ar, de"):
        load_task("xquad-r", ["en", "xx", "pt"], data_dir=tiny_data)


def test_unknown_task() -> None:
    with pytest.raises(XirBenchError, match="unknown task 'squad'; known tasks: miracl, mlqa-r, xquad-r"):
        load_task("squad")


def test_parallel_groups_with_missing_languages(tmp_path: Path) -> None:
    """MLQA-style: a question id present in only some languages has answers only there."""
    root = write_lareqa(tmp_path, languages=("de", "en"))
    files = _files(root, ("de", "en"))
    doc = json.loads(files["de"].read_text())
    doc["data"][2]["paragraphs"][0]["qas"] = []  # q4 only in English
    files["de"].write_text(json.dumps(doc))
    collection = load_lareqa("xquad-r", files)
    group = collection.group_ids.index("q4")
    assert collection.candidate_langs[collection.group_relevant[group]].tolist() == [1]
    assert np.sum(collection.query_langs == 0) == 4


def test_byte_order_mark_is_read(tmp_path: Path) -> None:
    root = write_lareqa(tmp_path, languages=("en",))
    path = _files(root, ("en",))["en"]
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_lareqa("xquad-r", {"en": path}).n_queries == 5


def test_deeply_nested_json_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "en.json"
    path.write_text('{"data": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(DataFormatError, match="nested too deeply"):
        load_lareqa("xquad-r", {"en": path})


def test_a_language_with_no_usable_question_is_named(tmp_path: Path) -> None:
    root = write_lareqa(tmp_path, languages=("de", "en"))
    files = _files(root, ("de", "en"))
    doc = json.loads(files["de"].read_text())
    for article in doc["data"]:
        article["paragraphs"][0]["qas"] = []
    files["de"].write_text(json.dumps(doc))
    with pytest.raises(DataFormatError, match=r"de\.json: whole file: no usable question in de"):
        load_lareqa("xquad-r", files)


def test_a_thin_language_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xir_bench.data import lareqa

    monkeypatch.setattr(lareqa, "THIN_SHARE", 0.5)  # five questions cannot be a tenth; the rule is the same
    root = write_lareqa(tmp_path, languages=("de", "en"))
    files = _files(root, ("de", "en"))
    doc = json.loads(files["de"].read_text())
    doc["data"][0]["paragraphs"][0]["qas"] = []  # 4 of the 5 questions gone
    doc["data"][1]["paragraphs"][0]["qas"] = []
    files["de"].write_text(json.dumps(doc))
    with pytest.warns(UserWarning, match="de has 1 of 5 usable questions"):
        load_lareqa("xquad-r", files)


def test_huge_paragraph_with_context_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xir_bench.data import lareqa

    monkeypatch.setattr(lareqa, "MAX_CONTEXT_COPIES", 100)
    root = write_lareqa(tmp_path, languages=("en",))
    path = _files(root, ("en",))["en"]
    with pytest.raises(DataFormatError, match="sentence\\+context would copy it into every sentence"):
        load_lareqa("xquad-r", {"en": path}, candidate_text="sentence+context")
    assert load_lareqa("xquad-r", {"en": path}).n_queries == 5  # sentences alone are fine
