"""Model identity: a name and a revision that say which model, whatever folder it sits in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import WORDS, lareqa_document, tiny_run_args

from xir_bench.cards import EMBEDDED_CARD, model_cards
from xir_bench.models.registry import load_model
from xir_bench.models.scratch import save_static_model
from xir_bench.models.sentence_encoder import card_for_folder

TEXTS = [
    s
    for lang in WORDS
    for article in lareqa_document(lang)["data"]
    for paragraph in article["paragraphs"]
    for s in paragraph["sentences"]
]


def test_rebuilding_the_same_scratch_model_gives_the_same_revision(tmp_path: Path) -> None:
    one = save_static_model(TEXTS, tmp_path / "a" / "model", dim=16, vocab_size=120, seed=3)
    two = save_static_model(TEXTS, tmp_path / "b" / "model", dim=16, vocab_size=120, seed=3)
    other = save_static_model(TEXTS, tmp_path / "c" / "model", dim=16, vocab_size=120, seed=4)
    revisions = [load_model(str(path)).revision for path in (one, two, other)]
    assert revisions[0] == revisions[1] != revisions[2]
    assert revisions[0].startswith("local-")


def test_two_folders_named_final_land_in_two_result_folders(tiny_data: Path, tmp_path: Path, run_cli) -> None:
    first = save_static_model(TEXTS, tmp_path / "run1" / "final", dim=16, vocab_size=120, seed=0)
    second = save_static_model(TEXTS, tmp_path / "run2" / "final", dim=16, vocab_size=120, seed=1)
    out = tmp_path / "results"
    for model in (first, second):
        run_cli(*tiny_run_args(model, tiny_data, out, "--settings", "mono"))
    folders = sorted(p.name for p in (out / "final").iterdir())
    assert len(folders) == 2 and folders == sorted({load_model(str(m)).revision for m in (first, second)})


def test_a_published_card_is_found_from_any_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A card's ``path`` is relative to the repository holding ``models/``, not to the working folder."""
    card = model_cards()["mini-hybrid"]
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(tmp_path)
    assert card.location() == (root / "models" / "mini-hybrid").resolve()
    if card.location().is_dir():  # built in this checkout (models/*/ is not committed)
        assert card_for_folder(card.location()) == card


def test_a_model_folder_carries_its_card_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The card ``xir-bench train`` saves inside the model: found, and read, from any folder."""
    model = save_static_model(TEXTS, tmp_path / "made" / "my-model", dim=16, vocab_size=120, seed=0)
    (model / EMBEDDED_CARD).write_text('name = "my-model"\n[training]\ntrain = "xquad-r"\n', encoding="utf-8")
    moved = shutil.move(model, tmp_path / "elsewhere" / "my-model")
    monkeypatch.chdir(tmp_path / "elsewhere")
    found = card_for_folder(Path(moved))
    assert found is not None and found.name == "my-model"
    assert load_model(str(moved)).trained_on() == "xquad-r"
