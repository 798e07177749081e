"""Exact, deterministic scoring: ties as LAReQA's reference ranks them, independent of block size.

The independent computation is scikit-learn's ``average_precision_score`` (what LAReQA's
reference evaluation called) on score vectors computed by numpy, setting by setting.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import lareqa_document, write_lareqa
from sklearn.metrics import average_precision_score

from xir_bench.cli.main import main
from xir_bench.core.collection import ParallelCollection
from xir_bench.core.evaluate import compute_rank_table, per_query_frame, pooled_aggregate, subset_scores
from xir_bench.core.scorers import DenseScorer
from xir_bench.core.settings import enumerate_settings
from xir_bench.data.lareqa import load_lareqa
from xir_bench.data.tasks import load_task

XQUAD_LANGS = ["ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh"]


@pytest.fixture(scope="module")
def eleven(tmp_path_factory: pytest.TempPathFactory) -> ParallelCollection:
    root = write_lareqa(tmp_path_factory.mktemp("data"), languages=tuple(XQUAD_LANGS))
    return load_task("xquad-r", XQUAD_LANGS, data_dir=root)


def _tie_heavy_embeddings(collection: ParallelCollection, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Small-integer vectors drawn from a handful of rows: most scores are exact ties.

    With integer components the dot products are exact in numpy too, so sklearn sees the
    same ties as the engine.
    """
    rng = np.random.default_rng(seed)
    palette = rng.integers(-2, 3, size=(4, 6)).astype(np.float32)
    queries = rng.integers(-2, 3, size=(collection.n_queries, 6)).astype(np.float32)
    candidates = palette[rng.integers(0, len(palette), collection.n_candidates)]
    return queries, candidates


def _frame(collection: ParallelCollection, queries, candidates, block_size: int, ties: str = "reference"):
    scorer = DenseScorer(collection, queries, candidates, similarity="dot")
    table = compute_rank_table(collection, scorer, block_size=block_size, progress=False, ties=ties)  # type: ignore[arg-type]
    return per_query_frame(collection, table, enumerate_settings(list(collection.languages)))


def test_dense_scores_do_not_depend_on_block_shape() -> None:
    """Identical embeddings score bit-identically, in any block, for cosine and dot."""
    rng = np.random.default_rng(1)
    candidates = rng.standard_normal((300, 48)).astype(np.float32)
    candidates[150:] = candidates[:150]  # every vector twice
    queries = rng.standard_normal((97, 48)).astype(np.float32)
    queries[50] = queries[3]
    collection = ParallelCollection(
        "x", ("en",), (), (), np.zeros(97, int), np.zeros(97, int), (), (), np.zeros(300, int), (), ()
    )
    for similarity in ("cosine", "dot"):
        scorer = DenseScorer(collection, queries, candidates, similarity=similarity)
        pool = scorer.pools()[0]
        whole = scorer.score(np.arange(97), pool)
        rows = np.concatenate([scorer.score(np.array([i]), pool).numpy() for i in range(97)])
        sevens = np.concatenate([scorer.score(np.arange(i, min(i + 7, 97)), pool).numpy() for i in range(0, 97, 7)])
        assert np.array_equal(whole.numpy(), rows) and np.array_equal(rows, sevens)
        assert np.array_equal(rows[:, :150], rows[:, 150:])
        assert np.array_equal(rows[3], rows[50])
        exact = queries.astype(np.float64) @ candidates.astype(np.float64).T
        if similarity == "cosine":
            exact /= np.outer(np.linalg.norm(queries, axis=1), np.linalg.norm(candidates, axis=1))
        assert np.abs(rows - exact).max() < 1e-6 * np.abs(exact).max()  # the grid's rounding only


def test_per_query_values_do_not_depend_on_block_size(eleven: ParallelCollection) -> None:
    queries, candidates = _tie_heavy_embeddings(eleven)
    for ties in ("reference", "pool-order", "optimistic"):
        frames = [_frame(eleven, queries, candidates, block, ties) for block in (1, 7, 512, 4096)]
        for other in frames[1:]:
            pd.testing.assert_frame_equal(frames[0], other, check_exact=True)


