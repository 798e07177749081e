"""A LAReQA-format data set as one mteb retrieval task, one subset per setting, encoded once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from mteb.abstasks.retrieval import AbsTaskRetrieval
from mteb.timing import TimingStack

from xir_bench.cards import TaskCard
from xir_bench.core.collection import DEFAULT_EVALUATION, CandidateText, ParallelCollection
from xir_bench.core.evaluate import RankTable, compute_rank_table, per_query_frame, subset_scores
from xir_bench.core.ranking import TieRule
from xir_bench.core.scorers import Scorer
from xir_bench.core.settings import SettingKind
from xir_bench.data.sources import cache_root
from xir_bench.data.tasks import load_task
from xir_bench.errors import XirBenchError
from xir_bench.models.encoding import encode_collection
from xir_bench.mteb_plugin.encoder import MtebModelEncoder
from xir_bench.mteb_plugin.metadata import subset_names
from xir_bench.mteb_plugin.per_subset import FLOAT32_TIE_TOLERANCE, per_subset_scores
from xir_bench.mteb_plugin.predictions import write_predictions

if TYPE_CHECKING:
    import mteb
    import pandas as pd

logger = logging.getLogger(__name__)


class _LazySubsets(Mapping[str, dict[str, Any]]):
    """``task.dataset`` in MTEB's layout, each subset built on first access.

    Only MTEB's plain per-subset path and its statistics read it; building all 132
    XQuAD-R subsets up front would cost memory for nothing under encode-once.
    """

    def __init__(self, subsets: list[str], build: Callable[[str], dict[str, Any]]) -> None:
        self._subsets = subsets
        self._build = build
        self._built: dict[str, dict[str, Any]] = {}

    def __getitem__(self, subset: str) -> dict[str, Any]:
        if subset not in self._subsets:
            raise KeyError(subset)
        if subset not in self._built:
            self._built[subset] = self._build(subset)
        return self._built[subset]

    def __iter__(self) -> Iterator[str]:
        return iter(self._subsets)

    def __len__(self) -> int:
        return len(self._subsets)


@dataclass
class _Encoded:
    """The rank table of one model on one split: every setting's ranks, computed once."""

    model: Any
    split: str
    languages: tuple[str, ...]
    table: RankTable


