"""``xir-bench validate``: a board maintainer's check of submitted results folders and model cards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_a_sound_submission_passes(bm25_run: Path, run_cli) -> None:
    result = run_cli("validate", *bm25_run.glob("*/*"), ROOT / "models" / "static-scratch.toml")
    assert "2 sound, 0 problems" in result.out


def test_every_problem_is_listed(bm25_run: Path, tmp_path: Path, run_cli) -> None:
    folder = next(bm25_run.glob("bm25/*"))
    path = folder / "XQuADR.json"
    result = json.loads(path.read_text())
    entry = next(e for e in result["scores"]["test"] if e["hf_subset"] == "deu-eng")
    entry["ndcg_at_10"] = 0.99
    path.write_text(json.dumps(result))
    (folder / "model_meta.json").write_text("[1, 2]")
    orphan, mistyped = tmp_path / "orphan.toml", tmp_path / "mistyped.toml"
    orphan.write_text('name = "orphan"\npath = "../../elsewhere"\ntraining_data = ["SQuAD"]\n')
    mistyped.write_text('name = "mistyped"\ntraining_data = "SQuAD"\n[training]\nbase = "static:32"\n')
    out = run_cli("validate", folder, orphan, mistyped, expect=2)
    assert f"{path}: subset 'deu-eng', ndcg_at_10: the file says 0.99" in out.err
    assert "model_meta.json: a JSON object is expected, not a list" in out.err
    assert "path '../../elsewhere' leaves the repository" in out.err
    assert "training_data: Input should be a valid list" in out.err  # the card's schema, every field named
    assert "training.train: Field required" in out.err
    assert "0 sound, 4 problems" in out.out  # the mistyped card is one problem naming both fields


def test_a_result_of_no_known_task_is_a_problem(bm25_run: Path, run_cli) -> None:
    folder = next(bm25_run.glob("bm25/*"))
    shutil.copy(folder / "XQuADR.json", folder / "NotATask.json")
    out = run_cli("validate", bm25_run, expect=2)
    assert "'NotATask' is no task of this board" in out.err


@pytest.mark.slow
def test_the_committed_board_validates() -> None:
    from xir_bench.results.validate import validate

    sound, problems = validate(
        [*sorted((ROOT / "leaderboard" / "results").glob("*/*")), *(ROOT / "models").glob("*.toml")]
    )
    assert problems == [] and len(sound) >= 25
