"""Hybrid monolingual / cross-lingual batches for contrastive training (arXiv 2408.10536).

With in-batch negatives (MultipleNegativesRankingLoss), what a batch holds decides what
the model learns to tell apart. A monolingual batch (every query and passage in one
language) teaches ranking within a language; a cross-lingual batch (every pair's query
language differs from its passage language) teaches aligning languages. The hybrid
strategy draws each batch monolingual with probability ``alpha`` (its language uniform
among the languages with monolingual pairs), else cross-lingual: ``alpha=1`` is the
paper's X-X-mono baseline, ``alpha=0`` its X-Y baseline, ``alpha=0.5`` the hybrid.

Pairs of one parallel group (the same question in several languages) never share a
batch: their passages are translations of each other and would be false negatives.

The sampler plugs into ``SentenceTransformerTrainer`` through the trainer's own
extension point, ``SentenceTransformerTrainingArguments(batch_sampler=...)``, which
accepts a callable ``(dataset, batch_size, drop_last, valid_label_columns, generator,
seed) -> sampler``; :meth:`HybridBatchSampler.factory` binds the pair metadata (which
must not be dataset columns, as the collator would feed them to the model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
from sentence_transformers.base.sampler import DefaultBatchSampler

from xir_bench.errors import XirBenchError


class _Stream:
    """An endless, reshuffled-on-exhaustion stream of pair indices from one pool."""

    def __init__(self, indices: np.ndarray, rng: np.random.Generator) -> None:
        self.indices = indices
        self.rng = rng
        self.order = rng.permutation(indices)
        self.position = 0
        self.deferred: list[int] = []

    def draw(self, batch_size: int, groups: np.ndarray) -> list[int]:
        """Up to ``batch_size`` pairs of distinct groups; conflicting pairs wait for a later batch."""
        batch: list[int] = []
        used: set[int] = set()
        skipped: list[int] = []
        candidates = self.deferred
        self.deferred = []
        budget = len(self.indices) + len(candidates)  # one full pass at most, so small pools end
        while len(batch) < batch_size and budget > 0:
            if candidates:
                index = candidates.pop(0)
            else:
                if self.position == len(self.order):
                    self.order = self.rng.permutation(self.indices)
                    self.position = 0
                index = int(self.order[self.position])
                self.position += 1
            budget -= 1
            group = int(groups[index])
            if group in used:
                skipped.append(index)
                continue
            used.add(group)
            batch.append(index)
        self.deferred = candidates + skipped
        return batch


class HybridBatchSampler(DefaultBatchSampler):
    """Batches that are monolingual with probability ``alpha``, else cross-lingual.

    Args:
        dataset: the training pairs (only their count is used here).
        batch_size, drop_last, valid_label_columns, generator, seed: as every
            sentence-transformers batch sampler gets them from the trainer.
        query_languages, passage_languages: language of each pair's query and passage.
        groups: parallel group (question id) of each pair.
        alpha: probability that a batch is monolingual.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        drop_last: bool,
        valid_label_columns: list[str] | None = None,
        generator: Any = None,
        seed: int = 0,
        *,
        query_languages: Sequence[str],
        passage_languages: Sequence[str],
        groups: Sequence[str],
        alpha: float,
    ) -> None:
        super().__init__(
            dataset,
            batch_size=batch_size,
            drop_last=drop_last,
            valid_label_columns=valid_label_columns,
            generator=generator,
            seed=seed,
        )
        self.dataset = dataset
        if not 0.0 <= alpha <= 1.0:
            raise XirBenchError(f"alpha must be within [0, 1], got {alpha}")
        n = len(dataset)
        if not len(query_languages) == len(passage_languages) == len(groups) == n:
            raise XirBenchError(
                f"pair metadata has {len(query_languages)}/{len(passage_languages)}/{len(groups)} entries "
                f"for {n} pairs; build the sampler from the same pairs as the dataset"
            )
        self.alpha = alpha
        query_langs = np.asarray(query_languages, dtype=object)
        passage_langs = np.asarray(passage_languages, dtype=object)
        self.groups = np.unique(np.asarray(groups, dtype=object), return_inverse=True)[1]
        same = query_langs == passage_langs
        self.mono = {str(lang): np.flatnonzero(same & (query_langs == lang)) for lang in sorted(set(query_langs[same]))}
        self.cross = np.flatnonzero(~same)
        if alpha > 0 and not self.mono:
            raise XirBenchError("alpha > 0 needs monolingual pairs (query and passage in one language); there are none")
        if alpha < 1 and self.cross.size == 0:
            raise XirBenchError("alpha < 1 needs cross-lingual pairs (query and passage languages differ); none")

    @classmethod
    def factory(
        cls,
        query_languages: Sequence[str],
        passage_languages: Sequence[str],
        groups: Sequence[str],
        alpha: float,
    ) -> Callable[..., HybridBatchSampler]:
        """What to pass as ``SentenceTransformerTrainingArguments(batch_sampler=...)``."""
        return partial(
            cls, query_languages=query_languages, passage_languages=passage_languages, groups=groups, alpha=alpha
        )

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def batch_kinds(self) -> Iterator[tuple[str, list[int]]]:
        """``("mono:<lang>" | "cross", indices)`` per batch of the current epoch, seeded."""
        rng = np.random.default_rng([self.seed, self.epoch])
        streams = {lang: _Stream(indices, rng) for lang, indices in self.mono.items()}
        cross = _Stream(self.cross, rng) if self.cross.size else None
        languages = list(streams)
        for _ in range(len(self)):
            if cross is None or (languages and rng.random() < self.alpha):
                lang = languages[int(rng.integers(len(languages)))]
                kind, batch = f"mono:{lang}", streams[lang].draw(self.batch_size, self.groups)
            else:
                kind, batch = "cross", cross.draw(self.batch_size, self.groups)
            if self.drop_last and len(batch) < self.batch_size:
                continue
            yield kind, batch

    def __iter__(self) -> Iterator[list[int]]:
        for _, batch in self.batch_kinds():
            yield batch
