"""The hybrid-batch training recipe (arXiv 2408.10536) on sentence-transformers' trainer.

Dual encoder with shared weights, cosine similarity, InfoNCE with in-batch negatives
(``MultipleNegativesRankingLoss``; ``CachedMultipleNegativesRankingLoss`` for batches
larger than memory), inputs prefixed ``"Query: "`` / ``"Passage: "`` through the
trainer's ``prompts``; each batch monolingual with probability alpha, else
cross-lingual (:mod:`xir_bench.sampler`). Paper defaults: AdamW, lr 3e-5, weight decay
0.01, batch size 100. The trained model is saved whole-or-nothing with its prompts, and
a card in ``models/`` records recipe, alpha, data, steps and seed, so ``xir-bench run``
scores it and the board links to it.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w

from xir_bench.atomic import write_text
from xir_bench.data.tasks import load_task
from xir_bench.errors import XirBenchError
from xir_bench.sampler import HybridBatchSampler
from xir_bench.training_data import TrainingPairs, contamination, load_pairs

logger = logging.getLogger(__name__)

QUERY_PROMPT = "Query: "
PASSAGE_PROMPT = "Passage: "
LossName = Literal["mnrl", "cached-mnrl"]


@dataclass
class TrainConfig:
    """Everything ``xir-bench train`` lets a user choose; defaults follow the paper."""

    base: str
    train: str
    output: Path
    alpha: float = 0.5
    steps: int = 1000
    batch_size: int = 100
    learning_rate: float = 3e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.0
    seed: int = 0
    loss: LossName = "mnrl"
    mini_batch_size: int = 32
    max_seq_length: int = 128
    data_dir: str | None = None
    languages: list[str] | None = None
    eval_tasks: list[str] = field(default_factory=lambda: ["xquad-r", "mlqa-r"])
    allow_contamination: bool = False
    cards_dir: Path | None = Path("models")
    name: str | None = None
    progress: bool = True


@dataclass(frozen=True)
class TrainOutcome:
    """Where the model and its card went, and the training loss curve."""

    model_path: Path
    card_path: Path | None
    losses: list[float]
    pairs: dict[str, int]


def build_base_model(spec: str, texts: list[str], seed: int, work: Path) -> Any:
    """``static[:DIM]`` / ``tiny-bert[:LAYERSxHIDDEN]`` from scratch (tokenizer trained on
    ``texts``), else a sentence-transformers id or local folder."""
    from sentence_transformers import SentenceTransformer

    from xir_bench.scratch import build_static_model, save_tiny_transformer

    kind, _, size = spec.partition(":")
    if kind == "static":
        return build_static_model(texts, dim=int(size or 128), vocab_size=8000, seed=seed)
    if kind == "tiny-bert":
        layers, hidden = (int(v) for v in (size or "2x128").split("x"))
        path = save_tiny_transformer(texts, work / "base", hidden=hidden, layers=layers, heads=max(1, hidden // 64))
        return SentenceTransformer(str(path), device="cpu")
    try:
        return SentenceTransformer(spec)
    except OSError as err:
        raise XirBenchError(
            f"could not load base model {spec!r}: {err}\n  fix: use static[:DIM], tiny-bert[:LxH], "
            "a local sentence-transformers folder, or a hub id (needs a network)"
        ) from err


def check_contamination(pairs: TrainingPairs, config: TrainConfig) -> list[str]:
    """Refuse (or, with the override, warn) when training pairs overlap an evaluation task."""
    findings = []
    for task in config.eval_tasks:
        found = contamination(pairs, load_task(task, data_dir=config.data_dir))
        if not found.clean:
            findings.append(found.describe())
    if findings and not config.allow_contamination:
        raise XirBenchError(
            "training data overlaps evaluation data, scores on it would be inflated:\n  "
            + "\n  ".join(findings)
            + "\n  fix: train on other data, choose --eval-tasks you will not score on, or pass "
            "--allow-contamination and say so when you report results"
        )
    for finding in findings:
        logger.warning("CONTAMINATION (allowed by --allow-contamination): %s", finding)
    return findings


def _loss(model: Any, name: LossName, mini_batch_size: int) -> Any:
    from sentence_transformers.sentence_transformer import losses

    if name == "cached-mnrl":
        return losses.CachedMultipleNegativesRankingLoss(model, mini_batch_size=mini_batch_size)
    return losses.MultipleNegativesRankingLoss(model)


def _accelerator_available() -> bool:
    import torch

    return bool(torch.cuda.is_available() or torch.backends.mps.is_available())


def validate(config: TrainConfig) -> None:
    """Every setting checked before any work (pairs, contamination checks, tokenizers, training)."""
    if not 0.0 <= config.alpha <= 1.0:
        raise XirBenchError(f"--alpha is a probability in [0, 1], but got {config.alpha}.")
    if config.steps < 1:
        raise XirBenchError(f"--steps must be at least 1, but got {config.steps}.")
    if config.batch_size < 2:
        raise XirBenchError(f"--batch-size must be at least 2 (in-batch negatives), but got {config.batch_size}.")
    if config.mini_batch_size < 1:
        raise XirBenchError(f"--mini-batch-size must be at least 1, but got {config.mini_batch_size}.")
    if not config.learning_rate > 0:
        raise XirBenchError(f"--lr must be positive, but got {config.learning_rate}.")
    name = config.name or Path(config.output).name
    if config.cards_dir is not None and not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise XirBenchError(f"model name {name!r} must be letters, digits, '.', '_' or '-'; choose it with --name")
    kind, _, size = config.base.partition(":")
    if kind == "static" and size and not (size.isdigit() and int(size) > 0):
        raise XirBenchError(f"--base static:DIM needs a positive integer DIM, but got {config.base!r}.")
    if kind == "tiny-bert" and size and not re.fullmatch(r"[1-9][0-9]*x[1-9][0-9]*", size):
        raise XirBenchError(f"--base tiny-bert:LAYERSxHIDDEN needs positive integers, e.g. 2x128, got {config.base!r}.")
    if Path(config.output).exists() and not Path(config.output).is_dir():
        raise XirBenchError(f"--output {config.output} is a file; give a new folder")


def train(config: TrainConfig) -> TrainOutcome:
    """Train ``config.base`` on ``config.train`` with hybrid batches; save model and card."""
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments

    from xir_bench.scratch import require_new_folder, save_model_atomically

    validate(config)
    output = Path(config.output)
    require_new_folder(output, "--output")
    pairs = load_pairs(config.train, config.data_dir, config.languages)
    findings = check_contamination(pairs, config)
    with tempfile.TemporaryDirectory(prefix="xir-train-") as scratch:
        work = Path(scratch)
        texts = list(dict.fromkeys([*pairs.queries, *pairs.positives]))
        model = build_base_model(config.base, texts, config.seed, work)
        if not config.base.startswith("static"):  # a bag of tokens has no length limit to set
            model.max_seq_length = config.max_seq_length
        sampler = HybridBatchSampler.factory(
            pairs.query_languages, pairs.passage_languages, pairs.groups, alpha=config.alpha
        )
        prompts = {"anchor": QUERY_PROMPT, "positive": PASSAGE_PROMPT}
        if pairs.negatives is not None:
            prompts["negative"] = PASSAGE_PROMPT
        args = SentenceTransformerTrainingArguments(
            output_dir=str(work / "checkpoints"),
            max_steps=config.steps,
            per_device_train_batch_size=config.batch_size,
            learning_rate=config.learning_rate,
            weight_decay=config.weight_decay,
            warmup_ratio=config.warmup_ratio,
            optim="adamw_torch",
            seed=config.seed,
            data_seed=config.seed,
            batch_sampler=sampler,
            prompts=prompts,
            save_strategy="no",
            logging_steps=max(1, config.steps // 20),
            report_to=[],
            disable_tqdm=not config.progress,
            use_cpu=not _accelerator_available(),  # the trainer takes the GPU (or MPS) when there is one
            dataloader_drop_last=False,
        )
        trainer = SentenceTransformerTrainer(
            model=model,
            args=args,
            train_dataset=pairs.to_dataset(),
            loss=_loss(model, config.loss, config.mini_batch_size),
        )
        trainer.train()
        losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
        model.prompts = {"query": QUERY_PROMPT, "document": PASSAGE_PROMPT}
        save_model_atomically(model, output)
    card_path = write_card(config, pairs, findings) if config.cards_dir is not None else None
    return TrainOutcome(output, card_path, losses, pairs.counts())


def write_card(config: TrainConfig, pairs: TrainingPairs, findings: list[str]) -> Path:
    """``models/<name>.toml``: how the model was made, so it can be rerun and scored."""
    assert config.cards_dir is not None
    name = config.name or Path(config.output).name  # checked by validate() before training
    counts = pairs.counts()
    strategy = {1.0: "X-X-mono", 0.0: "X-Y"}.get(config.alpha, "hybrid")
    description = (
        f"{config.base} trained with hybrid batches ({strategy}, alpha={config.alpha}) on {pairs.source}: "
        f"{counts['pairs']} pairs ({counts['monolingual']} monolingual, {counts['cross_lingual']} cross-lingual, "
        f"{counts['groups']} parallel groups), {config.steps} steps of batch {config.batch_size}, "
        f"{config.loss}, lr {config.learning_rate}, seed {config.seed}."
    )
    if findings:
        description += " CONTAMINATED: " + "; ".join(findings)
    recipe = (
        f"xir-bench train --base {config.base} --train {config.train} --alpha {config.alpha} "
        f"--steps {config.steps} --batch-size {config.batch_size} --lr {config.learning_rate} "
        f"--seed {config.seed} --loss {config.loss} --eval-tasks {','.join(config.eval_tasks)}"
        + (" --allow-contamination" if config.allow_contamination else "")
        + (f" --data-dir {config.data_dir}" if config.data_dir else "")
        + f" --output {config.output}"
    )
    skip = ("output", "cards_dir", "progress", "name")
    card = {
        "name": name,
        "kind": "sentence-transformers",
        "description": description,
        "recipe": recipe,
        "reference": "https://arxiv.org/abs/2408.10536",
        "path": str(config.output),
        "query_prefix": QUERY_PROMPT,
        "passage_prefix": PASSAGE_PROMPT,
        "training": {
            **{k: v for k, v in asdict(config).items() if k not in skip and v is not None},
            "pairs": counts["pairs"],
        },
    }
    path = Path(config.cards_dir) / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Trained by xir-bench train ({strategy}); read by xir_bench.cards.\n"
    write_text(path, header + tomli_w.dumps(card))
    return path
