"""Names that become paths are identifiers, and nothing is written outside the folder given."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import tiny_run_args

from xir_bench.errors import XirBenchError
from xir_bench.results.store import model_folder
from xir_bench.storage.names import check_identifier, inside


@pytest.mark.parametrize("name", ["..", "../x", "a/b", ".hidden", "", "a..b", "x\n", "/abs", "-flag"])
def test_a_name_that_could_leave_its_folder_is_refused(name: str) -> None:
    with pytest.raises(XirBenchError, match="cannot name a file or folder"):
        check_identifier(name, "task name")


@pytest.mark.parametrize("name", ["XQuADR", "e5-small-base", "local-092793a1122d1787", "bm25s-0.3.16"])
def test_ordinary_names_pass(name: str) -> None:
    assert check_identifier(name, "name") == name


def test_result_folders_stay_inside_the_output(tmp_path: Path) -> None:
    assert (
        model_folder(tmp_path, "intfloat/multilingual-e5-small", "abc")
        == tmp_path / "intfloat__multilingual-e5-small" / "abc"
    )
    for name, revision in (("..", " r"), ("ok", ".."), ("../../x", "r"), ("a/../..", "r")):
        with pytest.raises(XirBenchError):
            model_folder(tmp_path, name, revision)
    with pytest.raises(XirBenchError, match="lies outside"):
        inside(tmp_path / "a", "..", "b")


def test_a_task_card_whose_name_is_a_path_is_refused_before_anything_runs(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    """mteb_name = "../../../../escaped_mteb" wrote escaped_mteb.json two levels above --output."""
    from xir_bench.cards import task_card_dir

    cards = tmp_path / "cards"
    cards.mkdir()
    text = (task_card_dir() / "xquad-r.toml").read_text(encoding="utf-8")
    text = text.replace('name = "xquad-r"', 'name = "evil-r"', 1).replace(
        'mteb_name = "XQuADR"', 'mteb_name = "../../escaped"'
    )
    (cards / "evil.toml").write_text(
        text.replace('mteb_family = "LAReQAXQuAD"', 'mteb_family = "Evil"'), encoding="utf-8"
    )
    monkeypatch.setenv("XIR_BENCH_TASK_CARDS", str(cards))
    output = tmp_path / "deep" / "out"
    result = run_cli(
        "run", "--model", "bm25", "--task", "evil-r", "--data-dir", tiny_data, "--output", output, expect=2
    )
    assert "evil.toml: invalid card" in result.err and "becomes a file or folder name" in result.err
    assert "Traceback" not in result.err
    assert not list(tmp_path.rglob("escaped*")) and not output.exists()


def test_a_model_folder_typed_with_dotdot_is_named_by_what_it_is(
    static_model: Path, tiny_data: Path, tmp_path: Path, run_cli
) -> None:
    """--model some/dir/.. wrote results one level above --output, under the model name '..'."""
    (static_model / "sub").mkdir(exist_ok=True)
    output = tmp_path / "runs" / "out"
    run_cli(*tiny_run_args(f"{static_model}/sub/..", tiny_data, output))
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("XQuADR.json")]
    assert [p.parts[:3] for p in written] == [("runs", "out", static_model.name)]


@pytest.mark.parametrize("path", ["../../etc/{lang}.json", "/etc/{lang}.json", "lareqa/../../{lang}.json"])
def test_a_task_cards_data_path_stays_inside_the_data_folder(path: str) -> None:
    from pydantic import ValidationError

    from xir_bench.card_parts import DataSource

    with pytest.raises(ValidationError, match="relative to the data folder"):
        DataSource(format="lareqa", revision="r", path=path, url="https://x/{lang}.json")


def test_a_published_model_card_names_only_a_folder_inside_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A card in models/ whose path pointed at another folder gave that folder its prompts ("INJECTED: ")."""
    from xir_bench import cards

    models = tmp_path / "models"
    models.mkdir()
    (models / "evil.toml").write_text(
        'name = "evil"\npath = "../../elsewhere/static-scratch"\nquery_prefix = "INJECTED: "\n', encoding="utf-8"
    )
    monkeypatch.setattr(cards, "_card_dir", lambda kind: models if kind == "models" else cards.task_card_dir())
    cards.model_cards.cache_clear()
    try:
        with pytest.raises(
            XirBenchError, match=r"evil\.toml: path '\.\./\.\./elsewhere/static-scratch' leaves the repository"
        ):
            cards.model_cards()
    finally:
        cards.model_cards.cache_clear()
