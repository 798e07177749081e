"""Hybrid batch sampler, training pairs, contamination guard, and a tiny end-to-end training run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from xir_bench.cli.main import main
from xir_bench.data.tasks import load_task
from xir_bench.errors import XirBenchError
from xir_bench.train.pairs import contamination, load_pairs, pairs_from_collection
from xir_bench.train.sampler import HybridBatchSampler

LANGS = ("de", "en", "es", "fr")
XQUAD_LANGS = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")


def synthetic_pairs(groups: int = 300, seed: int = 0) -> dict[str, list[str]]:
    """Every group has a question and an answer in 2-4 languages; all X-Y pairs of the group."""
    rng = np.random.default_rng(seed)
    meta: dict[str, list[str]] = {"query_languages": [], "passage_languages": [], "groups": []}
    for group in range(groups):
        langs = rng.choice(LANGS, size=int(rng.integers(2, 5)), replace=False)
        for x in langs:
            for y in langs:
                meta["query_languages"].append(str(x))
                meta["passage_languages"].append(str(y))
                meta["groups"].append(f"g{group}")
    return meta


def make_sampler(meta: dict[str, list[str]], alpha: float, seed: int = 0, batch_size: int = 16) -> HybridBatchSampler:
    dataset = list(range(len(meta["groups"])))
    return HybridBatchSampler(dataset, batch_size=batch_size, drop_last=False, seed=seed, alpha=alpha, **meta)


@pytest.mark.parametrize("alpha", [0.0, 0.25, 0.5, 1.0])
def test_sampler_batch_composition(alpha: float) -> None:
    meta = synthetic_pairs()
    query, passage, groups = (np.asarray(meta[k]) for k in ("query_languages", "passage_languages", "groups"))
    kinds = []
    for epoch in range(8):
        sampler = make_sampler(meta, alpha)
        sampler.set_epoch(epoch)
        for kind, batch in sampler.batch_kinds():
            kinds.append(kind)
            assert len(set(groups[batch])) == len(batch), "a parallel group twice in one batch"
            if kind == "cross":
                assert (query[batch] != passage[batch]).all()
            else:
                lang = kind.split(":")[1]
                assert (query[batch] == lang).all() and (passage[batch] == lang).all()
    mono_share = np.mean([k != "cross" for k in kinds])
    n = len(kinds)
    # binomial: 4 standard deviations (exact at the ends)
    tolerance = 4 * math.sqrt(alpha * (1 - alpha) / n)
    assert abs(mono_share - alpha) <= tolerance, (mono_share, alpha, n)
    if 0 < alpha < 1:
        languages = {k for k in kinds if k != "cross"}
        assert languages == {f"mono:{lang}" for lang in LANGS}  # every language gets mono batches


def test_sampler_is_seeded_and_changes_per_epoch() -> None:
    meta = synthetic_pairs()
    first = list(make_sampler(meta, 0.5, seed=3))
    assert first == list(make_sampler(meta, 0.5, seed=3))
    assert first != list(make_sampler(meta, 0.5, seed=4))
    moved = make_sampler(meta, 0.5, seed=3)
    moved.set_epoch(1)
    assert list(moved) != first
    assert len(first) == len(make_sampler(meta, 0.5, seed=3)) == math.ceil(len(meta["groups"]) / 16)


def test_sampler_rejects_impossible_requests() -> None:
    meta = synthetic_pairs(20)
    only_mono = {
        k: [v for v, q, p in zip(meta[k], meta["query_languages"], meta["passage_languages"], strict=True) if q == p]
        for k in meta
    }
    with pytest.raises(XirBenchError, match="cross-lingual pairs"):
        make_sampler(only_mono, 0.5)
    with pytest.raises(XirBenchError, match="alpha must be"):
        make_sampler(meta, 1.5)
    with pytest.raises(XirBenchError, match="entries"):
        HybridBatchSampler(
            list(range(3)), 2, False, alpha=0.5, query_languages=["en"], passage_languages=["en"], groups=["g"]
        )


def test_pairs_from_parallel_task(tiny_data: Path) -> None:
    collection = load_task("xquad-r", ["de", "en", "es"], tiny_data)
    pairs = pairs_from_collection(collection)
    counts = pairs.counts()
    # 5 questions x 3 languages, each paired with its answer in each of the 3 languages
    assert counts == {"pairs": 45, "monolingual": 15, "cross_lingual": 30, "groups": 5}
    row = pairs.query_languages.index("de")
    assert "apfel" in pairs.queries[row].lower() or pairs.queries[row]
    assert contamination(pairs, collection).shared_groups == 5


def test_pairs_from_jsonl_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "pairs.jsonl"
    rows = [
        {"query": "q1", "positive": "p1", "query_language": "en", "passage_language": "de", "group": "a"},
        {"query": "q2", "positive": "p2", "query_language": "en", "passage_language": "en", "group": "b"},
    ]
    good.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pairs = load_pairs(str(good))
    assert pairs.counts()["pairs"] == 2 and pairs.negatives is None
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rows[0]) + "\n{not json\n")
    with pytest.raises(XirBenchError, match=r"bad\.jsonl: line 2: not valid JSON"):
        load_pairs(str(bad))
    missing = tmp_path / "missing.jsonl"
    missing.write_text(json.dumps(rows[0]) + "\n" + json.dumps({"query": "q"}) + "\n")
    with pytest.raises(XirBenchError, match=r"missing.jsonl: line 2: missing or empty field"):
        load_pairs(str(missing))


def test_train_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Seconds: a static model trained on the synthetic task; loss falls; it loads and scores."""
    from conftest import write_lareqa

    from xir_bench.train.recipe import TrainConfig, train

    tiny_data = write_lareqa(tmp_path / "data", languages=XQUAD_LANGS)

    # training on the task you evaluate on is refused unless explicitly allowed
    config = TrainConfig(
        base="static:32",
        train="xquad-r",
        languages=["de", "en", "es"],
        output=tmp_path / "model",
        alpha=0.5,
        steps=60,
        batch_size=4,
        learning_rate=0.1,
        data_dir=str(tiny_data),
        eval_tasks=["xquad-r"],
        cards_dir=tmp_path / "cards",
        progress=False,
    )
    with pytest.raises(XirBenchError, match="overlaps evaluation data"):
        train(config)
    assert not (tmp_path / "model").exists()
    config.allow_contamination = True
    outcome = train(config)
    assert len(outcome.losses) >= 4
    assert np.mean(outcome.losses[-3:]) < np.mean(outcome.losses[:3])
    card = (tmp_path / "cards" / "model.toml").read_text()
    assert "alpha = 0.5" in card and "CONTAMINATED" in card and 'query_prefix = "Query: "' in card
    # the card says what it was trained on: scoring it on that task warns
    import tomllib

    from xir_bench.cards import ModelCard
    from xir_bench.models import sentence_encoder as models

    card = ModelCard.model_validate(tomllib.loads((tmp_path / "cards" / "model.toml").read_text()))
    card = card.model_copy(update={"path": str(outcome.model_path)})
    monkeypatch.setattr(models, "model_cards", lambda: {card.name: card})
    code = main(
        [
            "run",
            "--model",
            str(outcome.model_path),
            "--task",
            "xquad-r",
            "--languages",
            "de,en,es",
            "--data-dir",
            str(tiny_data),
            "--output",
            str(tmp_path / "results"),
            "--quiet",
        ]
    )
    assert code == 0
    assert "was trained on xquad-r" in capsys.readouterr().err
    (result,) = (tmp_path / "results").rglob("XQuADR.json")
    meta = json.loads((result.parent / "model_meta.json").read_text())
    assert meta["framework"] == ["Sentence Transformers", "PyTorch"] and meta["xir_bench"]["xir_bench_version"]
    assert meta["xir_bench"]["query_prefix"] == "Query: "  # the prompts saved with the model are used


