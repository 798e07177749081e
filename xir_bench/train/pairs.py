"""Parallel training pairs: (query, positive passage[, negative]) with languages and group.

Sources:
- a LAReQA/SQuAD-format parallel task (``mlqa-r``, ``xquad-r`` or any task card): every
  question in language X paired with its answer sentence in every language Y of its
  group, so both monolingual (X = Y) and cross-lingual (X != Y) pairs exist;
- a JSONL file, one object per line: ``query``, ``positive``, ``query_language``,
  ``passage_language``, ``group`` and optionally ``negative``;
- a Hugging Face dataset with those columns (``hf:NAME[:SPLIT]``).

The group is the parallel question id; the batch sampler keeps a group to one pair per
batch. :func:`contamination` compares pairs with evaluation tasks, so that a model is
not trained on the questions or answers it will be scored on.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from xir_bench.core.collection import ParallelCollection
from xir_bench.data.tasks import load_task
from xir_bench.data.textfile import json_object, numbered_lines
from xir_bench.errors import DataFormatError, XirBenchError

REQUIRED_FIELDS = ("query", "positive", "query_language", "passage_language", "group")


@dataclass(frozen=True)
class TrainingPairs:
    """Columns of the training pairs; ``negatives`` is None when there are none."""

    source: str
    queries: list[str]
    positives: list[str]
    query_languages: list[str]
    passage_languages: list[str]
    groups: list[str]
    negatives: list[str] | None = None

    def __len__(self) -> int:
        return len(self.queries)

    def to_dataset(self) -> Any:
        """The text columns only (``anchor``, ``positive``[, ``negative``]), as the trainer wants them."""
        from datasets import Dataset

        columns = {"anchor": self.queries, "positive": self.positives}
        if self.negatives is not None:
            columns["negative"] = self.negatives
        return Dataset.from_dict(columns)

    def counts(self) -> dict[str, int]:
        """Pairs by kind, for the model card and the log."""
        mono = sum(q == p for q, p in zip(self.query_languages, self.passage_languages, strict=True))
        return {
            "pairs": len(self),
            "monolingual": mono,
            "cross_lingual": len(self) - mono,
            "groups": len(set(self.groups)),
        }


def pairs_from_collection(collection: ParallelCollection) -> TrainingPairs:
    """Every (question in X, its answer sentence in Y) of each parallel group."""
    queries, positives, query_langs, passage_langs, groups = [], [], [], [], []
    for row in range(collection.n_queries):
        group = int(collection.query_groups[row])
        for answer in collection.group_relevant[group]:
            queries.append(collection.query_texts[row])
            positives.append(collection.candidate_texts[answer])
            query_langs.append(collection.languages[collection.query_langs[row]])
            passage_langs.append(collection.languages[collection.candidate_langs[answer]])
            groups.append(collection.group_ids[group])
    return TrainingPairs(collection.name, queries, positives, query_langs, passage_langs, groups)


def _rows_to_pairs(source: str, rows: list[dict[str, Any]], where: Any) -> TrainingPairs:
    with_negative = [("negative" in row) for row in rows]
    if any(with_negative) and not all(with_negative):
        first = with_negative.index(not with_negative[0])
        raise DataFormatError(source, where(first), "some rows have 'negative' and some do not; give all or none")
    for index, row in enumerate(rows):
        missing = [f for f in REQUIRED_FIELDS if not isinstance(row.get(f), str) or not row.get(f)]
        if missing:
            raise DataFormatError(
                source, where(index), f"missing or empty field(s) {missing}", f"each row needs {list(REQUIRED_FIELDS)}"
            )
    return TrainingPairs(
        source=source,
        queries=[r["query"] for r in rows],
        positives=[r["positive"] for r in rows],
        query_languages=[r["query_language"] for r in rows],
        passage_languages=[r["passage_language"] for r in rows],
        groups=[r["group"] for r in rows],
        negatives=[r["negative"] for r in rows] if rows and all(with_negative) else None,
    )


def pairs_from_jsonl(path: Path) -> TrainingPairs:
    """Pairs from a JSONL file; a bad line is named by its number."""
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for number, line in numbered_lines(path):
        if line.strip():
            rows.append(json_object(path, number, line))
            numbers.append(number)
    if not rows:
        raise XirBenchError(f"{path}: no training pairs")
    return _rows_to_pairs(str(path), rows, lambda i: f"line {numbers[i]}")


def pairs_from_hub(name: str, split: str = "train") -> TrainingPairs:
    """Pairs from a Hugging Face dataset with the JSONL fields as columns (needs a network)."""
    from datasets import load_dataset

    dataset = load_dataset(name, split=split)
    return _rows_to_pairs(f"hf:{name}:{split}", list(dataset), lambda i: f"row {i}")


def load_pairs(spec: str, data_dir: str | Path | None = None, languages: list[str] | None = None) -> TrainingPairs:
    """``mlqa-r`` (a task, optionally some of its languages), ``pairs.jsonl``, or ``hf:NAME[:SPLIT]``."""
    if spec.startswith("hf:"):
        name, _, split = spec[3:].partition(":")
        return pairs_from_hub(name, split or "train")
    path = Path(spec)
    if path.suffix == ".jsonl" or path.is_file():
        if not path.is_file():
            raise XirBenchError(f"training file {path} not found")
        return pairs_from_jsonl(path)
    return pairs_from_collection(load_task(spec, languages, data_dir=data_dir))


def holdout(pairs: TrainingPairs, groups: int, seed: int) -> tuple[TrainingPairs, TrainingPairs | None]:
    """Split off ``groups`` whole parallel groups (seeded) for evaluation during training.

    Whole groups, so that no held-out question has a translation or an answer in training.
    """
    if groups == 0:
        return pairs, None
    names = sorted(set(pairs.groups))
    if groups >= len(names):
        raise XirBenchError(f"--holdout-groups {groups} leaves nothing to train on: the data has {len(names)} groups")
    chosen = set(np.random.default_rng(seed).choice(names, size=groups, replace=False).tolist())
    keep = [group not in chosen for group in pairs.groups]

    def select(wanted: bool) -> TrainingPairs:
        def pick(column: list[str]) -> list[str]:
            return [value for value, kept in zip(column, keep, strict=True) if kept is wanted]

        return TrainingPairs(
            source=pairs.source if wanted else f"{pairs.source} (held out)",
            queries=pick(pairs.queries),
            positives=pick(pairs.positives),
            query_languages=pick(pairs.query_languages),
            passage_languages=pick(pairs.passage_languages),
            groups=pick(pairs.groups),
            negatives=pick(pairs.negatives) if pairs.negatives is not None else None,
        )

    return select(True), select(False)


@dataclass(frozen=True)
class Contamination:
    """What training pairs share with an evaluation task (after normalising, see :func:`normalise`)."""

    task: str
    shared_groups: int
    shared_queries: int
    shared_passages: int
    near_duplicates: int = 0

    @property
    def clean(self) -> bool:
        return not (self.shared_groups or self.shared_queries or self.shared_passages or self.near_duplicates)

    def describe(self) -> str:
        text = (
            f"{self.task}: {self.shared_groups} shared question ids, {self.shared_queries} shared question texts, "
            f"{self.shared_passages} shared passage texts (positives and negatives)"
        )
        if self.near_duplicates:
            text += f", {self.near_duplicates} near-duplicate texts (equal but for punctuation)"
        return text


def normalise(text: str) -> str:
    """The form texts are compared in: Unicode NFKC, case-folded, whitespace collapsed.

    Exact comparison let the XQuAD-R pairs with one trailing space train unnoticed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _skeleton(text: str) -> str:
    """Letters and digits only: texts equal here but not after :func:`normalise` are near-duplicates."""
    return "".join(ch for ch in normalise(text) if ch.isalnum())


def contamination(pairs: TrainingPairs, collection: ParallelCollection) -> Contamination:
    """Overlap of question ids and texts, and of passages (positives and negatives), with a task."""
    train_queries = {normalise(t) for t in pairs.queries}
    train_passages = {normalise(t) for t in [*pairs.positives, *(pairs.negatives or [])]}
    eval_queries = {normalise(t) for t in collection.query_texts}
    eval_passages = {normalise(t) for t in collection.candidate_texts}
    shared_queries = train_queries & eval_queries
    shared_passages = train_passages & eval_passages
    near = {_skeleton(t) for t in (train_queries | train_passages) - shared_queries - shared_passages} - {""}
    eval_near = {_skeleton(t) for t in (eval_queries | eval_passages) - shared_queries - shared_passages}
    return Contamination(
        task=collection.name,
        shared_groups=len({normalise(g) for g in pairs.groups} & {normalise(g) for g in collection.group_ids}),
        shared_queries=len(shared_queries),
        shared_passages=len(shared_passages),
        near_duplicates=len(near & eval_near),
    )
