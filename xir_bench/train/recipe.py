"""The hybrid-batch training recipe (arXiv 2408.10536) on sentence-transformers' trainer.

Dual encoder with shared weights, cosine similarity, InfoNCE with in-batch negatives
(``MultipleNegativesRankingLoss``; ``CachedMultipleNegativesRankingLoss`` for batches
larger than memory), inputs prefixed ``"Query: "`` / ``"Passage: "`` through the
trainer's ``prompts``; each batch monolingual with probability alpha, else
cross-lingual (:mod:`xir_bench.train.sampler`). Paper defaults: AdamW, lr 3e-5, weight decay
0.01, batch size 100. The trained model is saved whole-or-nothing with its prompts, and
a card in ``models/`` records recipe, alpha, data, steps and seed, so ``xir-bench run``
scores it and the board links to it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xir_bench.data.tasks import load_task
from xir_bench.errors import XirBenchError
from xir_bench.storage.staging import scratch_folder
from xir_bench.train.base_model import load_base_model
from xir_bench.train.card import card_text, restore_card, write_card
from xir_bench.train.config import EMBEDDED_CARD, LossName, TrainConfig, validate
from xir_bench.train.held_out import held_out_evaluator, held_out_scores
from xir_bench.train.pairs import TrainingPairs, contamination, holdout, load_pairs
from xir_bench.train.sampler import HybridBatchSampler

logger = logging.getLogger(__name__)

QUERY_PROMPT = "Query: "
PASSAGE_PROMPT = "Passage: "


@dataclass(frozen=True)
class TrainOutcome:
    """Where the model and its card went, the loss curve and the held-out retrieval curve."""

    model_path: Path
    card_path: Path | None
    losses: list[float]
    pairs: dict[str, int]
    held_out: list[dict[str, float]] = field(default_factory=list)


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


def prompts_for(model: Any, config: TrainConfig) -> tuple[str, str]:
    """The prompts to train with: the user's, else the base model's own (e5's ``query: ``), else ours.

    A pretrained model was trained with its prompts; fine-tuning it with others wastes
    what it learnt, so its own come first.
    """
    own = getattr(model, "prompts", None) or {}  # sentence-transformers fills in "" for models without any
    query = config.query_prompt if config.query_prompt is not None else own.get("query") or QUERY_PROMPT
    passage = config.passage_prompt
    if passage is None:
        passage = own.get("document") or own.get("passage") or PASSAGE_PROMPT
    return query, passage


def freeze_word_embeddings(model: Any) -> int:
    """Freeze the transformer's input word embeddings; returns how many parameters were frozen.

    In multilingual-e5-small the 250k x 384 word-embedding matrix is 96M of its 118M
    parameters: on a CPU, freezing it saves most of the optimizer's memory and time, and
    the few thousand steps a recipe can afford would barely move rare-language rows anyway.
    """
    backbone = getattr(model[0], "auto_model", None)
    embeddings = getattr(backbone, "get_input_embeddings", lambda: None)()
    if embeddings is None:
        raise XirBenchError("--freeze-embeddings needs a transformer base model (it has no input embeddings)")
    for parameter in embeddings.parameters():
        parameter.requires_grad = False
    return sum(parameter.numel() for parameter in embeddings.parameters())


def train(config: TrainConfig) -> TrainOutcome:
    """Train ``config.base`` on ``config.train`` with hybrid batches; save model and card."""
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from transformers.trainer_callback import ProgressCallback

    from xir_bench.models.scratch import save_model_atomically
    from xir_bench.storage.outputs import require_new_folder
    from xir_bench.train.progress import TrainingLog

    restored = restore_card(config)
    if restored is not None:
        logger.warning("%s is already trained; its card was restored to %s", config.output, restored[0])
        return TrainOutcome(Path(config.output), restored[0], [], {"pairs": restored[1]})
    validate(config)
    output = Path(config.output)
    require_new_folder(output, "--output")
    pairs = load_pairs(config.train, config.data_dir, config.languages)
    findings = check_contamination(pairs, config)
    pairs, held_out = holdout(pairs, config.holdout_groups, config.seed)
    with scratch_folder("train") as scratch:
        work = Path(scratch)
        texts = list(dict.fromkeys([*pairs.queries, *pairs.positives]))
        model = load_base_model(config.base, texts, config.seed, work)
        if not config.base.startswith("static"):  # a bag of tokens has no length limit to set
            model.max_seq_length = config.max_seq_length
        if config.freeze_embeddings:
            logger.info("froze %d word-embedding parameters", freeze_word_embeddings(model))
        query_prompt, passage_prompt = prompts_for(model, config)
        sampler = HybridBatchSampler.factory(
            pairs.query_languages, pairs.passage_languages, pairs.groups, alpha=config.alpha
        )
        prompts = {"anchor": query_prompt, "positive": passage_prompt}
        if pairs.negatives is not None:
            prompts["negative"] = passage_prompt
        evaluator = held_out_evaluator(held_out, query_prompt, passage_prompt) if held_out is not None else None
        eval_steps = config.eval_steps or max(1, config.steps // 5)
        args = SentenceTransformerTrainingArguments(
            output_dir=str(work / "checkpoints"),
            max_steps=config.steps,
            per_device_train_batch_size=config.batch_size,
            learning_rate=config.learning_rate,
            weight_decay=config.weight_decay,
            warmup_steps=config.warmup_ratio,  # transformers 5: a float below 1 is a share of the steps
            optim="adamw_torch",
            seed=config.seed,
            data_seed=config.seed,
            batch_sampler=sampler,
            prompts=prompts,
            save_strategy="no",
            eval_strategy="steps" if evaluator is not None else "no",
            eval_steps=eval_steps if evaluator is not None else None,
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
            evaluator=evaluator,
        )
        if config.progress:
            trainer.remove_callback(ProgressCallback)
            trainer.add_callback(TrainingLog)
        curve = []
        if evaluator is not None:  # the starting point, so the curve shows what training changed
            curve.append({"step": 0, **held_out_scores(evaluator(model))})
        trainer.train()
        history = trainer.state.log_history
        losses = [entry["loss"] for entry in history if "loss" in entry]
        curve += [{"step": entry["step"], **scores} for entry in history if (scores := held_out_scores(entry))]
        for point in curve:
            logger.info("held-out retrieval at step %d: %s", point["step"], point)
        model.prompts = {"query": query_prompt, "document": passage_prompt}
        card = card_text(config, pairs, findings, (query_prompt, passage_prompt))
        # the card travels inside the model folder, written with it as one unit: a kill between the
        # model and the cards folder loses nothing (a rerun restores the card), and the model says
        # what it was trained on wherever it is moved
        save_model_atomically(model, output, extra_files={EMBEDDED_CARD: card})
    card_path = write_card(config, card) if config.card_path is not None else None
    return TrainOutcome(output, card_path, losses, pairs.counts(), curve)
