"""The per-kind mteb tasks: metadata mteb accepts, and means that are the board's numbers."""

from __future__ import annotations

from pathlib import Path

import mteb
import pytest

import xir_bench
from xir_bench.board.cells import column_mean
from xir_bench.cards import task_cards
from xir_bench.core.settings import SETTING_KINDS
from xir_bench.mteb_plugin.metadata import kind_task_name
from xir_bench.mteb_plugin.tasks import register, task_classes
from xir_bench.results.runs import resolve_run

PARALLEL = [card for card in task_cards().values() if card.kind == "parallel"]


@pytest.mark.parametrize("task", task_classes(), ids=lambda t: t.metadata.name)
def test_every_task_passes_mtebs_is_filled(task: type) -> None:
    assert task.metadata.is_filled(), task.metadata.name
    assert task.metadata.adapted_from


@pytest.mark.slow
def test_result_cache_scores_are_the_board_numbers(
    full_data: Path, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    """For every task, mteb's ResultCache score equals the board's Mo / Cr / Mul for that kind."""
    register()
    monkeypatch.setenv("XIR_BENCH_DATA_DIR", str(full_data))
    names = [kind_task_name(card, kind) for card in PARALLEL for kind in SETTING_KINDS]
    model = xir_bench.load_model(str(model_path))
    mteb.evaluate(model, tasks=mteb.get_tasks(tasks=names), cache=mteb.ResultCache(tmp_path / "mteb"))

    board = tmp_path / "board-results"
    tasks = ",".join(card.name for card in PARALLEL)
    run_cli("run", "--model", model_path, "--task", tasks, "--data-dir", full_data, "--output", board, "--quiet")
    run = resolve_run(board / model_path.name)

    loaded = mteb.ResultCache(tmp_path / "mteb").load_results(tasks=names, include_remote=False)
    (model_results,) = list(loaded)
    assert model_results.model_name == model_path.name  # as xir-bench run names it
    by_task = {result.task_name: result for result in model_results.task_results}
    assert set(by_task) == set(names)
    for card in PARALLEL:
        for kind in SETTING_KINDS:
            cached = by_task[kind_task_name(card, kind)].get_score()
            assert cached == pytest.approx(column_mean(run, card.mteb_name, kind, "map"), abs=2e-6), (card, kind)


def test_two_local_models_land_under_their_own_names(
    full_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import lareqa_document

    from xir_bench.models.scratch import save_static_model

    texts = [s for a in lareqa_document("en")["data"] for p in a["paragraphs"] for s in p["sentences"]]
    first = save_static_model(texts, tmp_path / "one" / "final", dim=16, vocab_size=150, seed=0)
    second = save_static_model(texts, tmp_path / "two" / "final", dim=16, vocab_size=150, seed=1)
    register()
    monkeypatch.setenv("XIR_BENCH_DATA_DIR", str(full_data))
    cache = mteb.ResultCache(tmp_path / "mteb")
    scores = []
    for path in (first, second):
        model = xir_bench.load_model(str(path))
        (result,) = mteb.evaluate(model, tasks=[mteb.get_task("LAReQAXQuADMono")], cache=cache).task_results
        scores.append(result.get_score())
    folders = sorted(p.relative_to(tmp_path / "mteb" / "results") for p in (tmp_path / "mteb").rglob("*.json"))
    revisions = {p.parts[1] for p in folders if p.name == "LAReQAXQuADMono.json"}
    assert len(revisions) == 2 and scores[0] != scores[1]


def test_predictions_are_trec_runs_of_the_top_1000(full_data: Path, model_path: Path, tmp_path: Path) -> None:
    task = mteb.get_task("LAReQAXQuADCross", languages=["deu", "eng"], exclusive_language_filter=True)
    task.data_dir, task.progress = full_data, False
    model = xir_bench.load_model(str(model_path))
    scores = task.evaluate(model, "test", encode_kwargs={}, prediction_folder=tmp_path / "pred")
    files = sorted((tmp_path / "pred").glob("*.trec"))
    assert [f.name for f in files] == [f"LAReQAXQuADCross_{s}.trec" for s in sorted(task.hf_subsets)]
    lines = [line.split() for line in files[0].read_text().splitlines()]
    assert len(lines) == 5 * 7 and all(len(line) == 6 and line[1] == "Q0" for line in lines)  # 5 queries, 7 in pool
    subset = files[0].stem.split("_", 1)[1]
    relevant = task.dataset[subset]["test"]["relevant_docs"]
    top1 = {q: d for q, _, d, rank, *_ in lines if rank == "1"}
    assert set(top1) == set(relevant)
    recall_at_1 = sum(top1[q] in docs for q, docs in relevant.items()) / len(relevant)
    assert recall_at_1 == pytest.approx(scores[subset]["recall_at_1"])  # the run file is the ranking scored


def test_a_rerun_under_mteb_encodes_nothing(full_data: Path, model_path: Path) -> None:
    model = xir_bench.load_model(str(model_path))
    calls = []
    encoder = model.xir_text_encoder
    original = encoder.encode

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    encoder.encode = counting
    for _ in range(2):
        task = mteb.get_task("LAReQAXQuADMono", languages=["eng"])
        task.data_dir, task.progress = full_data, False
        task.evaluate(model, "test", encode_kwargs={})
        if _ == 0:
            encoded_first = len(calls)
    assert encoded_first > 0 and len(calls) == encoded_first  # the second task read every embedding from the cache


def test_a_model_without_encode_goes_through_mtebs_search(full_data: Path) -> None:
    bm25 = mteb.get_model("mteb/baseline-bm25s")
    assert not hasattr(bm25, "encode")
    task = mteb.get_task("LAReQAXQuADMono", languages=["eng"], exclusive_language_filter=True)
    task.data_dir = full_data
    scores = task.evaluate(bm25, "test", encode_kwargs={})
    assert 0 < scores["eng"]["map"] <= 1 and "ndcg_at_10" in scores["eng"]


def test_miracl_result_cache_score_is_the_board_number(tmp_path: Path, run_cli) -> None:
    """XirMIRACL under mteb (mteb's search and scoring) gives the board's MIRACL nDCG@10."""
    from test_mteb import _write_miracl

    from xir_bench.models.scratch import save_static_model
    from xir_bench.mteb_plugin.tasks import XirMIRACL

    root = _write_miracl(tmp_path / "data")
    texts = ["mto mrefu sana", "bahari kubwa", "mlima mkubwa", "Mto", "Bahari", "Mlima"]
    path = save_static_model(texts, tmp_path / "m", dim=16, vocab_size=60)
    task = XirMIRACL(data_dir=root)
    task.filter_languages(None, hf_subsets=["swa"])
    mteb.evaluate(xir_bench.load_model(str(path)), tasks=[task], cache=mteb.ResultCache(tmp_path / "mteb"))
    (model_results,) = list(mteb.ResultCache(tmp_path / "mteb").load_results(include_remote=False))
    (cached,) = model_results.task_results

    board = tmp_path / "board-results"
    run_cli("run", "--model", path, "--task", "miracl", "--languages", "sw", "--data-dir", root, "--output", board)
    run = resolve_run(board / "m")
    assert cached.get_score() == pytest.approx(column_mean(run, "XirMIRACL", "mono", "ndcg_at_10"), abs=1e-5)


def test_model_meta_carries_the_cards_training_data(tmp_path: Path) -> None:
    """A model trained on MLQA-R tells mteb so: its tasks and the mteb task the data came from."""
    from conftest import lareqa_document

    from xir_bench.cards import EMBEDDED_CARD
    from xir_bench.models.scratch import save_static_model

    texts = [s for a in lareqa_document("en")["data"] for p in a["paragraphs"] for s in p["sentences"]]
    path = save_static_model(texts, tmp_path / "trained", dim=16, vocab_size=150, seed=0)
    (path / EMBEDDED_CARD).write_text(
        'name = "trained"\noriginal = "intfloat/multilingual-e5-small"\n[training]\ntrain = "mlqa-r"\n',
        encoding="utf-8",
    )
    meta = xir_bench.load_model(str(path)).mteb_model_meta
    assert meta.name == "trained" and meta.revision.startswith("local-")  # as xir-bench run names it
    assert {"MLQARetrieval", "LAReQAMLQAMono", "LAReQAMLQACross", "LAReQAMLQAMulti"} <= set(meta.training_datasets)
    assert meta.adapted_from == "intfloat/multilingual-e5-small"
