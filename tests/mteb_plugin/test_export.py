"""``xir-bench export-mteb``: mteb's own loader reads the export, and mteb scores it as the plugin does."""

from __future__ import annotations

from pathlib import Path

import mteb
import pytest
from mteb.abstasks.retrieval import AbsTaskRetrieval
from mteb.abstasks.retrieval_dataset_loaders import RetrievalDatasetLoader

import xir_bench
from xir_bench.mteb_plugin.tasks import register


@pytest.mark.slow
def test_export_round_trip(full_data: Path, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli):
    out = tmp_path / "export"
    run_cli("export-mteb", "--output", out, "--task", "xquad-r", "--data-dir", full_data, "--quiet")
    assert sorted(p.name for p in out.iterdir()) == ["LAReQAXQuADCross", "LAReQAXQuADMono", "LAReQAXQuADMulti"]
    loaded = RetrievalDatasetLoader(str(out / "LAReQAXQuADCross"), None, "test", config="eng_queries-deu_pool").load()
    assert len(loaded["corpus"]) == 7 and len(loaded["queries"]) == 5 and len(loaded["relevant_docs"]) == 5
    assert all(doc.startswith("de") for docs in loaded["relevant_docs"].values() for doc in docs)

    register()
    monkeypatch.setenv("XIR_BENCH_DATA_DIR", str(full_data))
    model = xir_bench.load_model(str(model_path))
    for name, subsets in (("LAReQAXQuADMono", ["eng", "tha"]), ("LAReQAXQuADMulti", ["deu_queries-all_pool"])):
        plugin = mteb.get_task(name, hf_subsets=subsets)
        exported = _task_reading(out / name, plugin)
        ours = plugin.evaluate(model, "test", encode_kwargs={})
        theirs = exported.evaluate(model, "test", encode_kwargs={})
        for subset in subsets:
            # mteb's own scoring (pytrec_eval) of its own loading, rounded by mteb to 5 decimals;
            # full-pool AP is its map_at_k for k >= pool size
            assert theirs[subset]["map_at_1000"] == pytest.approx(ours[subset]["map"], abs=5e-6), (name, subset)
            assert theirs[subset]["ndcg_at_10"] == pytest.approx(ours[subset]["ndcg_at_10"], abs=5e-6)


def _task_reading(folder: Path, like: AbsTaskRetrieval) -> AbsTaskRetrieval:
    """A plain mteb retrieval task with ``like``'s metadata whose data is the exported folder."""
    metadata = like.metadata.model_copy(
        update={
            "name": f"Exported{like.metadata.name}",
            "main_score": "map_at_1000",
            "dataset": {"path": str(folder), "revision": "local"},
        }
    )
    cls = type(metadata.name, (AbsTaskRetrieval,), {"metadata": metadata})
    task = cls()
    task.filter_languages(None, hf_subsets=list(like.hf_subsets))
    return task


@pytest.mark.slow  # 168 configs through datasets.load_dataset: about a minute
def test_every_config_of_an_export_loads(full_data: Path, tmp_path: Path, run_cli) -> None:
    """datasets.load_dataset and mteb's loader read every config; the card is YAML from huggingface_hub;
    a pool that several subsets share is one file."""
    import datasets
    from huggingface_hub import DatasetCard

    out = tmp_path / "export"
    run_cli("export-mteb", "--output", out, "--task", "mlqa-r", "--data-dir", full_data, "--quiet")
    for task in ("LAReQAMLQAMono", "LAReQAMLQACross", "LAReQAMLQAMulti"):
        folder = out / task
        readme = (folder / "README.md").read_text(encoding="utf-8")
        assert readme.startswith("---\n") and "\nconfigs:\n- config_name: " in readme  # YAML, not JSON
        card = DatasetCard.load(folder / "README.md")
        assert card.data.license == "cc-by-nc-4.0" and "text-retrieval" in card.data.task_categories
        assert "one character long" in card.text and "@article{lewis2019mlqa" in card.text
        configs = card.data.configs
        subsets = mteb.get_task(task).hf_subsets
        assert {c["config_name"] for c in configs} == {
            f"{s}-{p}" for s in subsets for p in ("corpus", "queries", "qrels")
        }
        for config in configs:
            rows = datasets.load_dataset(str(folder), config["config_name"], split="dev")
            assert len(rows) > 0, config["config_name"]
        for subset in subsets:
            loaded = RetrievalDatasetLoader(str(folder), None, "dev", config=subset).load()
            assert len(loaded["queries"]) == len(loaded["relevant_docs"]) > 0
        files = list(folder.rglob("*.parquet"))
        assert all(f.name == "dev-00000-of-00001.parquet" for f in files)
        corpus_files = {c["data_files"][0]["path"] for c in configs if c["config_name"].endswith("-corpus")}
        assert len(corpus_files) == (1 if task.endswith("Multi") else 7)  # one file per distinct pool
