"""A recipe trained with several seeds is one board row: mean ± spread, its checkpoints not ranked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import tiny_run_args

from xir_bench.board.publish import publish
from xir_bench.board.seed_groups import seed_groups
from xir_bench.cli.main import main
from xir_bench.results.runs import discover_runs

CARD = """name = "{name}"
kind = "sentence-transformers"
description = "a checkpoint of one recipe"
reference = "https://example.org"

[training]
base = "static:32"
train = "mlqa-r"
alpha = 0.5
steps = 10
seed = {seed}
pairs = {pairs}
"""


@pytest.fixture
def seeded(tiny_data: Path, static_model: Path, tmp_path: Path) -> tuple[Path, Path]:
    """bm25, and one static model's run stored as three checkpoints of recipe ``rec`` (with cards)."""
    results, models = tmp_path / "results", tmp_path / "models"
    for model in ("bm25", str(static_model)):
        assert main(tiny_run_args(model, tiny_data, results)) == 0
    models.mkdir()
    for seed in range(3):
        name = f"rec-seed{seed}"
        shutil.copytree(results / "static-tiny", results / name)
        for meta in (results / name).glob("*/model_meta.json"):
            meta.write_text(json.dumps({**json.loads(meta.read_text()), "name": name}))
        (models / f"{name}.toml").write_text(CARD.format(name=name, seed=seed, pairs=100 + seed))
    return results, models


def test_checkpoints_of_one_recipe_form_a_group(seeded: tuple[Path, Path]) -> None:
    results, models = seeded
    groups = seed_groups(discover_runs(results), models)
    assert list(groups) == ["rec"] and [run.model for run in groups["rec"]] == [f"rec-seed{s}" for s in range(3)]
    text = (models / "rec-seed2.toml").read_text().replace("steps = 10", "steps = 20")
    (models / "rec-seed2.toml").write_text(text)  # another training: not the same recipe
    assert [run.model for run in seed_groups(discover_runs(results), models)["rec"]] == ["rec-seed0", "rec-seed1"]


@pytest.mark.slow
def test_the_board_shows_the_recipe_once_with_its_spread(seeded: tuple[Path, Path], tmp_path: Path) -> None:
    results, models = seeded
    board = publish(results, tmp_path / "board" / "README.md", models).read_text()
    assert "### XQuAD-R: recipes across training seeds" in board
    row = next(line for line in board.splitlines() if line.startswith("| rec "))
    assert "| 0, 1, 2 | 3 |" in row and "± 0.0000" in row  # three identical checkpoints
    assert "rec-seed1" not in board.replace(row, "")
    assert not list((tmp_path / "board" / "plots").glob("rec-seed*"))
