"""The BM25 baselines (bm25s), with a tokenizer that copes with unspaced scripts.

``\\w+`` tokens are lower-cased (NFKC, casefold); runs of Chinese, Japanese, Thai, Lao,
Khmer or Myanmar characters, written without spaces, become character bigrams. BM25's IDF
depends on the pool, so every language pool and the multilingual pool get their own index.

``bm25`` stops there. ``bm25-snowball`` also drops each language's stopwords (bm25s's
lists) and stems with its Snowball stemmer (PyStemmer), as mteb's bm25s baseline does:
every text is analysed in its own language, so the multilingual pool mixes stems of
several languages. Languages without a stemmer or a list keep their plain tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
import torch

from xir_bench.core.collection import ParallelCollection
from xir_bench.core.ranking import Pool, language_segments
from xir_bench.errors import XirBenchError

_WORD = re.compile(r"\w+")
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)


#: Snowball stemmers (PyStemmer) and bm25s stopword lists by ISO 639-1 code.
SNOWBALL = {
    "ar": "arabic",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "hi": "hindi",
    "id": "indonesian",
    "fa": "persian",
    "fi": "finnish",
    "ru": "russian",
    "tr": "turkish",
}
STOPWORD_LISTS = {
    "en": "STOPWORDS_EN",
    "de": "STOPWORDS_GERMAN",
    "es": "STOPWORDS_SPANISH",
    "fr": "STOPWORDS_FRENCH",
    "ru": "STOPWORDS_RUSSIAN",
    "tr": "STOPWORDS_TURKISH",
}


class SnowballAnalyzer:
    """Stopword removal and Snowball stemming for one language (identity where it has neither)."""

    def __init__(self, lang: str) -> None:
        import bm25s.stopwords

        self.stopwords = (
            frozenset(getattr(bm25s.stopwords, STOPWORD_LISTS[lang], ())) if lang in STOPWORD_LISTS else frozenset()
        )
        self.stemmer = None
        if lang in SNOWBALL:
            try:
                import Stemmer
            except ImportError as err:
                raise XirBenchError("bm25-snowball needs PyStemmer; fix: pip install PyStemmer") from err
            self.stemmer = Stemmer.Stemmer(SNOWBALL[lang])

    def __call__(self, tokens: list[str]) -> list[str]:
        kept = [t for t in tokens if t not in self.stopwords]
        stems = self.stemmer.stemWords(kept) if self.stemmer is not None else kept
        return [t for t in stems if t]  # a stemmer can reduce a word to nothing (Arabic affixes)


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


def analyzer(lang: str, snowball: bool) -> Callable[[str], list[str]]:
    """Text -> tokens for one language: :func:`tokenize`, then stopwords and stems if ``snowball``."""
    if not snowball:
        return tokenize
    filter_and_stem = SnowballAnalyzer(lang)
    return lambda text: filter_and_stem(tokenize(text))


class BM25Index:
    """BM25 over one pool of texts: its IDF is the pool's, so every pool gets its own index."""

    def __init__(self, model: BM25Model, texts: Sequence[str], langs: Sequence[str]) -> None:
        self.model = model
        tokens = [tokens or ["<empty>"] for tokens in model.analyse(texts, langs)]
        self.index = bm25s.BM25(k1=model.k1, b=model.b)
        self.index.index(tokens, show_progress=False)
        self.size = len(tokens)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """The query's score against every text of the pool (0 for a query of unknown words)."""
        vocab = self.index.vocab_dict
        known = [t for t in query_tokens if t in vocab]
        return np.asarray(self.index.get_scores(known), dtype=np.float32) if known else np.zeros(self.size, np.float32)

    def top(self, queries: list[list[str]], k: int) -> tuple[list[list[int]], np.ndarray]:
        """The ``k`` best texts of each query (positions in the pool) and their scores, by bm25s."""
        queries = [tokens or ["<empty>"] for tokens in queries]
        rows, scores = self.index.retrieve(queries, k=min(k, self.size), show_progress=False, n_threads=1)
        return rows.tolist(), np.asarray(scores)


@dataclass(frozen=True)
class BM25Model:
    """A lexical model: how a text of a language becomes tokens, and BM25's parameters.

    Whatever searches with it (the parallel tasks' pools, a top-k corpus, mteb's search
    protocol) builds a :class:`BM25Index` over its own pool, so all of them agree."""

    name: str
    revision: str
    snowball: bool = False
    k1: float = 1.5
    b: float = 0.75

    def analyse(self, texts: Sequence[str], langs: Sequence[str]) -> list[list[str]]:
        """Each text's tokens, analysed in its own language."""
        analyzers: dict[str, Callable[[str], list[str]]] = {}
        out = []
        for text, lang in zip(texts, langs, strict=True):
            if lang not in analyzers:
                analyzers[lang] = analyzer(lang, self.snowball)
            out.append(analyzers[lang](text))
        return out

    def index(self, texts: Sequence[str], langs: Sequence[str]) -> BM25Index:
        return BM25Index(self, texts, langs)


#: The built-in lexical baselines, by spec.
BM25 = BM25Model("bm25", f"bm25s-{bm25s.__version__}")
SNOWBALL_BM25 = BM25Model("bm25-snowball", f"bm25s-{bm25s.__version__}-snowball", snowball=True)
BASELINES = {model.name: model for model in (BM25, SNOWBALL_BM25)}


class BM25Scorer:
    """A lexical model's scores against each language pool and against the multilingual pool."""

    def __init__(self, model: BM25Model, collection: ParallelCollection) -> None:
        langs = collection.languages
        self.query_tokens = model.analyse(collection.query_texts, [langs[int(i)] for i in collection.query_langs])
        candidate_langs = [langs[int(i)] for i in collection.candidate_langs]
        segments = language_segments(collection.candidate_langs)
        self._pools: list[Pool] = []
        self._indexes: dict[str, BM25Index] = {}
        for start, end in segments:
            pool = Pool(
                candidate_langs[start], np.arange(start, end), ((0, end - start),), False, segments_are_pools=False
            )
            self._add(pool, model.index(collection.candidate_texts[start:end], candidate_langs[start:end]))
        everything = Pool("all", np.arange(collection.n_candidates), segments, True, segments_are_pools=False)
        self._add(everything, model.index(collection.candidate_texts, candidate_langs))

    def _add(self, pool: Pool, index: BM25Index) -> None:
        self._pools.append(pool)
        self._indexes[pool.name] = index

    def pools(self) -> list[Pool]:
        return self._pools

    def score(self, queries: np.ndarray, pool: Pool) -> torch.Tensor:
        index = self._indexes[pool.name]
        rows = np.zeros((len(queries), index.size), dtype=np.float32)
        for row, query in enumerate(queries):
            rows[row] = index.scores(self.query_tokens[query])
        return torch.from_numpy(rows)