def _pessimistic_ranks(scores: np.ndarray, relevant: np.ndarray) -> np.ndarray:
    return np.array([(scores >= scores[r]).sum() for r in relevant], dtype=np.float64)


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow)])
def test_every_query_equals_sklearn_average_precision(eleven: ParallelCollection, seed: int) -> None:
    """AP = sklearn's on the setting's pool, for every (setting, query); other metrics from the same ranks."""
    queries, candidates = _tie_heavy_embeddings(eleven, seed)
    frame = _frame(eleven, queries, candidates, block_size=13).set_index(["subset", "query_id"])
    scores = queries.astype(np.float64) @ candidates.astype(np.float64).T
    checked = 0
    for setting in enumerate_settings(list(eleven.languages)):
        rows, pool = eleven.setting_members(setting.query_lang, setting.pool_lang)
        for row in rows:
            answers = eleven.group_relevant[eleven.query_groups[row]]
            y_true = np.isin(pool, answers)
            if not y_true.any():
                continue
            got = frame.loc[(setting.subset, eleven.query_ids[row])]
            row_scores = scores[row, pool]
            assert got["map"] == pytest.approx(average_precision_score(y_true, row_scores), abs=1e-12)
            ranks = _pessimistic_ranks(row_scores, np.flatnonzero(y_true))
            assert got["mrr"] == pytest.approx(1 / ranks.min(), abs=1e-12)
            assert got["recall_at_10"] == pytest.approx((ranks <= 10).mean(), abs=1e-12)
            if setting.kind == "multi":
                assert got["rank_distance"] == ranks.max() - ranks.min()
            checked += 1
    assert checked == len(frame)


def test_pooled_mean_is_the_mean_over_questions(eleven: ParallelCollection) -> None:
    queries, candidates = _tie_heavy_embeddings(eleven)
    frame = _frame(eleven, queries, candidates, block_size=512)
    frame = frame[frame["query_id"] != "q1"]  # unequal question counts per subset
    frame = frame[~((frame["query_id"] == "q2") & frame["subset"].str.startswith("eng"))]
    settings = enumerate_settings(list(eleven.languages))
    pooled = pooled_aggregate(subset_scores(frame, settings, "map"), settings)
    kind_of = {s.subset: s.kind for s in settings}
    expected = frame.assign(kind=frame["subset"].map(kind_of)).groupby("kind")["map"].mean()
    for kind in ("mono", "cross", "multi"):
        assert pooled[kind]["map"] == pytest.approx(expected[kind], abs=1e-12)


def _write(root: Path, doc: dict, lang: str = "en") -> Path:
    path = root / "lareqa" / "xquad-r" / f"{lang}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_candidate_text_comes_from_the_breaks_and_a_differing_field_is_named(tmp_path: Path) -> None:
    doc = lareqa_document("en")
    paragraph = doc["data"][1]["paragraphs"][0]
    paragraph["sentences"][0] = "A sentence the context does not hold."
    path = _write(tmp_path, doc)
    with pytest.warns(UserWarning, match=r"en\.json: the 'sentences' field differs .* data\[1\]\.paragraphs\[0\]"):
        from_breaks = load_lareqa("xquad-r", {"en": path})
    start, end = paragraph["sentence_breaks"][0]
    assert paragraph["context"][start:end] in from_breaks.candidate_texts
    with pytest.warns(UserWarning, match="using the 'sentences' field"):
        from_field = load_lareqa("xquad-r", {"en": path}, sentence_source="field")
    assert "A sentence the context does not hold." in from_field.candidate_texts


def test_sentences_with_the_answer_text_are_all_relevant(tmp_path: Path) -> None:
    """LAReQA's reference marks every sentence of the paragraph equal to the answer sentence."""
    doc = lareqa_document("en")
    paragraph = doc["data"][0]["paragraphs"][0]
    first = paragraph["sentences"][0]
    paragraph["context"] = f"{first} {first}"
    paragraph["sentence_breaks"] = [[0, len(first)], [len(first) + 1, 2 * len(first) + 1]]
    paragraph["sentences"] = [first, first]
    for qa in paragraph["qas"]:
        qa["answers"][0]["answer_start"] = 2
    collection = load_lareqa("xquad-r", {"en": _write(tmp_path, doc)})
    group = collection.query_groups[collection.query_ids.index("q1")]
    assert [collection.candidate_ids[c] for c in collection.group_relevant[group]] == ["en/p0/s0", "en/p0/s1"]


def test_results_record_the_tie_rule_and_are_not_reused_across_rules(
    tiny_data: Path, static_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--model", str(static_model), "--task", "xquad-r", "--data-dir", str(tiny_data), "--quiet"]
    args += ["--languages", "de,en,es", "--output", str(tmp_path / "out"), "--no-cache"]
    assert main(args) == 0
    (path,) = (tmp_path / "out").rglob("XQuADR.json")
    assert json.loads(path.read_text())["evaluation"]["ties"] == "reference"
    assert main([*args, "--ties", "optimistic"]) == 2  # not reused, not mixed, not silently replaced
    assert "computed another way (ties: stored 'reference', now 'optimistic')" in capsys.readouterr().err
    assert main([*args, "--ties", "optimistic", "--overwrite"]) == 0
    out = capsys.readouterr().out
    assert "reused" not in out and "'optimistic' rule" in out
    assert json.loads(path.read_text())["evaluation"]["ties"] == "optimistic"
    assert main([*args, "--ties", "optimistic"]) == 0
    assert "reused" in capsys.readouterr().out
