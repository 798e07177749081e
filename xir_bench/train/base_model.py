"""The model a training run starts from (``xir-bench train --base``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xir_bench.errors import XirBenchError


def load_base_model(spec: str, texts: list[str], seed: int, work: Path) -> Any:
    """``static[:DIM]`` / ``tiny-bert[:LAYERSxHIDDEN]`` built from scratch (tokenizer trained on
    ``texts``, built in ``work``), else a sentence-transformers id or local folder."""
    from sentence_transformers import SentenceTransformer

    from xir_bench.models.scratch import build_static_model, save_tiny_transformer

    kind, _, size = spec.partition(":")
    if kind == "static":
        return build_static_model(texts, dim=int(size or 128), vocab_size=8000, seed=seed)
    if kind == "tiny-bert":
        layers, hidden = (int(v) for v in (size or "2x128").split("x"))
        path = save_tiny_transformer(texts, work / "base", hidden=hidden, layers=layers, heads=max(1, hidden // 64))
        return SentenceTransformer(str(path), device="cpu")
    from xir_bench.models.location import check_model_spec

    check_model_spec(spec, None)
    try:
        return SentenceTransformer(spec)
    except OSError as err:
        raise XirBenchError(
            f"could not load base model {spec!r}: {err}\n  fix: use static[:DIM], tiny-bert[:LxH], "
            "a local sentence-transformers folder, or a hub id (needs a network)"
        ) from err
