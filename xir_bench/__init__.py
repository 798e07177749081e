"""xir-bench: multilingual information retrieval evaluation (an MTEB plugin).

Data flows one way: a task card (``tasks/*.toml``) -> its data (``xir_bench.data``) -> a model
from the registry (``xir_bench.models.registry``) encodes it (cached) -> every setting is
ranked (``xir_bench.core``) -> measures (``xir_bench.core.metrics.MEASURES``) -> results
(``xir_bench.results``, mteb's TaskResult) -> the board (``xir_bench.board``).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.3.0"


def load_model(spec: str, device: str | None = None, backend: str = "torch") -> Any:
    """A model ``mteb.evaluate`` accepts, with a real ``ModelMeta`` (name, revision, languages and
    training data from its card), for a local folder, a model built from scratch, ``pip:NAME``
    (the encoders shipped in packages) or a hub id. ``backend="openvino"`` runs a
    sentence-transformers model's network through OpenVINO. See :mod:`xir_bench.mteb_plugin.models`."""
    from xir_bench.mteb_plugin.models import mteb_model

    return mteb_model(spec, device, backend)
