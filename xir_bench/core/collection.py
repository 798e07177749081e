"""The collection: what every later stage needs to know about a parallel data set.

Queries and candidates are kept in language order (all of language 0, then language 1,
...), so a language's pool is a contiguous slice of the candidate list and the engine can
score one multilingual matrix and read every per-language pool out of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

CandidateText = Literal["sentence", "sentence+context"]
CANDIDATE_TEXTS: tuple[CandidateText, ...] = get_args(CandidateText)
#: Where a candidate sentence's text comes from: ``context[start:end]`` of each sentence break
#: (LAReQA's reference evaluation), or the paragraph's ``sentences`` strings.
SentenceSource = Literal["breaks", "field"]
SENTENCE_SOURCES: tuple[SentenceSource, ...] = ("breaks", "field")
#: How candidates with equal scores are ranked (see :mod:`xir_bench.core.ranking`).
TieRule = Literal["reference", "pool-order", "optimistic"]
TIE_RULES: tuple[TieRule, ...] = get_args(TieRule)
DEFAULT_TIES: TieRule = "reference"


@dataclass(frozen=True)
class Evaluation:
    """The choices that change a parallel task's numbers, with the benchmark's defaults (LAReQA's
    reference evaluation). Every result records them; a stored result computed another way is
    neither reused nor mixed with new numbers, and the board marks its row."""

    candidate_text: CandidateText = "sentence"
    sentence_source: SentenceSource = "breaks"
    ties: TieRule = DEFAULT_TIES

    def record(self) -> dict[str, str]:
        return {"ties": self.ties, "sentence_source": self.sentence_source, "candidate_text": self.candidate_text}

    @classmethod
    def recorded(cls, record: dict[str, str]) -> Evaluation:
        """The evaluation a result records (a key it lacks: the default)."""
        return cls(**{key: record[key] for key in ("candidate_text", "sentence_source", "ties") if key in record})


#: The benchmark's evaluation.
DEFAULT_EVALUATION = Evaluation()

#: The tasks a model is scored on when none are named (``run``, ``export-mteb``), and those
#: ``train`` keeps its data apart from: the two parallel data sets.
DEFAULT_TASKS = ("xquad-r", "mlqa-r")
#: Units a question belongs to beyond its language, carried into every per-query table so
#: that results can be compared slice by slice (``xir-bench compare --by``) and tested with
#: clusters coarser than a question. ``article`` is the Wikipedia article's title,
#: ``paragraph`` ``<title>#<n>`` (the n-th paragraph of that article in the data file).
SLICE_COLUMNS: tuple[str, ...] = ("article", "paragraph")
#: What ``xir-bench compare --by`` slices results by, and the units its tests resample.
SliceBy = Literal["language", "article", "domain"]
Unit = Literal["question", "paragraph", "article"]
SLICINGS: tuple[SliceBy, ...] = ("language", "article", "domain")
UNITS: tuple[Unit, ...] = ("question", "paragraph", "article")


@dataclass(frozen=True)
class ParallelCollection:
    """Questions parallel across languages, and the multilingual pool of answer candidates.

    ``query_groups[i]`` is the parallel group (shared question id) of query ``i``;
    ``group_relevant[g]`` are the candidate indices, in every language, that answer group
    ``g``. A query's relevant candidates in the multilingual pool are those of its group;
    in the pool of one language, the subset of that language.
    """

    name: str
    languages: tuple[str, ...]
    query_ids: tuple[str, ...]
    query_texts: tuple[str, ...]
    query_langs: np.ndarray
    query_groups: np.ndarray
    candidate_ids: tuple[str, ...]
    candidate_texts: tuple[str, ...]
    candidate_langs: np.ndarray
    group_ids: tuple[str, ...]
    group_relevant: tuple[np.ndarray, ...]
    skipped_questions: dict[str, int] = field(default_factory=dict)
    #: Which data: the card's release revision when every file matched its SHA-256, else
    #: ``local:<digest>`` (an unverified local copy; results record it and never reuse across it).
    data: str = ""
    #: Per parallel group, its value for each of :data:`SLICE_COLUMNS` the data provides.
    group_slices: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def n_queries(self) -> int:
        return len(self.query_texts)

    @property
    def n_candidates(self) -> int:
        return len(self.candidate_texts)

    def slices_of(self, queries: np.ndarray | list[int]) -> dict[str, np.ndarray]:
        """The article / paragraph (those the data provides) of each of ``queries``, by column."""
        groups = self.query_groups[np.asarray(queries, dtype=np.int64)]
        return {
            name: np.asarray(self.group_slices[name], dtype=object)[groups]
            for name in SLICE_COLUMNS
            if name in self.group_slices
        }

    def candidate_slice(self, lang: int) -> slice:
        """The contiguous range of candidates in language index ``lang``."""
        positions = np.flatnonzero(self.candidate_langs == lang)
        if positions.size == 0:
            return slice(0, 0)
        return slice(int(positions[0]), int(positions[-1]) + 1)

    def setting_members(self, query_lang: str, pool_lang: str | None) -> tuple[np.ndarray, np.ndarray]:
        """(query indices, candidate indices) of one setting; ``pool_lang=None``: the multilingual pool."""
        lang_index = {lang: i for i, lang in enumerate(self.languages)}
        queries = np.flatnonzero(self.query_langs == lang_index[query_lang])
        if pool_lang is None:
            return queries, np.arange(self.n_candidates)
        return queries, np.flatnonzero(self.candidate_langs == lang_index[pool_lang])

    def relevant_matrix(self) -> np.ndarray:
        """Relevant candidate indices per query, padded with -1 (queries x max relevant)."""
        width = max((len(r) for r in self.group_relevant), default=0)
        matrix = np.full((self.n_queries, max(width, 1)), -1, dtype=np.int64)
        for query, group in enumerate(self.query_groups):
            relevant = self.group_relevant[group]
            matrix[query, : len(relevant)] = relevant
        return matrix

    def stats(self) -> dict[str, object]:
        """Counts per language and pool size (``xir-bench info``)."""
        per_language = {
            lang: {
                "questions": int(np.sum(self.query_langs == index)),
                "candidates": int(np.sum(self.candidate_langs == index)),
                "skipped_questions": self.skipped_questions.get(lang, 0),
            }
            for index, lang in enumerate(self.languages)
        }
        return {
            "task": self.name,
            "languages": per_language,
            "question_ids": len(self.group_ids),
            "questions": self.n_queries,
            "multilingual_pool": self.n_candidates,
        }
