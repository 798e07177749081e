"""What ``xir-bench train`` lets a user choose, and the checks run before any work.

Kept apart from :mod:`xir_bench.train.recipe` so that checking settings imports nothing heavy:
a mistake (``--alpha 1.5``) ends in a moment, not after torch has loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Literal

from xir_bench.cards import EMBEDDED_CARD
from xir_bench.core.collection import DEFAULT_TASKS
from xir_bench.errors import XirBenchError

LossName = Literal["mnrl", "cached-mnrl"]


class HybridStrategy(float, Enum):
    """The paper's batch strategies, by the probability ``alpha`` of a monolingual batch.

    ``--alpha`` takes a strategy's name (``x-x-mono``, ``x-y``, ``hybrid``) or any
    probability in [0, 1], as sentence-transformers' ``BatchSamplers`` takes a name."""

    X_X_MONO = 1.0
    X_Y = 0.0
    HYBRID = 0.5

    @property
    def label(self) -> str:
        """The paper's name: X-X-mono, X-Y, hybrid."""
        return {"X_X_MONO": "X-X-mono", "X_Y": "X-Y", "HYBRID": "hybrid"}[self.name]


#: Each strategy's alpha by its name in commands and model names: x-x-mono, x-y, hybrid.
STRATEGY_ALPHAS: dict[str, float] = {s.label.lower(): float(s.value) for s in HybridStrategy}


def parse_alpha(text: str) -> float:
    """``"x-y"`` -> 0.0, ``"0.3"`` -> 0.3: a strategy's name or a probability."""
    if text.strip().lower() in STRATEGY_ALPHAS:
        return STRATEGY_ALPHAS[text.strip().lower()]
    try:
        return float(text)
    except ValueError:
        names = ", ".join(STRATEGY_ALPHAS)
        raise XirBenchError(f"--alpha {text!r}: give a probability in [0, 1] or one of {names}") from None


def strategy_name(alpha: float) -> str:
    """The paper's name of a strategy: X-X-mono (alpha 1), X-Y (alpha 0), else hybrid."""
    named = {float(s.value): s.label for s in HybridStrategy}
    return named.get(alpha, HybridStrategy.HYBRID.label)


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
    eval_tasks: list[str] = field(default_factory=lambda: list(DEFAULT_TASKS))
    allow_contamination: bool = False
    cards_dir: Path | None = Path("models")
    name: str | None = None
    progress: bool = True
    query_prompt: str | None = None
    passage_prompt: str | None = None
    freeze_embeddings: bool = False
    holdout_groups: int = 0
    eval_steps: int | None = None
    overwrite: bool = False

    @property
    def model_name(self) -> str:
        """The name on the board: ``--name``, else the output folder's name."""
        return self.name or Path(self.output).name

    @property
    def card_path(self) -> Path | None:
        """Where the card goes (``<cards>/<name>.toml``), or None when no card is written."""
        return None if self.cards_dir is None else Path(self.cards_dir) / f"{self.model_name}.toml"


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
    name, card = config.model_name, config.card_path
    if card is not None and not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise XirBenchError(f"model name {name!r} must be letters, digits, '.', '_' or '-'; choose it with --name")
    if card is not None and card.exists() and not config.overwrite:
        raise XirBenchError(
            f"{card} exists: the card of another model named {name!r} (e.g. a published baseline)\n"
            "  fix: choose another --name, or pass --overwrite to replace that card"
        )
    kind, _, size = config.base.partition(":")
    if kind == "static" and size and not (size.isdigit() and int(size) > 0):
        raise XirBenchError(f"--base static:DIM needs a positive integer DIM, but got {config.base!r}.")
    if kind == "tiny-bert" and size and not re.fullmatch(r"[1-9][0-9]*x[1-9][0-9]*", size):
        raise XirBenchError(f"--base tiny-bert:LAYERSxHIDDEN needs positive integers, e.g. 2x128, got {config.base!r}.")
    if Path(config.output).exists() and not Path(config.output).is_dir():
        raise XirBenchError(f"--output {config.output} is a file; give a new folder")
    finished = (Path(config.output) / EMBEDDED_CARD).is_file()  # a saved model whose card may need restoring
    if Path(config.output).is_dir() and any(Path(config.output).iterdir()) and not finished:
        raise XirBenchError(f"{config.output} exists and is not empty; choose another --output or delete it")
    if config.train.startswith("hf:"):
        from xir_bench.data.sources import offline_mode

        if offline_mode():
            raise XirBenchError(
                f"--train {config.train} needs the Hugging Face hub, and the network is off "
                "(XIR_BENCH_OFFLINE / HF_HUB_OFFLINE)\n  fix: export the pairs to a JSONL file and pass its path"
            )
    if config.holdout_groups < 0:
        raise XirBenchError(f"--holdout-groups must be 0 or more, but got {config.holdout_groups}.")
    if config.eval_steps is not None and config.eval_steps < 1:
        raise XirBenchError(f"--eval-steps must be at least 1, but got {config.eval_steps}.")
    if config.max_seq_length < 8:
        raise XirBenchError(f"--max-seq-length must be at least 8, but got {config.max_seq_length}.")
    if config.freeze_embeddings and kind == "static":
        raise XirBenchError("--freeze-embeddings leaves a static model nothing to train; drop it or use another base")
