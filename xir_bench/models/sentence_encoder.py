"""Load the model named on the command line: a sentence-transformers model or ``bm25``.

Loading is lazy and offline-friendly: a local folder is used as is; a hub id is
downloaded by sentence-transformers (users with a network). The model's revision goes
into the embedding cache key, so a changed model never reuses stale embeddings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import numpy as np

from xir_bench.cards import ModelCard, load_model_card, model_cards
from xir_bench.errors import XirBenchError
from xir_bench.models.encoding import Role

#: Texts per forward pass by device type when the user gives none. sentence-transformers sorts
#: texts by length, so on a CPU a small batch pads little and loses nothing to parallelism:
#: multilingual-e5-small encodes real XQuAD-R texts fastest at 8 (``python bench/backends.py``;
#: numbers in docs/performance.md). A GPU wants large batches.
DEFAULT_BATCH_SIZES = {"cpu": 8}
GPU_BATCH_SIZE = 64


def default_batch_size(device: object) -> int:
    """The batch size for ``device`` (a torch device or its name) when none is given."""
    kind = str(getattr(device, "type", device)).split(":")[0]
    return DEFAULT_BATCH_SIZES.get(kind, GPU_BATCH_SIZE)


def content_revision(path: Path) -> str:
    """Fingerprint of a model folder: the names and contents of its files.

    Contents, not modification times: rebuilding the same model gives the same revision,
    and two different folders never share one (whatever their names).
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in Path(path).rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(path).as_posix()}\0".encode())
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
        digest.update(b"\n")
    return "local-" + digest.hexdigest()[:16]


def hub_revision(spec: str, revision: str | None) -> str:
    """The commit the loaded hub model came from; ``main`` moves, so it is never recorded as is."""
    from xir_bench.models.location import resolved_hub_revision

    resolved = resolved_hub_revision(spec, revision)
    if resolved is None:  # loaded, yet not in the cache: only a revision that is already a commit is safe
        if revision and len(revision) == 40:
            return revision
        raise XirBenchError(f"could not find which commit {spec!r} at {revision or 'main'} resolved to")
    return resolved


def card_for_folder(folder: Path) -> ModelCard | None:
    """The card of a local model folder: one in ``models/`` whose ``path`` is this folder,
    else the copy ``xir-bench train`` saved inside it, else None."""
    folder = Path(folder)
    published = next((c for c in model_cards().values() if c.path and c.location() == folder.resolve()), None)
    return published or embedded_card(folder)


def embedded_card(folder: Path) -> ModelCard | None:
    """The card ``xir-bench train`` saves inside a model's folder: found wherever the model is."""
    from xir_bench.cards import EMBEDDED_CARD

    path = Path(folder) / EMBEDDED_CARD
    if not path.is_file():
        return None
    return load_model_card(path)  # a malformed or invalid card is an error naming the file


class SentenceTransformerEncoder:
    """A sentence-transformers model behind the engine's ``TextEncoder`` protocol."""

    def __init__(
        self,
        model: str,
        revision: str | None = None,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int | None = None,
        device: str | None = None,
        backend: str = "torch",
        name: str | None = None,
    ) -> None:
        from xir_bench.models.location import check_model_spec

        check_model_spec(model, revision)  # before the heavy import: a mistake ends in a moment
        from sentence_transformers import SentenceTransformer

        path = Path(model)
        try:
            self.model = SentenceTransformer(model, revision=revision, device=device)
        except OSError as err:
            hint = (
                "is it a sentence-transformers folder?"
                if path.exists()
                else ("a hub id needs a network (or a copy in the Hugging Face cache); pass a local folder offline")
            )
            raise XirBenchError(f"could not load model {model!r}: {err}\n  fix: {hint}") from err
        #: The model's name in results and in the embedding cache's key (with the revision).
        self.name = name or (path.resolve().name if path.exists() else model)
        self.revision = content_revision(path) if path.is_dir() else hub_revision(model, revision)
        card = card_for_folder(path)
        self.card = card
        # explicit prefix > the model's card > the prompts saved with the model (xir-bench train saves them)
        saved = getattr(self.model, "prompts", None) or {}
        self._prefix = {
            "query": query_prefix
            if query_prefix is not None
            else (card.query_prefix if card else saved.get("query", "")),
            "passage": passage_prefix
            if passage_prefix is not None
            else (card.passage_prefix if card else saved.get("document", saved.get("passage", ""))),
        }
        from_card = card is not None and (query_prefix is None or passage_prefix is None)
        #: Where prompts came from when a card supplied them, for the user to be told (a card decides
        #: a model's numbers; it should never do so unseen).
        self.prompt_source = f"its card {card.name!r}" if from_card and card is not None else None
        function = getattr(self.model, "similarity_fn_name", None) or "cosine"
        if function not in ("cosine", "dot"):
            raise XirBenchError(f"model {model!r} uses {function} similarity; xir-bench scores cosine or dot")
        self.similarity: Literal["cosine", "dot"] = function
        self.batch_size = batch_size or default_batch_size(self.model.device)
        self.backend = backend
        from xir_bench.models.openvino_backend import apply_backend

        apply_backend(self.model, self.revision, backend)

    def prefix(self, role: Role) -> str:
        return self._prefix[role]

    def encode(self, texts: list[str], role: Role) -> np.ndarray:
        return self.model.encode(
            texts,
            prompt=self._prefix[role] or None,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
