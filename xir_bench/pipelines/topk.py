"""A top-k task end to end: topics/qrels -> streamed corpus encoding -> top-k search -> measures.

A top-k card (MIRACL: monolingual passage retrieval over Wikipedia, one corpus per
language, up to 32.9M passages) is searched, not ranked in full: the corpus is encoded
chunk by chunk to disk (:mod:`xir_bench.topk.store`, resumable), searched exactly for
small corpora and with faiss past ``exact_limit`` passages (:mod:`xir_bench.topk.search`),
and scored with graded qrels as trec_eval does (the test suite checks against
pytrec_eval). Everything task-specific comes from the card: its files
(:mod:`xir_bench.data.miracl` reads the anserini layout), languages, split, main score and
the name its results are filed under (MIRACL's: ``XirMIRACL``, ``dev``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xir_bench.cards import TaskCard
from xir_bench.core.languages import iso3, mteb_language
from xir_bench.core.metrics import Judged, measures_for, per_query_scores
from xir_bench.data import miracl
from xir_bench.errors import XirBenchError
from xir_bench.models.embedding_cache import namespace
from xir_bench.models.encoding import TextEncoder, backend_of, encode_texts
from xir_bench.models.kind import LoadedModel
from xir_bench.pipelines.options import RunOptions, SearchOptions, TaskOutcome
from xir_bench.results.store import model_folder, read_result, write_model_meta, write_result
from xir_bench.storage.staging import scratch_folder, sweep
from xir_bench.topk.search import Hits, exact_search, faiss_search
from xir_bench.topk.store import CorpusStore, encode_corpus

if TYPE_CHECKING:
    from xir_bench.models.lexical import BM25Model


def same(value: Any) -> Any:
    """``partial(same, x)``: a picklable callable returning ``x`` (a row source for Ray workers)."""
    return value


def hits_frame(subset: str, query_ids: list[str], hits: Hits, qrels: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Per-query scores of one language's subset: every top-k measure of :data:`~xir_bench.core.metrics.MEASURES`.

    Graded as trec_eval does: a judged passage's gain is its grade, and judged relevant
    passages outside the top k still count in recall and in the ideal nDCG."""
    rank_rows, gain_rows = [], []
    for qid, ranked in zip(query_ids, hits.ids, strict=True):
        if len(set(ranked)) != len(ranked):  # a passage counted twice would push nDCG past 1
            twice = next(doc for doc in ranked if ranked.count(doc) > 1)
            raise XirBenchError(
                f"{subset}: docid {twice!r} is in the corpus more than once (it was ranked twice for "
                f"query {qid}); scores would count it twice\n  fix: remove the duplicate corpus lines"
            )
        position = {doc: rank for rank, doc in enumerate(ranked, 1)}
        relevant = [(doc, grade) for doc, grade in qrels[qid].items() if grade > 0]
        rank_rows.append([float(position.get(doc, np.inf)) for doc, _ in relevant])
        gain_rows.append([float(grade) for _, grade in relevant])
    judged = Judged.from_rows(rank_rows, gain_rows)
    return pd.DataFrame({"subset": subset, "query_id": list(query_ids), **per_query_scores(judged, "topk")})


@dataclass(kw_only=True)
class TopkOptions(SearchOptions):
    """How to run a top-k task (``xir-bench run --task miracl``): what to run, and how to search."""

    card: TaskCard
    languages: list[str]
    data_dir: str | Path | None
    output: Path
    cache_dir: Path | None
    overwrite: bool = False
    progress: bool = True


def dense_searcher(
    encoder: TextEncoder, options: TopkOptions, make_encoder: Callable[[], TextEncoder] | None = None
) -> Callable[[str, dict[str, str]], Hits]:
    """Encode the language's corpus into a resumable store (on Ray when ``workers > 1``), then search it.

    ``make_encoder`` builds the encoder on Ray workers (picklable, e.g. a ``partial``).
    """

    def search(lang: str, topics: dict[str, str]) -> Hits:
        if options.cache_dir is not None:
            return search_in(options.cache_dir / "corpora", lang, topics)
        # --no-cache: the embeddings live in a temporary folder for this search only
        with scratch_folder("corpus", within=options.output) as scratch:
            return search_in(Path(scratch), lang, topics)

    def search_in(root: Path, lang: str, topics: dict[str, str]) -> Hits:
        passages = namespace(encoder.name, encoder.revision, encoder.prefix("passage"), backend_of(encoder))
        store = CorpusStore(root / passages / lang)
        source = miracl.corpus_source(options.card, lang, options.data_dir)
        if options.workers > 1:
            from xir_bench.topk.distributed import encode_corpus_distributed

            if make_encoder is None:
                raise XirBenchError("distributed encoding needs an encoder factory to run on the workers")
            local = miracl.local_chunks(options.card, lang, options.data_dir, options.chunk_size)
            encode_corpus_distributed(
                # a local file: each worker seeks to its own chunks; else each reads the stream
                partial(same, local)
                if local is not None
                else partial(miracl.corpus_rows, options.card, lang, options.data_dir),
                make_encoder,
                store,
                source,
                options.chunk_size,
                options.workers,
                options.ray_address,
                encoder=encoder,
            )
        else:
            encode_corpus(
                miracl.corpus_rows(options.card, lang, options.data_dir),
                encoder,
                store,
                source=source,
                chunk_size=options.chunk_size,
                total=miracl.count_passages(options.card, lang, options.data_dir) if options.progress else None,
                progress=options.progress,
            )
        queries = encode_texts(encoder, list(topics.values()), "query", options.cache_dir, progress=False)
        cosine = encoder.similarity == "cosine"
        if store.size() <= options.exact_limit:
            return exact_search(queries, store, options.k, cosine, options.progress)
        return faiss_search(queries, store, options.k, options.faiss_factory, cosine, nprobe=options.nprobe)

    return search


