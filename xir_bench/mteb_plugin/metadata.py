"""mteb ``TaskMetadata`` made from a task card: one declaration per task, read by mteb and xir-bench.

A parallel card gives four mteb tasks: one per setting kind (``<family>Mono``, ``Cross``,
``Multi``), whose mean main score is the board's Mo / Cr / Mul, and the card's combined task
(``XQuADR``: every setting; kept for ``xir-bench run``'s results and older scripts; its mteb
mean is dominated by the L(L-1) cross-lingual subsets, so it is no board number).

The main score is ``map``: average precision over the whole pool, trec_eval's ``map``, equal to
mteb's ``map_at_k`` for any k at least the pool size (the pools reach 13k candidates, beyond
mteb's 1000); ``map_at_1000``, ``mrr_at_10``, ``ndcg_at_10`` and recall are alongside.
Descriptive statistics are computed with mteb's own code (``xir-bench mteb-stats``) and kept in
``tasks/descriptive_stats/``, which :class:`CardTaskMetadata` points mteb at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mteb.abstasks.task_metadata import TaskMetadata

from xir_bench.cards import TaskCard, task_card_dir
from xir_bench.core.languages import iso3, mteb_language
from xir_bench.core.settings import SETTING_KINDS, Setting, SettingKind, enumerate_settings

_KIND_TEXT = {
    "mono": "Monolingual: queries in X against the pool of X, one subset per language.",
    "cross": "Cross-lingual: queries in X against the pool of Y != X, one subset per ordered pair.",
    "multi": "Multilingual pool: queries in X against one pool of every language; the relevant "
    "candidates are the parallel answers in all languages.",
}


class CardTaskMetadata(TaskMetadata):
    """TaskMetadata whose descriptive statistics live beside the cards, not inside mteb's package."""

    @property
    def descriptive_stat_path(self) -> Path:
        return task_card_dir() / "descriptive_stats" / f"{self.name}.json"


def kind_task_name(card: TaskCard, kind: SettingKind) -> str:
    return card.kind_task_name(kind)


def task_metadata(card: TaskCard, kind: SettingKind | None = None) -> TaskMetadata:
    """The metadata of a card's task: a top-k card's, a parallel card's combined task (``kind=None``)
    or its task of one setting kind."""
    common: dict[str, Any] = {
        "description": card.description,
        "reference": card.reference,
        "type": "Retrieval",
        "category": "t2t",
        "modalities": ["text"],
        "eval_splits": [card.split],
        "main_score": card.main_score,
        "date": card.date,
        "domains": card.domains,
        "license": card.license,
        "annotations_creators": card.annotations_creators,
        "dialect": [],
        "sample_creation": card.sample_creation,
        "bibtex_citation": card.citation,
        "adapted_from": card.adapted_from or None,
    }
    if card.kind == "topk":
        return CardTaskMetadata(
            name=card.mteb_name,
            dataset={"path": card.source.hub_dataset or card.name, "revision": card.source.revision},
            eval_langs={iso3(lang): [mteb_language(lang)] for lang in card.languages},
            task_subtypes=[],
            **common,
        )
    languages = list(card.languages)
    if card.pool is not None:
        common["description"] = f"{card.description} {card.pool.sentence()}"
    dataset = {"path": card.reference.removeprefix("https://github.com/"), "revision": card.source.revision}
    if kind is None:
        settings = enumerate_settings(languages)
        eval_langs = {s.subset: s.mteb_languages(languages) for s in settings}
        name = card.mteb_name
    else:
        settings = enumerate_settings(languages, (kind,))
        eval_langs = {s.role_subset: s.mteb_languages(languages) for s in settings}
        name = kind_task_name(card, kind)
        common["description"] = f"{common['description']} {_KIND_TEXT[kind]}"
    return CardTaskMetadata(
        name=name, dataset=dataset, eval_langs=eval_langs, task_subtypes=["Question answering"], **common
    )


def subset_names(card: TaskCard, kind: SettingKind | None) -> dict[str, Setting]:
    """The task's subset names -> their settings (role names for a per-kind task)."""
    settings = enumerate_settings(list(card.languages), (kind,) if kind else SETTING_KINDS)
    return {(s.role_subset if kind else s.subset): s for s in settings}
