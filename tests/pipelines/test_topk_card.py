"""A top-k task is its card: a second one (MIRACL's layout, two languages, a few hundred
passages written here) works end to end without a line of code: info, run, mteb, its own
board section, and a reproduce condition."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import mteb
import pytest

import xir_bench
from xir_bench.cards import EXTRA_TASKS_ENV, get_task_card
from xir_bench.cli.main import main

CARD = """\
name = "toy-topk"
kind = "topk"
split = "dev"
mteb_name = "ToyTopk"
title = "Toy passages"
description = "Two languages of made-up passages, written by a test."
reference = "https://example.org/toy"
license = "cc-by-4.0"
domains = ["Written"]
main_score = "ndcg_at_10"
languages = ["sw", "yo"]
citation = "@misc{toy, title={Toy}, year={2026}}"

[source]
format = "miracl-anserini"
revision = "toy-v1"
path = "toy/topics.toy-{lang}-dev.tsv"
url = "https://example.org/toy/{lang}/topics.tsv"
"""

WORDS = [f"w{i}" for i in range(3000)]  # a large vocabulary: BM25 scores rarely tie


def _write_language(root: Path, lang: str, rng: random.Random) -> None:
    """150 passages and 12 queries, each query's words drawn from its relevant passage."""
    folder = root / "toy"
    (folder / "corpus").mkdir(parents=True, exist_ok=True)
    passages = {f"{lang}{d}#0": " ".join(rng.choices(WORDS, k=12)) for d in range(150)}
    (folder / "corpus" / f"{lang}.jsonl").write_text(
        "".join(json.dumps({"docid": d, "title": "", "text": t}) + "\n" for d, t in passages.items()),
        encoding="utf-8",
    )
    topics, qrels = [], []
    for q in range(12):
        relevant = f"{lang}{rng.randrange(150)}#0"
        topics.append(f"{q}\t{' '.join(rng.sample(passages[relevant].split(), 4))}\n")
        qrels += [f"{q}\tQ0\t{relevant}\t1\n", f"{q}\tQ0\t{lang}{rng.randrange(150)}#0\t0\n"]
    (folder / f"topics.toy-{lang}-dev.tsv").write_text("".join(topics), encoding="utf-8")
    (folder / f"qrels.toy-{lang}-dev.tsv").write_text("".join(qrels), encoding="utf-8")


@pytest.fixture
def toy_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "toy-topk.toml").write_text(CARD, encoding="utf-8")
    monkeypatch.setenv(EXTRA_TASKS_ENV, str(cards))
    data = tmp_path / "data"
    rng = random.Random(7)
    for lang in ("sw", "yo"):
        _write_language(data, lang, rng)
    yield data


def test_a_second_topk_card_works_end_to_end(
    toy_task: Path, tmp_path: Path, static_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = toy_task, tmp_path / "results"
    assert main(["info", "toy-topk", "--data-dir", str(data)]) == 0
    assert "sw" in capsys.readouterr().out
    for model in ("bm25", str(static_model)):
        run = ["run", "--model", model, "--task", "toy-topk", "--data-dir", str(data), "--quiet"]
        assert main([*run, "--output", str(out)]) == 0
    (stored,) = out.glob("bm25/*/ToyTopk.json")
    entries = json.loads(stored.read_text())["scores"]["dev"]
    assert sorted(e["hf_subset"] for e in entries) == ["swa", "yor"]
    board_ndcg = sum(e["ndcg_at_10"] for e in entries) / len(entries)
    assert board_ndcg > 0.5  # the queries' words come from their passages

    # mteb: the task is named and described by its card, and scores as the command line did
    import xir_bench.mteb_tasks as xir_mteb

    xir_mteb.register()
    task = mteb.get_task("ToyTopk")
    assert task.metadata.description.startswith("Two languages of made-up passages")
    task.data_dir = data
    result = mteb.evaluate(xir_bench.load_model("bm25"), tasks=[task], cache=None, show_progress_bar=False)
    assert result.task_results[0].get_score() == pytest.approx(board_ndcg, abs=1e-6)

    # the board: its own section, titled and ranked from the card
    board = tmp_path / "board" / "README.md"
    assert main(["leaderboard", "--results", str(out), "--out", str(board), "--models", str(tmp_path)]) == 0
    text = board.read_text(encoding="utf-8")
    assert "## Toy passages (dev)" in text and "### Toy passages: nDCG@10 by language" in text
    assert "MIRACL" not in text

    # reproduce: a condition on the card's columns
    conditions = tmp_path / "conditions.toml"
    conditions.write_text(
        '[[condition]]\nname = "toy-bm25"\nmodel = "bm25"\ntask = "toy-topk"\n'
        'commands = ["xir-bench run --model bm25 --task toy-topk --data-dir {data_dir} --quiet"]\n'
        f"[condition.expected]\nmono_ndcg_at_10 = {board_ndcg!r}\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["reproduce", "--conditions", str(conditions), "--data-dir", str(data)]) == 0
    assert "OK" in capsys.readouterr().out
    assert get_task_card("toy-topk").main_score == "ndcg_at_10"
