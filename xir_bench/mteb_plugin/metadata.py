"""mteb ``TaskMetadata`` made from a task card: one declaration per task, read by mteb and xir-bench."""

from __future__ import annotations

from mteb.abstasks.task_metadata import TaskMetadata

from xir_bench.cards import TaskCard
from xir_bench.core.languages import mteb_language
from xir_bench.core.settings import enumerate_settings


def task_metadata(card: TaskCard) -> TaskMetadata:
    """A parallel card: one subset per setting (``eng-deu``: English queries, German pool);
    a top-k card: one subset per language."""
    if card.kind == "topk":
        return TaskMetadata(
            name=card.mteb_name,
            description=card.description,
            reference=card.reference,
            dataset={"path": "miracl/miracl", "revision": card.source.revision},
            type="Retrieval",
            category="t2t",
            modalities=["text"],
            eval_splits=[card.split],
            eval_langs={lang: [mteb_language(lang)] for lang in card.languages},
            main_score=card.main_score,
            date=("2022-06-01", "2023-01-30"),
            domains=card.domains,
            task_subtypes=[],
            license=card.license,
            annotations_creators="expert-annotated",
            dialect=[],
            sample_creation="created",
            bibtex_citation=card.citation,
        )
    settings = enumerate_settings(list(card.languages))
    return TaskMetadata(
        name=card.mteb_name,
        description=card.description,
        reference=card.reference,
        dataset={"path": card.reference.removeprefix("https://github.com/"), "revision": card.source.revision},
        type="Retrieval",
        category="t2t",
        modalities=["text"],
        eval_splits=[card.split],
        eval_langs={s.subset: s.mteb_languages(list(card.languages)) for s in settings},
        main_score=card.main_score,
        date=None,
        domains=card.domains,
        task_subtypes=["Question answering"],
        license=card.license,
        annotations_creators="human-annotated",
        dialect=[],
        sample_creation="found",
        bibtex_citation=card.citation,
    )