def test_train_cli_refuses_a_non_empty_output(
    tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("precious")
    code = main(
        [
            *["train", "--base", "static:16", "--train", "xquad-r", "--data-dir"],
            str(tiny_data),
            "--output",
            str(tmp_path / "out"),
            "--steps",
            "2",
            "--cards",
            str(tmp_path / "cards"),
        ]
    )
    assert code == 2 and "not empty" in capsys.readouterr().err
    assert (tmp_path / "out" / "keep.txt").read_text() == "precious"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--alpha", "1.5"], r"--alpha is a probability in \[0, 1\], but got 1\.5"),
        (["--steps", "0"], r"--steps must be at least 1"),
        (["--batch-size", "1"], r"--batch-size must be at least 2"),
        (["--base", "static:0"], r"static:DIM needs a positive integer"),
        (["--base", "tiny-bert:abc"], r"tiny-bert:LAYERSxHIDDEN needs positive integers"),
        (["--name", "my model"], r"model name 'my model' must be"),
        (["--holdout-groups", "-1"], r"--holdout-groups must be 0 or more"),
        (["--train", "hf:someone/pairs"], r"needs the Hugging Face hub, and the network is off"),
        (["--eval-steps", "0"], r"--eval-steps must be at least 1"),
        (["--base", "static:8", "--freeze-embeddings"], r"leaves a static model nothing to train"),
    ],
)
def test_train_settings_are_checked_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    """A bad setting ends at once: the training file (missing here) is not even read."""
    import re

    args = ["train", "--base", "static:16", "--train", str(tmp_path / "no-such-pairs.jsonl")]
    code = main([*args, "--output", str(tmp_path / "out"), "--cards", str(tmp_path / "cards"), *flags])
    assert code == 2 and re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "out").exists() and not (tmp_path / "cards").exists()