class ParallelRetrievalTask(AbsTaskRetrieval):
    """A LAReQA-style parallel data set, one MTEB subset per evaluation setting."""

    _xir_bench_task: ClassVar[bool] = True
    #: The card the class was made from (kept on the class: a card folder may be gone by the time mteb
    #: instantiates every registered task).
    task_card: ClassVar[TaskCard]
    #: The one setting kind of a per-kind task (``LAReQAXQuADMono`` ...); None: every setting.
    setting_kind: ClassVar[SettingKind | None] = None

    def __init__(
        self,
        *,
        data_dir: str | Path | None = None,
        candidate_text: CandidateText = DEFAULT_EVALUATION.candidate_text,
        ties: TieRule = DEFAULT_EVALUATION.ties,
        encode_once: bool = True,
        block_size: int = 512,
        progress: bool = True,
        cache_dir: Path | Literal["default"] | None = "default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        #: The embedding cache (``xir-bench run``'s folder by default; None: none). Keyed by the model's
        #: mteb name and revision: a rerun under mteb.evaluate encodes nothing again.
        self.cache_dir = cache_root() / "embeddings" if cache_dir == "default" else cache_dir
        self._scorer: Scorer | None = None
        self._tie_tolerance = FLOAT32_TIE_TOLERANCE
        self.card = self.task_card
        self.data_dir = data_dir
        self.candidate_text: CandidateText = candidate_text
        self.ties: TieRule = ties
        self.encode_once = encode_once
        self.block_size = block_size
        self.progress = progress
        self.settings = subset_names(self.card, self.setting_kind)
        self.collection: ParallelCollection | None = None
        self.per_query: pd.DataFrame | None = None
        self._encoded: _Encoded | None = None

    # -- data -----------------------------------------------------------------------------

    def _languages_needed(self) -> list[str]:
        chosen = [self.settings[s] for s in self.hf_subsets]
        if any(s.kind == "multi" for s in chosen):
            return list(self.card.languages)  # the multilingual pool holds every language
        wanted = {s.query_lang for s in chosen} | {s.pool_lang for s in chosen}
        return [lang for lang in self.card.languages if lang in wanted]

    def load_data(self, num_proc: int | None = None, *, timer: TimingStack | None = None, **kwargs: Any) -> None:
        """Load the languages the selected subsets need (all of them if one is multilingual)."""
        needed = self._languages_needed()
        if self.data_loaded and self.collection is not None and set(needed) <= set(self.collection.languages):
            return
        timer = timer or TimingStack()
        with timer("Data loading", log_message=f"Loading {self.card.title}..."):
            self.collection = load_task(self.card, needed, self.data_dir, self.candidate_text)
        available = set(self.collection.languages)
        subsets = [
            name
            for name, s in self.settings.items()
            if s.query_lang in available
            and (s.pool_lang in available if s.pool_lang else available == set(self.card.languages))
        ]
        self.dataset = _LazySubsets(subsets, self._subset_data)  # type: ignore[assignment]
        self._encoded = None
        self.data_loaded = True

    def unload_data(self) -> None:
        self.collection = None
        self._encoded = None
        self._scorer = None
        self.dataset = None  # type: ignore[assignment]
        self.data_loaded = False

    def _subset_data(self, subset: str) -> dict[str, Any]:
        """One setting as MTEB's retrieval split data (queries, corpus, relevant_docs)."""
        from datasets import Dataset

        collection = self._require_collection()
        setting = self.settings[subset]
        rows, pool = collection.setting_members(setting.query_lang, setting.pool_lang)
        in_pool = np.zeros(collection.n_candidates, dtype=bool)
        in_pool[pool] = True
        relevant: dict[str, dict[str, int]] = {}
        for row in rows:
            answers = collection.group_relevant[collection.query_groups[row]]
            answers = answers[in_pool[answers]]
            if answers.size:
                relevant[collection.query_ids[row]] = {collection.candidate_ids[a]: 1 for a in answers}
        queries = Dataset.from_dict(
            {"id": [collection.query_ids[r] for r in rows], "text": [collection.query_texts[r] for r in rows]}
        )
        corpus = Dataset.from_dict(
            {
                "id": [collection.candidate_ids[c] for c in pool],
                "title": [""] * len(pool),
                "text": [collection.candidate_texts[c] for c in pool],
            }
        )
        split = {"queries": queries, "corpus": corpus, "relevant_docs": relevant, "top_ranked": None}
        return dict.fromkeys(self.eval_splits, split)

    def _require_collection(self) -> ParallelCollection:
        if self.collection is None:
            raise XirBenchError(f"{self.metadata.name}: data not loaded; call load_data() first")
        return self.collection

    # -- evaluation -----------------------------------------------------------------------

    def evaluate(
        self,
        model: mteb.types.MTEBModels,  # type: ignore[name-defined]
        split: str | None = None,
        subsets_to_run: list[str] | None = None,
        *,
        encode_kwargs: dict[str, Any],
        prediction_folder: Path | None = None,
        num_proc: int | None = None,
        timer: TimingStack | None = None,
        **kwargs: Any,
    ) -> Mapping[str, dict[str, Any]]:
        """Scores of the requested subsets; the first call encodes and ranks every setting."""
        split = split or self.metadata.eval_splits[0]  # the card's split (MLQA-R: dev)
        searches = not callable(getattr(model, "encode", None))  # mteb's search protocol (BM25s)
        if not self.encode_once or (searches and getattr(model, "xir_model", None) is None):
            # mteb's own per-subset retrieval; an encoder's float32 similarities round, a search model's
            # scores are its own (exact ties stay ties, near ones stay apart)
            self._tie_tolerance = 0.0 if searches else FLOAT32_TIE_TOLERANCE
            return super().evaluate(
                model,
                split,
                subsets_to_run,
                encode_kwargs=encode_kwargs,
                prediction_folder=prediction_folder,
                num_proc=num_proc,
                timer=timer,
                **kwargs,
            )
        timer = timer or TimingStack()
        self.load_data(num_proc=num_proc, timer=timer)
        subsets = [s for s in self.hf_subsets if subsets_to_run is None or s in subsets_to_run]
        table = self._rank_table(model, split, subsets[0] if subsets else "", encode_kwargs, timer)
        settings = [self.settings[s] for s in subsets]
        with timer("Scoring", split=split, log_message=f"Scoring {len(settings)} subsets of {self.metadata.name}"):
            self.per_query = per_query_frame(self._require_collection(), table, settings)
            scores = subset_scores(self.per_query, settings, self.metadata.main_score)
        if prediction_folder is not None:
            assert self._scorer is not None  # set by _rank_table
            chosen = dict(zip(subsets, settings, strict=True))
            write_predictions(
                Path(prediction_folder), self.metadata.name, self._require_collection(), self._scorer, chosen
            )
        return {name: scores[setting.subset] for name, setting in zip(subsets, settings, strict=True)}

    def _rank_table(
        self, model: Any, split: str, subset: str, encode_kwargs: dict[str, Any], timer: TimingStack
    ) -> RankTable:
        collection = self._require_collection()
        memo = self._encoded
        if memo is not None and memo.model is model and memo.split == split and memo.languages == collection.languages:
            return memo.table
        with timer("Encoding", split=split, log_message=f"Encoding unique texts of {self.metadata.name} once"):
            scorer = self._scorer_for(model, collection, split, subset, encode_kwargs)
        self._scorer = scorer
        with timer("Ranking", split=split):
            table = compute_rank_table(collection, scorer, self.block_size, self.progress, self.ties)
        self._encoded = _Encoded(model, split, collection.languages, table)
        return table

    def _scorer_for(
        self, model: Any, collection: ParallelCollection, split: str, subset: str, encode_kwargs: dict[str, Any]
    ) -> Scorer:
        """What ranks the pools: an xir-bench model's own scorer (the one ``xir-bench run`` uses,
        through the same embedding cache), else any mteb encoder's embeddings."""
        own = getattr(model, "xir_model", None)
        if own is not None:
            scorer = own.parallel_scorer(collection, self.cache_dir, self.progress)
            if scorer is None:
                raise XirBenchError(f"{own.name} ranks nothing (it is the reference row)")
            return scorer
        encoder = MtebModelEncoder(model, self.metadata, split, subset, encode_kwargs)
        return encode_collection(encoder, collection, cache_dir=self.cache_dir, progress=self.progress)

    def task_specific_scores(
        self,
        scores: dict[str, dict[str, float]],
        qrels: dict[str, dict[str, int]],
        results: dict[str, dict[str, float]],
        hf_split: str,
        hf_subset: str,
    ) -> dict[str, float]:
        """Plain per-subset path: xir-bench's metrics over what MTEB retrieved (:mod:`.per_subset`)."""
        setting = self.settings[hf_subset]
        return per_subset_scores(self._require_collection(), setting, qrels, results, self.ties, self._tie_tolerance)
