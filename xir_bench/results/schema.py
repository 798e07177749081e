"""What a result file must hold beyond mteb's own checks: every subset's scores, in range.

A result file is read back by the board, by reuse and by ``compare``: an mAP of 99, a NaN
or a score written as a string must stop at reading, not rank a model first or crash the
rendering.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, model_validator

from xir_bench.core.metrics import MEASURES

#: Scores that are counts, ranks or times, not shares: >= 0 with no upper bound (rank distance < pool size).
UNBOUNDED_SCORES = (*(m.name for m in MEASURES if not m.bounded), "pool_size", "n_", "evaluation_time")

#: Every measure a subset may report: a value under one of these names must be a number.
MEASURE_NAMES = frozenset({*(m.name for m in MEASURES), "main_score"})


class SubsetEntry(BaseModel):
    """One subset's scores: what xir-bench writes, and needs when it reads results back.

    Strict: a score written as a string ("0.5") is refused here, not converted and then
    crashing the board's rendering."""

    model_config = ConfigDict(extra="allow", strict=True)

    hf_subset: str
    languages: list[str]
    main_score: float
    map: float | None = None  # full-pool mAP: parallel tasks; MIRACL (a top-k search) has none
    ndcg_at_10: float
    n_queries: int

    @model_validator(mode="after")
    def _scores_in_range(self) -> SubsetEntry:
        """Every score finite and within its range: a share in [0, 1], a rank distance >= 0.

        A result file is read back by the board and by reuse: an mAP of 99 or a NaN must
        stop there, not rank a model first."""
        for name, value in {**self.__dict__, **(self.model_extra or {})}.items():
            if name in MEASURE_NAMES and not isinstance(value, int | float | None):
                raise ValueError(f"{self.hf_subset}: {name} is {value!r}, not a number")
            if name in ("hf_subset", "languages", "n_queries") or not isinstance(value, int | float):
                continue
            if not math.isfinite(value):
                raise ValueError(f"{self.hf_subset}: {name} is {value}, not a finite number")
            low, high = (0.0, math.inf) if name.startswith(UNBOUNDED_SCORES) else (0.0, 1.0)
            if not low <= value <= high:
                raise ValueError(f"{self.hf_subset}: {name} = {value} is outside [{low:g}, {high:g}]")
        if self.n_queries < 1:
            raise ValueError(f"{self.hf_subset}: n_queries = {self.n_queries}; a subset scores at least one query")
        return self


class TaskResultFile(BaseModel):
    """What xir-bench needs of a TaskResult beyond mteb's own checks: every subset's scores in range."""

    model_config = ConfigDict(extra="allow")

    scores: dict[str, list[SubsetEntry]]