def lexical_searcher(model: BM25Model, options: TopkOptions) -> Callable[[str, dict[str, str]], Hits]:
    """A lexical model's index over the language's corpus, held in memory (for local, modest corpora)."""

    def search(lang: str, topics: dict[str, str]) -> Hits:
        ids, texts, seen = [], [], set()
        for docid, title, text in miracl.corpus_rows(options.card, lang, options.data_dir):
            if docid in seen:
                raise XirBenchError(
                    f"{options.card.title} {lang}: docid {docid!r} is in the corpus twice\n  fix: remove one"
                )
            seen.add(docid)
            ids.append(docid)
            texts.append(miracl.passage_text(title, text))
        if not ids:
            raise XirBenchError(f"{options.card.title} {lang}: the corpus has no passages; nothing to search")
        index = model.index(texts, [lang] * len(texts))
        rows, scores = index.top(model.analyse(list(topics.values()), [lang] * len(topics)), options.k)
        return Hits([[ids[r] for r in row] for row in rows], scores)

    return search


def run_topk(card: TaskCard, model: LoadedModel, run: RunOptions, search: SearchOptions) -> TaskOutcome:
    """Evaluate ``model`` on the top-k task of ``card``: its languages searched, scored, written."""
    if model.reference:
        raise XirBenchError(f"--model {model.spec} gives the parallel tasks' reference row; {card.title} has none")
    options = TopkOptions(
        card=card,
        languages=run.languages or list(card.languages),
        data_dir=run.data_dir,
        output=run.output,
        cache_dir=run.cache_dir,
        overwrite=run.overwrite,
        progress=run.progress,
        **vars(search),
    )
    if model.encoder is not None:
        searcher = dense_searcher(model.encoder, options, model.make_encoder)
    else:
        assert model.lexical is not None  # the third style, the reference, was refused above
        searcher = lexical_searcher(model.lexical, options)
    path, means, reused = _search_and_score(card, model, searcher, options)
    return TaskOutcome(card.name, model.name, path, {"mono": means}, reused)


def _search_and_score(
    card: TaskCard, model: LoadedModel, searcher: Callable[[str, dict[str, str]], Hits], options: TopkOptions
) -> tuple[Path, dict[str, float], bool]:
    """Evaluate the languages; reuse a stored result that has them all. Returns (path, means, reused)."""
    unknown = [lang for lang in options.languages if lang not in card.languages]
    if unknown:
        raise XirBenchError(f"{card.title} has no language {unknown}; its languages: {', '.join(card.languages)}")
    folder = model_folder(options.output, model.name, model.revision)
    sweep(folder)  # what a killed writer left here, before anything reads the folder
    stored = None if options.overwrite else read_result(folder, card.mteb_name)
    wanted = [iso3(lang) for lang in options.languages]  # subsets are ISO 639-3 codes, as in every task
    if stored is not None and set(wanted) <= set(stored.subsets()):
        subsets = stored.subsets()
        return folder / f"{card.mteb_name}.json", _means([subsets[subset] for subset in wanted]), True
    started = time.perf_counter()
    frames, entries = [], []
    for lang in options.languages:
        topics, qrels, _ = miracl.judged_topics(card, lang, options.data_dir)
        if not topics:
            raise XirBenchError(
                f"{card.title} {lang}: no query has a passage judged relevant (grade > 0) in the qrels, so there "
                "is nothing to score\n  fix: check the qrels file is this language's qrels (4th column: grade)"
            )
        frame = hits_frame(iso3(lang), list(topics), searcher(lang, topics), qrels)
        frames.append(frame)
        means = frame.drop(columns=["subset", "query_id"]).mean()
        entries.append(
            {
                "hf_subset": iso3(lang),
                "languages": [mteb_language(lang)],
                **{name: float(value) for name, value in means.items()},
                "n_queries": len(frame),
                "main_score": float(means[card.main_score]),
            }
        )
    per_query = pd.concat(frames, ignore_index=True)
    elapsed = time.perf_counter() - started
    path = write_result(
        folder,
        card.mteb_name,
        card.source.revision,
        entries,
        per_query,
        elapsed,
        card.split,
        replace=options.overwrite,
    )
    write_model_meta(folder, model.model_meta(), model.record)
    return path, _means(entries), False


def _means(entries: list[dict[str, Any]]) -> dict[str, float]:
    return {m.name: float(np.mean([e[m.name] for e in entries])) for m in measures_for("topk")}
