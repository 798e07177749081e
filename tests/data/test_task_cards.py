"""Adding a LAReQA-format data set is one TOML card and no code."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import mteb
import pytest
from conftest import write_lareqa

from xir_bench.cards import EXTRA_TASKS_ENV, get_task_card, task_cards
from xir_bench.errors import XirBenchError

LANGS = ("de", "en", "es")


def _card(data: Path) -> str:
    sums = "\n".join(
        f'{lang} = "{hashlib.sha256((data / "lareqa" / "synth-r" / f"{lang}.json").read_bytes()).hexdigest()}"'
        for lang in LANGS
    )
    return f"""name = "synth-r"
mteb_name = "SynthR"
title = "Synth-R"
description = "A synthetic parallel answer-retrieval set: three languages, five questions."
reference = "https://example.org/synth-r"
license = "cc-by-4.0"
domains = ["Written"]
main_score = "map"
languages = ["de", "en", "es"]
citation = "@misc{{synth, title = {{Synth-R}}}}"

[source]
format = "lareqa"
revision = "v1"
path = "lareqa/synth-r/{{lang}}.json"
url = "https://example.org/synth-r/{{revision}}/{{lang}}.json"

[source.sha256]
{sums}
"""


@pytest.fixture
def third_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A card folder with ``synth-r`` on ``$XIR_BENCH_TASK_CARDS``; returns its data folder."""
    data = write_lareqa(tmp_path / "data", "synth-r", LANGS)
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "synth-r.toml").write_text(_card(data), encoding="utf-8")
    monkeypatch.setenv(EXTRA_TASKS_ENV, str(cards))
    return data


@pytest.mark.slow
def test_a_third_card_is_a_task_everywhere(third_card: Path, tmp_path: Path, run_cli) -> None:
    assert get_task_card("synth-r").title == "Synth-R"
    assert "synth-r" in task_cards()

    info = run_cli("info", "synth-r", "--data-dir", third_card)
    assert "multilingual pool of" in info.out

    results = tmp_path / "results"
    run = run_cli(
        "run", "--model", "bm25", "--task", "synth-r", "--data-dir", third_card, "--output", results, "--quiet"
    )
    assert "synth-r" in run.out and (results / "bm25").is_dir()
    (stored,) = results.rglob("SynthR.json")

    from xir_bench.mteb_plugin.tasks import register

    register()
    task = mteb.get_task("SynthR")
    assert len(task.hf_subsets) == 3 * 3 + 3 and task.metadata.main_score == "map"

    board = tmp_path / "board" / "README.md"
    run_cli("leaderboard", "--results", results, "--out", board)
    text = board.read_text(encoding="utf-8")
    assert "## Synth-R" in text and "bm25" in text and stored.exists()


def test_a_card_declared_twice_is_named(third_card: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    again = tmp_path / "again"
    again.mkdir()
    (again / "copy.toml").write_text((tmp_path / "cards" / "synth-r.toml").read_text(), encoding="utf-8")
    monkeypatch.setenv(EXTRA_TASKS_ENV, os.pathsep.join([str(tmp_path / "cards"), str(again)]))
    with pytest.raises(XirBenchError, match=r"copy\.toml: the task 'synth-r' \(SynthR\) is declared twice"):
        task_cards()


def test_a_card_whose_kind_and_format_disagree_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_lareqa(tmp_path / "data", "synth-r", LANGS)
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "synth-r.toml").write_text('kind = "topk"\n' + _card(data), encoding="utf-8")
    monkeypatch.setenv(EXTRA_TASKS_ENV, str(cards))
    with pytest.raises(XirBenchError, match="a topk task cannot read the lareqa format"):
        task_cards()
