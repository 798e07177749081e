"""The board's fine-tuning section: a fine-tuned row against its base, by domain."""

from __future__ import annotations

from pathlib import Path

import pytest

from xir_bench.board.finetuned import base_of, finetuned_section
from xir_bench.cards import get_task_card, load_model_card
from xir_bench.results.runs import resolve_run

ROOT = Path(__file__).resolve().parents[2]


def test_the_base_is_found_by_its_cards_path_or_name() -> None:
    cards = {name: load_model_card(ROOT / "models" / f"{name}.toml") for name in ("e5-small-hybrid", "e5-small-base")}
    assert base_of(cards["e5-small-hybrid"], cards) == "e5-small-base"
    assert base_of(cards["e5-small-base"], cards) is None  # converted, not fine-tuned
    mini = load_model_card(ROOT / "models" / "mini-hybrid.toml")
    assert base_of(mini, {**cards, "mini-hybrid": mini}) is None  # its base (static:256) has no row


@pytest.mark.slow  # randomization tests over the published per-query tables
def test_each_fine_tuned_model_gets_a_table_of_domains(tmp_path: Path) -> None:
    names = ("e5-small-hybrid", "e5-small-base", "bm25")
    runs = [resolve_run(ROOT / "leaderboard" / "results" / name) for name in names]
    cards = {name: load_model_card(ROOT / "models" / f"{name}.toml") for name in names}
    board = ROOT / "leaderboard" / "README.md"
    lines = finetuned_section("XQuADR", get_task_card("xquad-r"), runs, cards, board, ROOT / "models")
    text = "\n".join(lines)
    assert "**e5-small-hybrid** − **e5-small-base**" in text and "bm25" not in text
    assert sum(line.startswith("| law-politics | 7 |") for line in lines) == 1
    assert len([line for line in lines if line.startswith("| ") and not line.startswith("| domain")]) == 8
    assert "([tasks/domains/xquad-r.toml](../tasks/domains/xquad-r.toml))" in text and "Hurts significantly in:" in text
    elsewhere = finetuned_section("XQuADR", get_task_card("xquad-r"), runs, cards, tmp_path / "b.md", tmp_path / "m")
    assert "(`tasks/domains/xquad-r.toml`)" in "\n".join(elsewhere)  # no repository beside: named, not linked
    assert (
        finetuned_section("MLQAR", get_task_card("mlqa-r"), runs, cards, tmp_path / "board.md", ROOT / "models") == []
    )
