"""The card of a trained model: how it was made (so it can be rerun), its lineage, and where it goes.

The card is TOML (read by :mod:`xir_bench.cards`); a copy is saved inside the model folder,
so the model's card is found wherever the model is.
"""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import asdict
from pathlib import Path
from typing import Any

import tomli_w

from xir_bench.storage.atomic import write_text
from xir_bench.train.config import EMBEDDED_CARD, TrainConfig, strategy_name
from xir_bench.train.pairs import TrainingPairs


def card_text(config: TrainConfig, pairs: TrainingPairs, findings: list[str], prompts: tuple[str, str]) -> str:
    """The model card (TOML): how the model was made, so it can be rerun and scored."""
    name = config.model_name  # checked by validate() before training
    counts = pairs.counts()
    strategy = strategy_name(config.alpha)
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
        + f" --max-seq-length {config.max_seq_length}"
        + (" --freeze-embeddings" if config.freeze_embeddings else "")
        + (f" --holdout-groups {config.holdout_groups}" if config.holdout_groups else "")
        + (f" --languages {','.join(config.languages)}" if config.languages else "")
        + f" --query-prompt {shlex.quote(prompts[0])} --passage-prompt {shlex.quote(prompts[1])}"
        + (" --allow-contamination" if config.allow_contamination else "")
        + (f" --data-dir {config.data_dir}" if config.data_dir else "")
        + f" --output {config.output}"
    )
    skip = ("output", "cards_dir", "progress", "name", "overwrite")
    card = {
        **base_lineage(config.base),
        "name": name,
        "kind": "sentence-transformers",
        "description": description,
        "recipe": recipe,
        "reference": "https://arxiv.org/abs/2408.10536",
        "path": str(config.output),
        "query_prefix": prompts[0],
        "passage_prefix": prompts[1],
        "training": {
            **{k: v for k, v in asdict(config).items() if k not in skip and v is not None},
            "pairs": counts["pairs"],
        },
    }
    header = f"# Trained by xir-bench train ({strategy}); read by xir_bench.cards.\n"
    return header + tomli_w.dumps(card)


def base_lineage(base: str) -> dict[str, Any]:
    """What a fine-tuned model inherits from its base's card: the model it descends from
    (``original``) and the data that base was trained on (``training_data``), so the board
    does not call a fine-tuned e5 zero-shot on XQuAD-R when e5 itself saw SQuAD."""
    from xir_bench.models.sentence_encoder import card_for_folder

    path = Path(base)
    if not path.is_dir():
        return {"original": base} if "/" in base else {}
    card = card_for_folder(path)
    if card is None:
        return {}
    return {key: value for key, value in card.model_dump(include={"original", "training_data"}).items() if value}


def write_card(config: TrainConfig, text: str) -> Path:
    """``<cards>/<name>.toml``, a copy of the card saved inside the model folder."""
    path = config.card_path
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, text)
    return path


def restore_card(config: TrainConfig) -> tuple[Path, int] | None:
    """A rerun of a training whose model is saved but whose card never reached the cards folder
    (a kill in between): write the card from the model's own copy instead of refusing.
    Returns (the card's path, the pairs trained on), or None when there is nothing to restore."""
    embedded = Path(config.output) / EMBEDDED_CARD
    if config.card_path is None or config.card_path.exists() or not embedded.is_file():
        return None
    text = embedded.read_text(encoding="utf-8")
    recorded = tomllib.loads(text).get("training", {})
    wanted = {k: v for k, v in asdict(config).items() if k in recorded}
    if any(str(recorded[k]) != str(v) for k, v in wanted.items()):
        return None  # another training's model: the usual "not empty" refusal follows
    return write_card(config, text), int(recorded.get("pairs", 0))
