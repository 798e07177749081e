"""What a run is asked to do (:class:`RunOptions`, :class:`SearchOptions`) and what it produced
(:class:`TaskOutcome`): one definition for every pipeline and entry point, with the defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xir_bench.core.collection import DEFAULT_EVALUATION, Evaluation
from xir_bench.core.settings import SETTING_KINDS, SettingKind
from xir_bench.data.sources import cache_root


@dataclass
class RunOptions:
    """Everything ``xir-bench run`` lets a user choose, with its defaults."""

    settings: tuple[SettingKind, ...] = SETTING_KINDS
    languages: list[str] | None = None
    data_dir: str | Path | None = None
    output: Path = Path("results")
    cache_dir: Path | None = field(default_factory=lambda: cache_root() / "embeddings")
    evaluation: Evaluation = DEFAULT_EVALUATION
    block_size: int = 512
    overwrite: bool = False
    progress: bool = True


@dataclass(frozen=True)
class TaskOutcome:
    """What a run produced for one task."""

    task: str
    model: str
    path: Path
    aggregates: dict[str, dict[str, float]]
    reused: bool
    pooled: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class SearchOptions:
    """How a top-k task searches (``xir-bench run``'s MIRACL options)."""

    chunk_size: int = 50_000
    exact_limit: int = 1_000_000
    faiss_factory: str = "IVF4096,Flat"
    nprobe: int = 64
    k: int = 100
    workers: int = 1
    ray_address: str | None = None
