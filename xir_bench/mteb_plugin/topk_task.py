"""A top-k card as an mteb task (MIRACL's ``XirMIRACL``), its name and metadata from the card."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

from mteb.abstasks.retrieval import AbsTaskRetrieval
from mteb.timing import TimingStack

from xir_bench.cards import TaskCard
from xir_bench.core.languages import ISO3_TO_1
from xir_bench.data import miracl
from xir_bench.errors import XirBenchError

logger = logging.getLogger(__name__)


class TopkRetrievalTask(AbsTaskRetrieval):
    """A top-k card's task, monolingual per language, from local anserini-layout files or the hub.

    Topics and graded qrels come from the data folder where the card's ``[source] path``
    says (MIRACL: ``miracl/``), or from the hub; the corpus from ``corpus/{lang}.jsonl[.gz]``
    beside them, or, without a data folder, the pooled corpus of the card's
    ``mteb_pooled_task`` (MIRACL's full 106M-passage corpus does not fit an in-memory mteb
    task). Subsets are disjoint by language, so mteb's own per-subset evaluation encodes
    nothing twice; they are named by ISO 639-3 code (``swa``), like every other xir-bench task's.
    """

    _xir_bench_task: ClassVar[bool] = True
    #: The card the class was made from.
    task_card: ClassVar[TaskCard]

    def __init__(self, *, data_dir: str | Path | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_dir = data_dir

    def load_data(self, num_proc: int | None = None, *, timer: TimingStack | None = None, **kwargs: Any) -> None:
        if self.data_loaded:
            return
        from datasets import Dataset

        from xir_bench.data.sources import data_root

        if data_root(self.data_dir) is None:
            self._load_pooled_from_hub(num_proc)
            return
        timer = timer or TimingStack()
        self.dataset = {}
        split_name = self.metadata.eval_splits[0]
        card = self.task_card
        with timer("Data loading", log_message=f"Loading {card.title} from local files..."):
            for subset in self.hf_subsets:
                lang = ISO3_TO_1[subset]
                # a query without a positive judgment cannot be scored; MIRACL's evaluation drops it
                topics, qrels, dropped = miracl.judged_topics(card, lang, self.data_dir)
                if dropped:
                    logger.warning(
                        "%s %s: %d queries without a positive judgment are left out", card.title, lang, dropped
                    )
                ids, titles, texts = [], [], []
                for docid, title, text in miracl.corpus_rows(card, lang, self.data_dir):
                    ids.append(docid)
                    titles.append(title)
                    texts.append(text)
                split = {
                    "queries": Dataset.from_dict({"id": list(topics), "text": list(topics.values())}),
                    "corpus": Dataset.from_dict({"id": ids, "title": titles, "text": texts}),
                    "relevant_docs": qrels,
                    "top_ranked": None,
                }
                self.dataset[subset] = {split_name: split}
        self.data_loaded = True

    def _load_pooled_from_hub(self, num_proc: int | None) -> None:
        """The pooled corpus of the card's mteb task, loaded by mteb's own retrieval loader (needs a network)."""
        from mteb.abstasks.retrieval_dataset_loaders import RetrievalDatasetLoader
        from mteb.get_tasks import get_task

        card = self.task_card
        if card.mteb_pooled_task is None:
            raise XirBenchError(f"{card.title} needs its data folder (no pooled corpus on the hub)\n  fix: --data-dir")
        source = get_task(card.mteb_pooled_task).metadata.dataset
        split = self.metadata.eval_splits[0]
        self.dataset = {
            subset: {
                split: RetrievalDatasetLoader(
                    hf_repo=source["path"], revision=source["revision"], split=split, config=ISO3_TO_1[subset]
                ).load(num_proc=num_proc)
            }
            for subset in self.hf_subsets
        }
        self.data_loaded = True
