"""The training log line: named values, the trainer's summary in words, nothing for empty records."""

from __future__ import annotations

from xir_bench.train.progress import log_line


def test_a_logging_step_is_one_readable_line() -> None:
    logs = {"loss": 4.5681, "grad_norm": 0.12791, "learning_rate": 0.0233333, "epoch": 0.2089, "total_flos": 0.0}
    assert log_line(20, 200, logs) == "step 20/200: loss 4.568, grad norm 0.1279, lr 2.33e-02"


def test_held_out_scores_and_the_summary() -> None:
    logs = {"eval_held-out_cosine_map@900": 0.41234, "eval_held-out_cosine_ndcg@10": 0.5, "eval_runtime": 1.2}
    assert log_line(50, 200, logs) == "step 50/200: held-out map 0.4123, held-out ndcg 0.5000"
    summary = {"train_runtime": 2.114, "train_steps_per_second": 28.38, "train_loss": 4.758}
    assert log_line(200, 200, summary) == "trained in 2.1 s (28.4 steps/s)"
    assert log_line(1, 2, {"epoch": 1.0}) is None and log_line(1, 2, {}) is None
