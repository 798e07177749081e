"""The parts of a task card that describe its data: where the files are, what the pool holds."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from xir_bench.storage.names import stays_below

HUB_DATASETS = "https://huggingface.co/datasets/"


class DataSource(BaseModel):
    """Where a data set's per-language files live and how to verify a download."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["lareqa", "miracl-anserini"] = Field(
        description="How the files are laid out and parsed: lareqa (SQuAD JSON with sentence breaks, one file "
        "per language) or miracl-anserini (topics/qrels TSV and a JSONL corpus per language)."
    )
    revision: str = Field(description="Upstream revision the files (and checksums) belong to.")
    path: str = Field(description="Path of one language's file under a data folder; has {lang}.")
    url: str = Field(description="Download address; has {lang} and may have {revision}.")
    sha256: dict[str, str] = Field(default_factory=dict, description="Per language; required for lareqa.")
    corpus_url: str | None = Field(
        None,
        description="A top-k task's corpus on the hub, streamed without a data folder; has {lang} "
        "(an hf://datasets/... pattern of JSON-lines files).",
    )

    @field_validator("path", "url")
    @classmethod
    def _has_lang_placeholder(cls, value: str) -> str:
        if "{lang}" not in value:
            raise ValueError("must contain the placeholder {lang}")
        return value

    @field_validator("path")
    @classmethod
    def _inside_the_data_folder(cls, value: str) -> str:
        if not stays_below(value):
            raise ValueError(f"{value!r} must be relative to the data folder, without '..'")
        return value

    def relative_path(self, lang: str) -> str:
        return self.path.format(lang=lang)

    @property
    def hub_dataset(self) -> str | None:
        """``ORG/NAME`` when ``url`` is a file of a Hugging Face hub data set, else None."""
        if not self.url.startswith(HUB_DATASETS):
            return None
        org, name, *_ = self.url.removeprefix(HUB_DATASETS).split("/")
        return f"{org}/{name}"

    def url_for(self, lang: str, base_url: str | None = None) -> str:
        """The download URL; ``base_url`` replaces the host part (tests, mirrors)."""
        if base_url is not None:
            return f"{base_url.rstrip('/')}/{self.relative_path(lang)}"
        return self.url.format(lang=lang, revision=self.revision)


class PoolProperties(BaseModel):
    """Facts of a parallel task's candidate pool that a user of its mteb tasks should know.

    LAReQA's pools are kept as released (its reference counts depend on them), artefacts
    included; the numbers are recomputed from the data by a test, not believed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    candidates: int = Field(description="Candidate sentences in the pool of all languages.")
    one_character: dict[str, list[str]] = Field(
        default_factory=dict, description="Per language, the candidates of one character (sentence-split artefacts)."
    )
    repeated_texts: int = Field(0, description="Texts that stand more than once in the pool of all languages.")
    repeated_candidates: int = Field(0, description="Candidates carrying one of those texts.")

    def sentence(self) -> str:
        """The properties as one paragraph, for task descriptions and dataset cards."""
        artefacts = sum(map(len, self.one_character.values()))
        listed = "; ".join(
            f"{lang} {', '.join(map(repr, texts))}" for lang, texts in sorted(self.one_character.items())
        )
        return (
            f"The pool is LAReQA's as released: {artefacts} of its {self.candidates} candidates are one character "
            f"long (sentence-split artefacts: {listed}) and {self.repeated_texts} texts stand more than once "
            f"({self.repeated_candidates} candidates); every subset of the multilingual task and every cross-lingual "
            "subset with the same pool language repeat the same pool."
        )


class TrainingRecord(BaseModel):
    """A model card's ``[training]``: what ``xir-bench train`` was run with (its ``TrainConfig``;
    the options a card does not read are kept as written)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    base: str | None = Field(None, description="What was trained: static[:DIM], tiny-bert[:LxH], a folder or hub id.")
    train: str = Field(min_length=1, description="The task whose data the model was trained on.")
    seed: int = 0
