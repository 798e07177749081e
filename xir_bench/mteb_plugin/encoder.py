"""An mteb model behind xir-bench's ``TextEncoder`` protocol, so the engine can encode with it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from mteb.abstasks.task_metadata import TaskMetadata
from mteb.types import PromptType

from xir_bench.errors import XirBenchError
from xir_bench.models.encoding import Role
from xir_bench.mteb_plugin.compat import create_text_dataloader


class MtebModelEncoder:
    """An mteb model (any ``EncoderProtocol``) behind xir-bench's ``TextEncoder`` protocol.

    Prompts are the model's business under MTEB (it gets the task metadata and the prompt
    type), so the engine's own prefixes stay empty. ``hf_subset`` is the first requested
    subset for every text: encode-once embeds each text once for all the subsets it is in, so
    no one subset is the right one; a model that changes with ``hf_subset`` needs the task's
    ``encode_once=False``.
    """

    def __init__(self, model: Any, metadata: TaskMetadata, split: str, subset: str, encode_kwargs: dict) -> None:
        self.model = model
        self.metadata = metadata
        self.split = split
        self.subset = subset
        self.encode_kwargs = dict(encode_kwargs)
        self.batch_size = int(self.encode_kwargs.get("batch_size", 32))  # texts per call: one progress step
        meta = getattr(model, "mteb_model_meta", None)
        self.name = str(getattr(meta, "name", None) or type(model).__name__)
        self.backend = str(getattr(model, "backend", "torch"))
        self.revision = str(getattr(meta, "revision", None) or "unknown")
        function = getattr(meta, "similarity_fn_name", None) or "cosine"
        function = str(getattr(function, "value", function))
        if function not in ("cosine", "dot"):
            raise XirBenchError(f"model {self.name} scores with {function!r}; xir-bench's tasks rank by cosine or dot")
        self.similarity = function

    def prefix(self, role: Role) -> str:
        return ""

    def encode(self, texts: list[str], role: Role) -> np.ndarray:
        prompt_type = PromptType.query if role == "query" else PromptType.document
        with _without_datasets_bars():  # one bar per call of a batch is noise: the engine's bar counts texts
            loader = create_text_dataloader(texts, self.metadata, prompt_type, batch_size=self.batch_size)
            return np.asarray(
                self.model.encode(
                    loader,
                    task_metadata=self.metadata,
                    hf_split=self.split,
                    hf_subset=self.subset,
                    prompt_type=prompt_type,
                    **self.encode_kwargs,
                )
            )


@contextmanager
def _without_datasets_bars() -> Iterator[None]:
    """``datasets``' progress bars off (mteb's "Standardizing text corpus format" map), then as they were."""
    import datasets

    enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if enabled:
            datasets.enable_progress_bars()
