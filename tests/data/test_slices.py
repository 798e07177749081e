"""Each question's article and paragraph: the ids the data gives, in every per-query row."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from xir_bench.core.collection import SLICE_COLUMNS
from xir_bench.data.tasks import load_task


def _questions_per_article(path: Path) -> Counter[str]:
    """Questions per article title, counted straight from a LAReQA file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Counter({a["title"]: sum(len(p["qas"]) for p in a["paragraphs"]) for a in raw["data"]})


@pytest.mark.realdata
def test_xquad_r_articles_are_the_datas(shared_data: Path) -> None:
    collection = load_task("xquad-r", ["en", "de"], shared_data)
    counts = Counter(collection.group_slices["article"])
    assert counts == _questions_per_article(shared_data / "lareqa" / "xquad-r" / "en.json")
    assert len(counts) == 48 and sum(counts.values()) == 1190
    assert len(set(collection.group_slices["paragraph"])) == 240


@pytest.mark.realdata
def test_mlqa_r_articles_are_named_in_english(shared_data: Path) -> None:
    """MLQA-R's titles differ by language; a question's article is its English article, the
    one name it has in every language's rows."""
    collection = load_task("mlqa-r", ["de", "en"], shared_data)
    english = _questions_per_article(shared_data / "lareqa" / "mlqa-r" / "en.json")
    counts = Counter(collection.group_slices["article"])
    assert set(counts) <= set(english)
    assert all(counts[title] <= english[title] for title in counts)
    german_titles = {a["title"] for a in json.loads((shared_data / "lareqa/mlqa-r/de.json").read_text())["data"]}
    assert not (set(counts) - set(english)) and not (set(counts) & (german_titles - set(english)))


def test_every_per_query_row_carries_its_questions_slices(tiny_data: Path, bm25_run: Path) -> None:
    (table,) = bm25_run.glob("*/*/XQuADR.per_query.parquet")
    frame = pd.read_parquet(table)
    assert list(frame.columns[:4]) == ["subset", "query_id", *SLICE_COLUMNS]
    collection = load_task("xquad-r", ["de", "en", "es"], tiny_data)
    expected = dict(zip(collection.group_ids, collection.group_slices["paragraph"], strict=True))
    assert (frame["paragraph"] == frame["query_id"].map(expected)).all()
    assert set(frame["article"]) == {"t0", "t1", "t2"}
    assert (frame["paragraph"].str.split("#").str[0] == frame["article"]).all()


def test_migration_adds_the_slices_and_keeps_the_scores(tiny_data: Path, bm25_run: Path) -> None:
    from xir_bench.results.migrate import migrate
    from xir_bench.results.store import read_result, write_per_query

    (table,) = bm25_run.glob("*/*/XQuADR.per_query.parquet")
    with_slices = pd.read_parquet(table)
    result_path = table.with_name("XQuADR.json")  # make it a table written before slices existed
    result = json.loads(result_path.read_text())
    result["per_query_sha256"] = write_per_query(table.parent, "XQuADR", with_slices.drop(columns=list(SLICE_COLUMNS)))
    result_path.write_text(json.dumps(result))
    assert migrate(bm25_run, str(tiny_data)) == [table]
    migrated = read_result(table.parent, "XQuADR")
    pd.testing.assert_frame_equal(migrated.per_query, with_slices)
    assert migrate(bm25_run, str(tiny_data)) == []  # nothing left to do
