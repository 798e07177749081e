"""xir-bench's models as mteb sees them: a view of the one :class:`LoadedModel` per spec.

``mteb_model(spec)`` loads the model through xir-bench's registry, exactly as
``xir-bench run`` does, and wraps it: an encoder as mteb's ``EncoderProtocol``
(:class:`XirBenchEncoder`), a lexical model as mteb's ``SearchProtocol``
(:class:`XirBenchSearch`). The ``ModelMeta`` is the model's own, so mteb's result folder,
``model_meta.json`` and the embedding cache name the model as the command line does, and
the parallel tasks' encode-once path encodes through the very encoder the command line
uses (a run on one, then the other, encodes nothing twice).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mteb.models.abs_encoder import AbsEncoder
from mteb.types import PromptType

from xir_bench.core.languages import ISO3_TO_1
from xir_bench.errors import XirBenchError
from xir_bench.models.kind import LoadedModel


class XirBenchEncoder(AbsEncoder):
    """An encoder-style model as an mteb encoder: texts from mteb's loader, prompts by role."""

    def __init__(self, model: LoadedModel) -> None:
        if model.encoder is None:
            raise XirBenchError(f"{model.name} has no encoder")
        self.xir_model = model
        self.mteb_model_meta = model.model_meta()

    @property
    def xir_text_encoder(self) -> Any:
        """The encoder ``xir-bench run`` uses for this model (same name, revision, prompts, backend)."""
        return self.xir_model.encoder

    def encode(self, inputs: Any, *, task_metadata: Any, hf_split: str, hf_subset: str, **kwargs: Any) -> np.ndarray:
        role = "query" if kwargs.get("prompt_type") == PromptType.query else "passage"
        texts = [text for batch in inputs for text in batch["text"]]
        return np.asarray(self.xir_model.encoder.encode(texts, role), dtype=np.float32)  # type: ignore[union-attr]


class XirBenchSearch:
    """A lexical model as mteb's ``SearchProtocol``: one index over the corpus mteb hands over.

    The parallel tasks give every subset its own pool, so the index (and BM25's IDF) is that
    pool's, as in ``xir-bench run``. Each text is analysed in its language: a query in the
    subset's first language, a passage in the language its id starts with (``de/...``) when
    that is one of the subset's, else in the subset's last (the pool's) language."""

    def __init__(self, model: LoadedModel) -> None:
        if model.lexical is None:
            raise XirBenchError(f"{model.name} is not a lexical model")
        self.xir_model = model
        self.mteb_model_meta = model.model_meta()
        self._ids: list[str] = []
        self._index: Any = None

    def index(self, corpus: Any, *, task_metadata: Any, hf_split: str, hf_subset: str, **kwargs: Any) -> None:
        langs = _subset_languages(task_metadata, hf_subset)
        self._ids = [str(i) for i in corpus["id"]]
        titles = corpus["title"] if "title" in corpus.column_names else [""] * len(self._ids)
        texts = [f"{title} {text}" if title else text for title, text in zip(titles, corpus["text"], strict=True)]
        doc_langs = [_id_language(doc, langs) for doc in self._ids]
        self._index = self.xir_model.lexical.index(texts, doc_langs)  # type: ignore[union-attr]

    def search(
        self, queries: Any, *, task_metadata: Any, hf_split: str, hf_subset: str, top_k: int, **kwargs: Any
    ) -> dict[str, dict[str, float]]:
        if self._index is None:
            raise XirBenchError(f"{self.xir_model.name}: search() before index()")
        lang = _subset_languages(task_metadata, hf_subset)[0]
        tokens = self.xir_model.lexical.analyse(list(queries["text"]), [lang] * len(queries))  # type: ignore[union-attr]
        rows, scores = self._index.top(tokens, top_k)  # the top-k search the top-k pipeline runs
        return {
            str(qid): {self._ids[i]: float(score) for i, score in zip(row, values, strict=True)}
            for qid, row, values in zip(queries["id"], rows, scores, strict=True)
        }


def _subset_languages(task_metadata: Any, hf_subset: str) -> list[str]:
    """The subset's languages as ISO 639-1 codes where xir-bench knows them (``und`` otherwise)."""
    langs = task_metadata.eval_langs
    tags = langs.get(hf_subset, []) if isinstance(langs, dict) else list(langs)
    return [ISO3_TO_1.get(tag.split("-")[0], "und") for tag in tags] or ["und"]


def _id_language(doc_id: str, langs: list[str]) -> str:
    prefix = doc_id.split("/", 1)[0]
    return prefix if prefix in langs else langs[-1]


def mteb_view(model: LoadedModel) -> Any:
    """What ``mteb.evaluate`` runs for ``model``: the view of its style."""
    if model.encoder is not None:
        return XirBenchEncoder(model)
    if model.lexical is not None:
        return XirBenchSearch(model)
    raise XirBenchError(
        f"{model.spec!r} is the random ranker's reference row: exact expectations, no ranking mteb could run\n"
        f"  fix: xir-bench run --model {model.spec}"
    )


def mteb_model(spec: str, device: str | None = None, backend: str = "torch") -> Any:
    """A model for ``mteb.evaluate``, loaded through xir-bench's registry (:func:`mteb_view` of it)."""
    from xir_bench.models.registry import load_model

    return mteb_view(load_model(spec, device=device, backend=backend))
