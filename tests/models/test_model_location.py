"""A --model argument is understood before any model code runs: misspelled folders, folders
that hold no model, hub ids offline, and hub revisions resolved to commits."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import tiny_run_args

from xir_bench.cli.main import main
from xir_bench.errors import XirBenchError
from xir_bench.models.location import looks_local, resolved_hub_revision


def _run_model(model: str, tiny_data: Path, tmp_path: Path) -> int:
    args = ["run", "--model", model, "--task", "xquad-r", "--data-dir", str(tiny_data)]
    return main([*args, "--output", str(tmp_path / "out"), "--quiet"])


def test_misspelled_local_folder_is_named_at_once(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "models" / "static-scratch").mkdir(parents=True)
    (tmp_path / "models" / "static-scratch" / "modules.json").write_text("[]")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # even online: no hub retries for a local path
    assert _run_model("models/static-scrach", tiny_data, tmp_path) == 2
    err = capsys.readouterr().err
    assert "model folder 'models/static-scrach' does not exist" in err and "did you mean models/static-scratch" in err
    assert not (tmp_path / "out").exists()


def test_a_folder_that_is_no_model(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "xquad-r.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    assert _run_model("tasks", tiny_data, tmp_path) == 2
    err = capsys.readouterr().err
    assert "'tasks' is a folder but not a model" in err and "Traceback" not in err


def test_hub_id_offline_and_not_cached_is_refused_at_once(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("XIR_BENCH_OFFLINE", "1")
    assert _run_model("someone/no-such-model", tiny_data, tmp_path) == 2
    assert "not in the Hugging Face cache, and the network is off" in capsys.readouterr().err


def test_hub_revision_is_the_resolved_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` moves; what a result records is the commit it pointed to when the model was loaded."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    repo = tmp_path / "models--org--encoder"
    old, new = "a" * 40, "b" * 40
    for commit in (old, new):
        (repo / "snapshots" / commit).mkdir(parents=True)
        (repo / "snapshots" / commit / "modules.json").write_text("[]")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(old)
    assert resolved_hub_revision("org/encoder", None) == old
    (repo / "refs" / "main").write_text(new)  # the hub's main moved and was downloaded again
    assert resolved_hub_revision("org/encoder", None) == new
    assert resolved_hub_revision("org/encoder", old) == old
    assert resolved_hub_revision("org/other", None) is None


def test_what_counts_as_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "models").mkdir()
    monkeypatch.chdir(tmp_path)
    assert looks_local("models/typo") and looks_local("./x") and looks_local("/abs/x") and looks_local("models")
    assert not looks_local("intfloat/multilingual-e5-small")


def test_train_base_folder_checked_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xir_bench.train.base_model import load_base_model as build_base_model

    (tmp_path / "runs").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(XirBenchError, match="model folder 'runs/e5' does not exist"):
        build_base_model("runs/e5", [], 0, tmp_path)


def test_a_local_model_cannot_take_a_baselines_name(
    tiny_data: Path, tmp_path: Path, static_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dense model in a folder named bm25 used to replace BM25's row on the board."""
    import shutil

    shutil.copytree(static_model, tmp_path / "bm25")
    assert _run_model(str(tmp_path / "bm25"), tiny_data, tmp_path) == 2
    assert "is named 'bm25', the name of another model on the board" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("card_text", "message"),
    [("name = [unclosed", "not valid TOML"), ('name = "x"\nkind = "spaceship"\n', "invalid card")],
)
def test_a_model_folders_own_broken_card_is_named(
    card_text: str, message: str, static_model: Path, tmp_path: Path, tiny_data: Path, run_cli
) -> None:
    """A malformed or invalid xir-bench-card.toml in a model folder ended in a raw traceback."""
    import shutil

    folder = tmp_path / "broken-card-model"
    shutil.copytree(static_model, folder)
    (folder / "xir-bench-card.toml").write_text(card_text, encoding="utf-8")
    result = run_cli(*tiny_run_args(folder, tiny_data, tmp_path / "out"), expect=2)
    assert f"{folder / 'xir-bench-card.toml'}: {message}" in result.err and "Traceback" not in result.err


def test_a_card_that_sets_prompts_says_so(static_model: Path, tmp_path: Path, tiny_data: Path, run_cli) -> None:
    """A card decides a model's numbers through its prompts; it never does so unseen."""
    import shutil

    folder = tmp_path / "carded-model"
    shutil.copytree(static_model, folder)
    (folder / "xir-bench-card.toml").write_text(
        'name = "carded-model"\nquery_prefix = "q: "\npassage_prefix = "p: "\noriginal = "scratch"\n', encoding="utf-8"
    )
    result = run_cli(*tiny_run_args(folder, tiny_data, tmp_path / "out"))
    assert "carded-model: query / passage prompts 'q: ' / 'p: ' from its card 'carded-model'" in result.err
    explicit = run_cli(
        *tiny_run_args(folder, tiny_data, tmp_path / "out2", "--query-prefix", "", "--passage-prefix", "")
    )
    assert "from its card" not in explicit.err
