"""Recipe against recipe across training seeds: seeds and questions both as sources of error.

One trained checkpoint per recipe says how two checkpoints differ, not two recipes: a second
seed moves every number. Here each recipe is a set of checkpoints (one per seed) scored on
the same questions, and the standard error of the difference of the recipes' means has two
parts: how the recipes' per-seed means scatter (Welch: s²/n per recipe; a recipe with one
checkpoint, such as an untrained base, adds none) and how the per-question differences
scatter beyond what the seeds already explain (the two-way seed x question residual is
taken out, as in a random-effects ANOVA, so it is not counted twice). Degrees of freedom are
Welch-Satterthwaite's over the parts, so with three seeds per recipe a seed-dominated
difference is judged on about four degrees of freedom, as it must be. A percentile
bootstrap over seeds and questions was tried first: with three seeds it rejected a true
null in 10.5% of 200 simulations at a nominal 5% (a bootstrap of three values
underestimates their spread by a third); this one rejected in 2.8-5.8% of 1000 in each of
four regimes (seed scatter and question effects on or off; tests/board/test_seeds.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from xir_bench.errors import XirBenchError


@dataclass(frozen=True)
class RecipeDifference:
    """Recipe A − recipe B on one column, over seeds and questions."""

    a_by_seed: tuple[float, ...]
    b_by_seed: tuple[float, ...]
    low: float
    high: float
    p_value: float
    dof: float  # Welch-Satterthwaite degrees of freedom of the t interval and test

    @property
    def delta(self) -> float:
        return float(np.mean(self.a_by_seed) - np.mean(self.b_by_seed))

    def p_text(self) -> str:
        return f"{self.p_value:.2g}"

    def verdict(self, higher_is_claimed: bool) -> str:
        """``holds``: the interval excludes 0 on the claimed side and every seed pair agrees;
        ``opposite``: it excludes 0 on the other side; else ``not shown``."""
        signs = np.sign(np.subtract.outer(self.a_by_seed, self.b_by_seed)).ravel()
        claimed = 1 if higher_is_claimed else -1
        if (self.low > 0 if higher_is_claimed else self.high < 0) and np.all(signs == claimed):
            return "holds"
        if self.low > 0 or self.high < 0:
            return "opposite" if (self.low > 0) != higher_is_claimed else "not shown (seeds disagree)"
        return "not shown"


def recipe_difference(a: dict[int, pd.Series], b: dict[int, pd.Series]) -> RecipeDifference:
    """A − B where ``a`` and ``b`` map a training seed to its per-question values (questions
    both recipes have in every seed)."""
    joined = pd.concat({**{("a", s): v for s, v in a.items()}, **{("b", s): v for s, v in b.items()}}, axis=1)
    joined = joined.dropna()
    if len(joined) < 2:
        raise XirBenchError("the two recipes' tables share fewer than two questions")
    left = joined["a"].to_numpy(dtype=np.float64).T  # seeds x questions
    right = joined["b"].to_numpy(dtype=np.float64).T
    questions = left.shape[1]
    parts: list[tuple[float, float]] = []  # (variance, degrees of freedom)
    interaction = 0.0  # seed x question scatter, already inside the seed means' variance
    for seeds in (left, right):
        if len(seeds) > 1:
            parts.append((float(np.var(seeds.mean(axis=1), ddof=1)) / len(seeds), len(seeds) - 1.0))
            residual = seeds - seeds.mean(axis=1, keepdims=True) - seeds.mean(axis=0, keepdims=True) + seeds.mean()
            interaction += float(np.sum(residual**2) / ((len(seeds) - 1) * (questions - 1))) / len(seeds)
    per_question = left.mean(axis=0) - right.mean(axis=0)
    question_part = max(0.0, float(np.var(per_question, ddof=1)) - interaction) / questions
    parts.append((question_part, questions - 1.0))
    variance = sum(v for v, _ in parts)
    delta = float(per_question.mean())
    if variance == 0:
        return RecipeDifference(tuple(left.mean(axis=1)), tuple(right.mean(axis=1)), delta, delta, float(delta == 0), 0)
    dof = variance**2 / sum(v**2 / d for v, d in parts if v > 0)
    margin = stats.t.ppf(0.975, dof) * np.sqrt(variance)
    p_value = float(2 * stats.t.sf(abs(delta) / np.sqrt(variance), dof))
    return RecipeDifference(
        tuple(left.mean(axis=1)), tuple(right.mean(axis=1)), delta - margin, delta + margin, p_value, dof
    )
