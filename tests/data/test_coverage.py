"""Parallel language files must share question ids; a pair that shares none is named, not a KeyError."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import tiny_run_args


def test_two_languages_with_no_question_in_common_are_named(tiny_data: Path, tmp_path: Path, run_cli) -> None:
    es = tiny_data / "lareqa" / "xquad-r" / "es.json"
    document = json.loads(es.read_text(encoding="utf-8"))
    for article in document["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                qa["id"] = f"other-{qa['id']}"
    es.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = run_cli(*tiny_run_args("bm25", tiny_data, tmp_path / "out"), expect=2)
    assert f"{es}: whole file: no question id in common with" in result.err
    assert "KeyError" not in result.err and not (tmp_path / "out").exists()


def test_a_language_without_usable_questions_is_still_named(tiny_data: Path, tmp_path: Path, run_cli) -> None:
    de = tiny_data / "lareqa" / "xquad-r" / "de.json"
    document = json.loads(de.read_text(encoding="utf-8"))
    for article in document["data"]:
        for paragraph in article["paragraphs"]:
            paragraph["qas"] = []
    de.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = run_cli(*tiny_run_args("bm25", tiny_data, tmp_path / "out"), expect=2)
    assert "no usable question in de" in result.err