TOKENIZER_PROBE = """
import hashlib, random, sys
from xir_bench.models.scratch import train_tokenizer
rng = random.Random(0)
letters = "abcdefghijklmnopqrstuvwxyzäöüéè"
words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(3000)]
texts = [" ".join(rng.choice(words) for _ in range(15)) for _ in range(2000)]
print(hashlib.sha256(train_tokenizer(texts, 2000).to_str().encode()).hexdigest())
"""


@pytest.mark.slow
def test_scratch_tokenizer_is_the_same_in_every_process() -> None:
    """tokenizers' WordPiece trainer gave a different vocabulary per process (hash-map order
    ties); the counting builder must not. Three processes, one tokenizer."""
    import subprocess
    import sys

    digests = {
        subprocess.run([sys.executable, "-c", TOKENIZER_PROBE], capture_output=True, text=True, check=True).stdout
        for _ in range(3)
    }
    assert len(digests) == 1


def test_scratch_tokenizer_spells_every_seen_word() -> None:
    from xir_bench.models.scratch import train_tokenizer

    tokenizer = train_tokenizer(["the apples and the river", "der Apfel", "我爱北京"] * 3, vocab_size=40)
    assert "[UNK]" not in tokenizer.encode("rivers apfel 北京 the").tokens  # characters spell unseen words
    assert tokenizer.encode("the").tokens == ["the"]  # frequent whole words are one token
    assert len(tokenizer.get_vocab()) <= 40


@pytest.mark.slow
def test_same_command_and_seed_give_the_same_model(tmp_path: Path) -> None:
    """``xir-bench train`` twice with one seed: byte-identical tokenizer and weights."""
    from conftest import write_lareqa

    data = write_lareqa(tmp_path / "data", languages=XQUAD_LANGS)
    digests = []
    for run in ("a", "b"):
        args = [
            *["train", "--base", "static:16", "--train", "xquad-r", "--data-dir"],
            str(data),
            "--steps",
            "5",
            "--batch-size",
            "4",
            "--lr",
            "0.1",
            "--seed",
            "3",
            "--eval-tasks",
            "xquad-r",
            "--allow-contamination",
            "--languages",
            "de,en,es",
            "--quiet",
            "--output",
            str(tmp_path / run / "model"),
            "--cards",
            str(tmp_path / run / "cards"),
        ]
        assert main(args) == 0
        folder = tmp_path / run / "model"
        # every file but the generated README (it states the wall time the training took) and the
        # card (it records the --output folder)
        files = [p for p in folder.rglob("*") if p.is_file() and p.name not in ("README.md", "xir-bench-card.toml")]
        digests.append({p.relative_to(folder): p.read_bytes() for p in files})
    assert digests[0].keys() == digests[1].keys() and digests[0] == digests[1]


