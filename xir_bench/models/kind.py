"""What a kind of model is, and the one object every kind loads into.

A :class:`ModelKind` declares which specs are its own, what to check before anything heavy
is imported, and how to load one. What it loads is a :class:`LoadedModel` in one of three
styles that every consumer understands, so a new kind needs no change anywhere else:

- an **encoder** (:class:`~xir_bench.models.encoding.TextEncoder`): exact dense scores over
  the parallel tasks' pools, a corpus store for top-k tasks, mteb's ``EncoderProtocol``;
- a **lexical** model (:class:`~xir_bench.models.lexical.BM25Model`): an index per pool,
  bm25s over a top-k corpus, mteb's ``SearchProtocol``;
- the **reference**: neither; the random ranker's exact expectations, nothing is ranked.

The model's identity (name, revision, ``ModelMeta``) is made here once: the command line's
result folders and ``model_meta.json``, the embedding cache and ``mteb.evaluate`` all read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xir_bench.core.languages import LANGUAGES, mteb_language

if TYPE_CHECKING:
    from pathlib import Path

    from mteb.models import ModelMeta

    from xir_bench.cards import ModelCard
    from xir_bench.core.collection import ParallelCollection
    from xir_bench.core.scorers import Scorer
    from xir_bench.models.encoding import TextEncoder
    from xir_bench.models.lexical import BM25Model


@dataclass(frozen=True)
class LoadOptions:
    """How to load a model; a kind uses what applies to it (BM25 has no device)."""

    revision: str | None = None
    query_prefix: str | None = None
    passage_prefix: str | None = None
    batch_size: int | None = None
    device: str | None = None
    backend: str = "torch"


def _nothing_to_check(spec: str, options: LoadOptions) -> None:
    return None


@dataclass(frozen=True)
class ModelKind:
    """One kind of model: its specs, its checks, its loader.

    ``matches`` claims a spec; the registry asks the kinds in order, the catch-all last.
    ``check`` names a mistake in a spec it claims before any model code is imported (it
    ends in a moment); ``load`` builds the model. ``backends`` are the engines its network
    may run on (none: it has no network)."""

    name: str
    matches: Callable[[str], bool]
    load: Callable[[str, LoadOptions], LoadedModel]
    check: Callable[[str, LoadOptions], None] = _nothing_to_check
    backends: tuple[str, ...] = ("torch",)
    #: What mteb's ``ModelMeta.framework`` says runs this kind.
    framework: tuple[str, ...] = ("NumPy",)
    #: One line for ``xir-bench run --help``: how to name a model of this kind.
    usage: str = ""


@dataclass
class LoadedModel:
    """A model ready to score, of any kind, with its one identity."""

    spec: str
    name: str
    revision: str
    kind: str
    encoder: TextEncoder | None = None
    lexical: BM25Model | None = None
    #: How the run was made, kept under ``xir_bench`` in ``model_meta.json`` (kind, prompts, source).
    record: dict[str, Any] = field(default_factory=dict)
    card: ModelCard | None = None
    framework: tuple[str, ...] = ("NumPy",)
    #: ``ModelMeta`` fields the loader knows (parameters, dimension, licence ...).
    meta_fields: dict[str, Any] = field(default_factory=dict)
    #: Builds the encoder again in another process (Ray workers); picklable.
    make_encoder: Callable[[], TextEncoder] | None = None

    @property
    def reference(self) -> bool:
        """The random ranker: nothing to rank with."""
        return self.encoder is None and self.lexical is None

    def parallel_scorer(
        self, collection: ParallelCollection, cache_dir: Path | None, progress: bool = True
    ) -> Scorer | None:
        """What ranks ``collection``'s pools: embeddings (through the cache), a BM25 index per pool,
        or None for the reference (its scores are expectations, nothing is ranked)."""
        if self.encoder is not None:
            from xir_bench.models.encoding import encode_collection

            return encode_collection(self.encoder, collection, cache_dir, progress)
        if self.lexical is not None:
            from xir_bench.models.lexical import BM25Scorer

            return BM25Scorer(self.lexical, collection)
        return None

    def trained_on(self) -> str | None:
        """The task a card says the model was trained on (``xir-bench train`` records it)."""
        return self.card.trained_on if self.card is not None else None

    def model_meta(self) -> ModelMeta:
        """mteb's ``ModelMeta``, named exactly as results and caches name the model.

        mteb validates names as ``organisation/model``; a local folder or a built-in model
        has no organisation, so the meta is validated under ``xir-bench/`` and carries the
        model's own name (mteb's result cache reads names without validating them)."""
        from mteb.models import ModelMeta
        from mteb.models.model_meta import ScoringFunction

        similarity = getattr(self.encoder, "similarity", None)
        fields: dict[str, Any] = {
            "name": self.name if "/" in self.name else f"xir-bench/{self.name}",
            "revision": self.revision,
            "framework": list(self.framework),
            "similarity_fn_name": ScoringFunction(similarity) if similarity else None,
            "reference": (self.card.reference or None) if self.card else None,
            **self.meta_fields,
            **_from_card(self.card),
        }
        return ModelMeta.create_empty(overwrites=fields).model_copy(update={"name": self.name})


def _from_card(card: ModelCard | None) -> dict[str, Any]:
    """What a model card tells mteb: languages, training data (mteb task names), what it is adapted from.

    A model trained by ``xir-bench train`` on a task saw that task's data: every mteb task made
    from that card, and the mteb tasks it is adapted from, so mteb's zero-shot flags see it."""
    if card is None:
        return {}
    from xir_bench.cards import task_cards

    out: dict[str, Any] = {}
    languages = [mteb_language(code) for code in card.languages if code in LANGUAGES]
    if languages:
        out["languages"] = languages
    trained = set(card.training_data)
    if card.trained_on in task_cards():
        task = task_cards()[str(card.trained_on)]
        trained |= {task.mteb_name, *task.adapted_from, *task.kind_task_names()}
    if trained:
        out["training_datasets"] = trained
    if "/" in card.original:
        out["adapted_from"] = card.original
    if card.license:
        out["license"] = card.license.split(" ")[0].lower()
    return out
