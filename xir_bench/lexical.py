"""The BM25 baseline (bm25s), with a tokenizer that copes with unspaced scripts.

``\\w+`` tokens are lower-cased (NFKC, casefold); runs of Chinese, Japanese, Thai, Lao,
Khmer or Myanmar characters, written without spaces, become character bigrams. BM25's IDF
depends on the pool, so every language pool and the multilingual pool get their own index.
"""

from __future__ import annotations

import re
import unicodedata

import bm25s
import numpy as np
import torch

from xir_bench.collection import ParallelCollection
from xir_bench.ranking import Pool, language_segments

_WORD = re.compile(r"\w+")
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; unspaced-script runs as character bigrams."""
    tokens: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFKC", text).casefold()):
        last = 0
        for run in _UNSPACED.finditer(word):
            if run.start() > last:
                tokens.append(word[last : run.start()])
            chars = run.group()
            tokens.extend(chars if len(chars) == 1 else [chars[i : i + 2] for i in range(len(chars) - 1)])
            last = run.end()
        if last < len(word):
            tokens.append(word[last:])
    return tokens


class BM25Scorer:
    """BM25 scores against each language pool and against the multilingual pool."""

    name = "bm25"
    revision = f"bm25s-{bm25s.__version__}"

    def __init__(self, collection: ParallelCollection, k1: float = 1.5, b: float = 0.75) -> None:
        self.query_tokens = [tokenize(t) for t in collection.query_texts]
        candidate_tokens = [tokenize(t) or ["<empty>"] for t in collection.candidate_texts]
        segments = language_segments(collection.candidate_langs)
        self._pools: list[Pool] = []
        self._indexes: dict[str, bm25s.BM25] = {}
        for start, end in segments:
            lang = collection.languages[int(collection.candidate_langs[start])]
            pool = Pool(lang, np.arange(start, end), ((0, end - start),), multilingual=False, segments_are_pools=False)
            self._add(pool, candidate_tokens[start:end], k1, b)
        everything = Pool(
            "all", np.arange(collection.n_candidates), segments, multilingual=True, segments_are_pools=False
        )
        self._add(everything, candidate_tokens, k1, b)

    def _add(self, pool: Pool, tokens: list[list[str]], k1: float, b: float) -> None:
        index = bm25s.BM25(k1=k1, b=b)
        index.index(tokens, show_progress=False)
        self._pools.append(pool)
        self._indexes[pool.name] = index

    def pools(self) -> list[Pool]:
        return self._pools

    def score(self, queries: np.ndarray, pool: Pool) -> torch.Tensor:
        index = self._indexes[pool.name]
        vocab = index.vocab_dict
        rows = np.zeros((len(queries), len(pool.candidates)), dtype=np.float32)
        for row, query in enumerate(queries):
            known = [t for t in self.query_tokens[query] if t in vocab]
            if known:
                rows[row] = index.get_scores(known)
        return torch.from_numpy(rows)
