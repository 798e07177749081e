"""MIRACL end to end: topics/qrels -> streamed corpus encoding -> top-k search -> nDCG@10, R@100.

MIRACL is monolingual passage retrieval over Wikipedia (one corpus per language, up to
32.9M passages), so unlike the parallel tasks it is a top-k search: the corpus is
encoded chunk by chunk to disk (:mod:`xir_bench.topk.store`, resumable), searched
exactly for small corpora and with faiss past ``exact_limit`` passages
(:mod:`xir_bench.topk.search`), and scored with graded qrels as trec_eval does (the test
suite checks against pytrec_eval). Results are written like every other task, under
mteb's name ``XirMIRACL`` with the ``dev`` split and one subset per language.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xir_bench.core.languages import iso3, mteb_language
from xir_bench.core.metrics import Judged, measures_for, per_query_scores
from xir_bench.data import miracl
from xir_bench.errors import XirBenchError
from xir_bench.models.embedding_cache import namespace
from xir_bench.models.encoding import TextEncoder, backend_of, encode_texts
from xir_bench.results.store import model_folder, read_result, write_model_meta, write_result
from xir_bench.storage.staging import scratch_folder, sweep
from xir_bench.topk.search import Hits, exact_search, faiss_search
from xir_bench.topk.store import CorpusStore, encode_corpus


def same(value: Any) -> Any:
    """``partial(same, x)``: a picklable callable returning ``x`` (a row source for Ray workers)."""
    return value


TASK_NAME = miracl.CARD.mteb_name
SPLIT = miracl.CARD.split
MAIN_SCORE = miracl.CARD.main_score
DATASET_REVISION = miracl.CARD.source.revision


def hits_frame(subset: str, query_ids: list[str], hits: Hits, qrels: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Per-query scores of one language's subset: every top-k measure of :data:`~xir_bench.core.metrics.MEASURES`.

    Graded as trec_eval does: a judged passage's gain is its grade, and judged relevant
    passages outside the top k still count in recall and in the ideal nDCG."""
    rank_rows, gain_rows = [], []
    for qid, ranked in zip(query_ids, hits.ids, strict=True):
        if len(set(ranked)) != len(ranked):  # a passage counted twice would push nDCG past 1
            twice = next(doc for doc in ranked if ranked.count(doc) > 1)
            raise XirBenchError(
                f"MIRACL {subset}: docid {twice!r} is in the corpus more than once (it was ranked twice for "
                f"query {qid}); scores would count it twice\n  fix: remove the duplicate corpus lines"
            )
        position = {doc: rank for rank, doc in enumerate(ranked, 1)}
        relevant = [(doc, grade) for doc, grade in qrels[qid].items() if grade > 0]
        rank_rows.append([float(position.get(doc, np.inf)) for doc, _ in relevant])
        gain_rows.append([float(grade) for _, grade in relevant])
    width = max((len(row) for row in rank_rows), default=1)
    judged = Judged(
        np.array([row + [np.inf] * (width - len(row)) for row in rank_rows], dtype=np.float64).reshape(-1, width),
        np.array([row + [0.0] * (width - len(row)) for row in gain_rows], dtype=np.float64).reshape(-1, width),
    )
    return pd.DataFrame({"subset": subset, "query_id": list(query_ids), **per_query_scores(judged, "topk")})


@dataclass
class SearchOptions:
    """How a top-k task searches (``xir-bench run``'s MIRACL options)."""

    chunk_size: int = 50_000
    exact_limit: int = 1_000_000
    faiss_factory: str = "IVF4096,Flat"
    nprobe: int = 64
    k: int = 100
    workers: int = 1
    ray_address: str | None = None


@dataclass(kw_only=True)
class MiraclOptions(SearchOptions):
    """How to run MIRACL (``xir-bench run --task miracl``): what to run, and how to search."""

    languages: list[str]
    data_dir: str | Path | None
    output: Path
    cache_dir: Path | None
    overwrite: bool = False
    progress: bool = True


