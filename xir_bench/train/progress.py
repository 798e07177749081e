"""The training log a person reads: one line per logging step, named values, not a dict."""

from __future__ import annotations

from typing import Any

from transformers.trainer_callback import ProgressCallback

from xir_bench.train.held_out import held_out_scores

#: What the trainer logs, in the order and the words a line shows them.
_FIELDS = {"loss": "loss", "grad_norm": "grad norm", "learning_rate": "lr"}


def log_line(step: int, max_steps: int, logs: dict[str, Any]) -> str | None:
    """``step 20/200: loss 4.568, grad norm 0.128, lr 2.33e-02``; the trainer's closing summary
    becomes ``trained in 2.1 s (28.4 steps/s)``; None for a record with nothing to show."""
    if "train_runtime" in logs:
        return f"trained in {logs['train_runtime']:.1f} s ({logs.get('train_steps_per_second', 0):.1f} steps/s)"
    shown = {key: value for key, value in logs.items() if isinstance(value, int | float)}
    parts = [f"{label} {shown[key]:.4g}" for key, label in _FIELDS.items() if key in shown and key != "learning_rate"]
    if "learning_rate" in shown:
        parts.append(f"lr {shown['learning_rate']:.2e}")
    parts += [f"held-out {name} {value:.4f}" for name, value in held_out_scores(shown).items()]
    return f"step {step}/{max_steps}: " + ", ".join(parts) if parts else None


class TrainingLog(ProgressCallback):
    """transformers' progress bar, whose log lines are :func:`log_line` instead of ``str(dict)``."""

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if state.is_world_process_zero and self.training_bar is not None and logs:
            line = log_line(state.global_step, state.max_steps, logs)
            if line:
                self.training_bar.write(line)