@pytest.mark.slow
def test_held_out_groups_are_scored_during_training(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sentence-transformers evaluator on held-out parallel groups logs retrieval as training goes."""
    from conftest import write_lareqa

    from xir_bench.train.recipe import TrainConfig, train

    data = write_lareqa(tmp_path / "data", languages=XQUAD_LANGS)
    config = TrainConfig(
        base="static:16",
        train="xquad-r",
        output=tmp_path / "model",
        steps=6,
        batch_size=4,
        learning_rate=0.1,
        data_dir=str(data),
        eval_tasks=["xquad-r"],
        allow_contamination=True,
        cards_dir=tmp_path / "cards",
        progress=False,
        holdout_groups=2,
        eval_steps=3,
        query_prompt="q: ",
    )
    outcome = train(config)
    assert [point["step"] for point in outcome.held_out] == [0, 3, 6]
    assert all(0 <= point["map"] <= 1 and 0 <= point["ndcg"] <= 1 for point in outcome.held_out)
    card = (tmp_path / "cards" / "model.toml").read_text()
    assert 'query_prefix = "q: "' in card and "--holdout-groups 2" in card and "--query-prompt 'q: '" in card


def test_holdout_keeps_whole_groups_out() -> None:
    from xir_bench.train.pairs import TrainingPairs, holdout

    meta = synthetic_pairs(groups=20)
    n = len(meta["groups"])
    pairs = TrainingPairs("s", [f"q{i}" for i in range(n)], [f"p{i}" for i in range(n)], **meta)
    kept, held = holdout(pairs, 5, seed=1)
    assert held is not None and len(set(held.groups)) == 5
    assert not set(kept.groups) & set(held.groups) and len(kept) + len(held) == n
    with pytest.raises(XirBenchError, match="leaves nothing to train on"):
        holdout(pairs, 20, seed=1)


def test_prompts_come_from_the_base_model_unless_given() -> None:
    from types import SimpleNamespace

    from xir_bench.train.recipe import TrainConfig, prompts_for

    config = TrainConfig(base="x", train="y", output=Path("z"))
    e5 = SimpleNamespace(prompts={"query": "query: ", "document": "passage: "})
    assert prompts_for(e5, config) == ("query: ", "passage: ")
    assert prompts_for(SimpleNamespace(prompts={}), config) == ("Query: ", "Passage: ")
    config.passage_prompt = "doc: "
    assert prompts_for(e5, config) == ("query: ", "doc: ")


def test_freezing_word_embeddings_of_a_tiny_transformer(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    from xir_bench.models.scratch import save_tiny_transformer
    from xir_bench.train.recipe import freeze_word_embeddings

    model = SentenceTransformer(str(save_tiny_transformer(["a b c d", "e f g"] * 5, tmp_path / "m", 32, 1, 1)))
    frozen = freeze_word_embeddings(model)
    embeddings = model[0].auto_model.get_input_embeddings().weight
    assert frozen == embeddings.numel() and not embeddings.requires_grad
    assert any(p.requires_grad for p in model.parameters())


def test_training_contamination_is_found_after_normalising(tmp_path: Path) -> None:
    """A trailing space, other case and a renamed group trained on XQuAD-R unnoticed; negatives were never checked."""
    from conftest import write_lareqa

    from xir_bench.train.pairs import TrainingPairs

    collection = load_task("xquad-r", ["de", "en", "es"], data_dir=write_lareqa(tmp_path, languages=XQUAD_LANGS))
    query, passage = collection.query_texts[0], collection.candidate_texts[0]
    disguised = TrainingPairs(
        "pairs.jsonl", [query + " "], [passage.upper()], ["en"], ["en"], ["renamed-1"], negatives=["unrelated"]
    )
    found = contamination(disguised, collection)
    assert (found.shared_groups, found.shared_queries, found.shared_passages) == (0, 1, 1)
    in_negative = TrainingPairs("p", ["fresh question"], ["fresh answer"], ["en"], ["en"], ["g"], negatives=[passage])
    assert contamination(in_negative, collection).shared_passages == 1
    near = TrainingPairs("p", [query.replace("?", " ?!")], ["x y"], ["en"], ["en"], ["g"])
    found = contamination(near, collection)
    assert found.near_duplicates == 1 and not found.clean and "near-duplicate" in found.describe()


def test_a_published_card_is_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "bm25.toml").write_text('name = "bm25"\nkind = "bm25"\n')
    args = [
        "train",
        "--base",
        "static:8",
        "--train",
        str(tmp_path / "none.jsonl"),
        "--output",
        str(tmp_path / "m"),
        "--cards",
        str(cards),
        "--name",
        "bm25",
    ]
    assert main(args) == 2
    assert "bm25.toml exists" in capsys.readouterr().err and 'kind = "bm25"' in (cards / "bm25.toml").read_text()


def test_a_kill_between_model_and_card_loses_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The card is saved inside the model folder with it; a rerun restores the missing card instead of
    refusing, and scoring the model from anywhere finds what it was trained on."""
    from conftest import write_lareqa

    data = write_lareqa(tmp_path / "data", languages=XQUAD_LANGS)
    args = [
        *_tiny_train_args(data),
        "--output",
        str(tmp_path / "model"),
        "--cards",
        str(tmp_path / "cards"),
    ]
    assert main(args) == 0
    card = tmp_path / "cards" / "model.toml"
    text = card.read_text()
    card.unlink()  # as if killed after the model was saved
    assert main(args) == 0 and card.read_text() == text
    from xir_bench.models.registry import load_model

    assert load_model(str(tmp_path / "model")).trained_on() == "xquad-r"


def test_card_goes_beside_the_model_not_into_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import write_lareqa

    data = write_lareqa(tmp_path / "data", languages=XQUAD_LANGS)
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    args = [*_tiny_train_args(data), "--output", str(tmp_path / "out" / "mine")]
    assert main(args) == 0
    assert (tmp_path / "out" / "mine.toml").is_file() and list(work.iterdir()) == []


def test_training_jsonl_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_bytes(b'{"query": "caf\xe9"}\n')
    with pytest.raises(XirBenchError, match=r"pairs\.jsonl: line 1: not UTF-8 text"):
        load_pairs(str(path))


def test_fine_tuned_models_inherit_their_bases_lineage(tmp_path: Path) -> None:
    """A fine-tuned e5 saw SQuAD through its base: its card says so, so the board does not call it zero-shot."""
    from xir_bench.models.convert import converted_card
    from xir_bench.train.card import base_lineage

    base = tmp_path / "e5-base"
    base.mkdir()
    (base / "xir-bench-card.toml").write_text(converted_card(base))
    lineage = base_lineage(str(base))
    assert lineage["original"] == "intfloat/multilingual-e5-small" and "SQuAD" in lineage["training_data"]
    assert base_lineage("intfloat/multilingual-e5-small") == {"original": "intfloat/multilingual-e5-small"}
    assert base_lineage("static:64") == {}


def test_alpha_takes_a_strategy_name(run_cli) -> None:
    from xir_bench.train.config import HybridStrategy, parse_alpha, strategy_name

    assert [parse_alpha(s) for s in ("x-x-mono", "X-Y", "hybrid", "0.3")] == [1.0, 0.0, 0.5, 0.3]
    assert [strategy_name(float(s.value)) for s in HybridStrategy] == ["X-X-mono", "X-Y", "hybrid"]
    assert strategy_name(0.3) == "hybrid"
    with pytest.raises(SystemExit):
        run_cli("train", "--base", "static", "--train", "mlqa-r", "--output", "x", "--alpha", "mono", expect=None)


def _tiny_train_args(data: Path) -> list[str]:
    """Two steps of a static model on the synthetic XQuAD-R (de, en, es), scored on it too."""
    train = ["train", "--base", "static:8", "--train", "xquad-r", "--languages", "de,en,es", "--data-dir", str(data)]
    return [*train, "--steps", "2", "--batch-size", "4", "--eval-tasks", "xquad-r", "--allow-contamination", "--quiet"]