def dense_searcher(
    encoder: TextEncoder, options: MiraclOptions, make_encoder: Callable[[], TextEncoder] | None = None
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
        source = miracl.corpus_source(lang, options.data_dir)
        if options.workers > 1:
            from xir_bench.topk.distributed import encode_corpus_distributed

            if make_encoder is None:
                raise XirBenchError("distributed encoding needs an encoder factory to run on the workers")
            local = miracl.local_chunks(lang, options.data_dir, options.chunk_size)
            encode_corpus_distributed(
                # a local file: each worker seeks to its own chunks; else each reads the stream
                partial(same, local) if local is not None else partial(miracl.corpus_rows, lang, options.data_dir),
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
                miracl.corpus_rows(lang, options.data_dir),
                encoder,
                store,
                source=source,
                chunk_size=options.chunk_size,
                total=miracl.count_passages(lang, options.data_dir) if options.progress else None,
                progress=options.progress,
            )
        queries = encode_texts(encoder, list(topics.values()), "query", options.cache_dir, progress=False)
        cosine = encoder.similarity == "cosine"
        if store.size() <= options.exact_limit:
            return exact_search(queries, store, options.k, cosine, options.progress)
        return faiss_search(queries, store, options.k, options.faiss_factory, cosine, nprobe=options.nprobe)

    return search


def bm25_searcher(options: MiraclOptions, snowball: bool = False) -> Callable[[str, dict[str, str]], Hits]:
    """bm25s over the language's corpus, held in memory (for local, modest corpora).

    ``snowball``: stopwords dropped and tokens stemmed in the language (``bm25-snowball``).
    """
    import bm25s

    from xir_bench.models.lexical import analyzer

    def search(lang: str, topics: dict[str, str]) -> Hits:
        tokenize = analyzer(lang, snowball)
        ids, tokens, seen = [], [], set()
        for docid, title, text in miracl.corpus_rows(lang, options.data_dir):
            if docid in seen:
                raise XirBenchError(f"MIRACL {lang}: docid {docid!r} is in the corpus twice\n  fix: remove one")
            seen.add(docid)
            ids.append(docid)
            tokens.append(tokenize(miracl.passage_text(title, text)) or ["<empty>"])
        if not ids:
            raise XirBenchError(f"MIRACL {lang}: the corpus has no passages; nothing to search")
        index = bm25s.BM25()
        index.index(tokens, show_progress=False)
        k = min(options.k, len(ids))
        queries = [tokenize(t) or ["<empty>"] for t in topics.values()]
        rows, scores = index.retrieve(queries, k=k, show_progress=False, n_threads=1)
        return Hits([[ids[r] for r in row] for row in rows.tolist()], np.asarray(scores))

    return search


def run_miracl(
    model_name: str,
    revision: str,
    searcher: Callable[[str, dict[str, str]], Hits],
    options: MiraclOptions,
    meta: dict[str, Any] | None = None,
) -> tuple[Path, dict[str, float], bool]:
    """Evaluate the languages; reuse a stored result that has them all. Returns (path, means, reused)."""
    unknown = [lang for lang in options.languages if lang not in miracl.LANGUAGES]
    if unknown:
        raise XirBenchError(f"MIRACL has no language {unknown}; its languages: {', '.join(miracl.LANGUAGES)}")
    folder = model_folder(options.output, model_name, revision)
    sweep(folder)  # what a killed writer left here, before anything reads the folder
    stored = None if options.overwrite else read_result(folder, TASK_NAME)
    wanted = [iso3(lang) for lang in options.languages]  # subsets are ISO 639-3 codes, as in every task
    if stored is not None and set(wanted) <= set(stored.subsets()):
        subsets = stored.subsets()
        return folder / f"{TASK_NAME}.json", _means([subsets[subset] for subset in wanted]), True
    started = time.perf_counter()
    frames, entries = [], []
    for lang in options.languages:
        topics, qrels, _ = miracl.judged_topics(lang, options.data_dir)
        if not topics:
            raise XirBenchError(
                f"MIRACL {lang}: no query has a passage judged relevant (grade > 0) in the qrels, so there is "
                "nothing to score\n  fix: check the qrels file is this language's dev qrels (4th column: grade)"
            )
        hits = searcher(lang, topics)
        frame = hits_frame(iso3(lang), list(topics), hits, qrels)
        frames.append(frame)
        means = frame.drop(columns=["subset", "query_id"]).mean()
        entries.append(
            {
                "hf_subset": iso3(lang),
                "languages": [mteb_language(lang)],
                **{name: float(value) for name, value in means.items()},
                "n_queries": len(frame),
                "main_score": float(means[MAIN_SCORE]),
            }
        )
    per_query = pd.concat(frames, ignore_index=True)
    elapsed = time.perf_counter() - started
    path = write_result(
        folder, TASK_NAME, DATASET_REVISION, entries, per_query, elapsed, SPLIT,
        replace=options.overwrite,
    )  # fmt: skip
    write_model_meta(folder, model_name, revision, dict(meta or {}))
    return path, _means(entries), False


def _means(entries: list[dict[str, Any]]) -> dict[str, float]:
    return {m.name: float(np.mean([e[m.name] for e in entries])) for m in measures_for("topk")}
