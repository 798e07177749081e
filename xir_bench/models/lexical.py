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
from collections.abc import Callable

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
    "ar": "arabic", "de": "german", "el": "greek", "en": "english", "es": "spanish", "fr": "french",
    "hi": "hindi", "id": "indonesian", "fa": "persian", "fi": "finnish", "ru": "russian", "tr": "turkish",
}  # fmt: skip
STOPWORD_LISTS = {
    "en": "STOPWORDS_EN", "de": "STOPWORDS_GERMAN", "es": "STOPWORDS_SPANISH", "fr": "STOPWORDS_FRENCH",
    "ru": "STOPWORDS_RUSSIAN", "tr": "STOPWORDS_TURKISH",
}  # fmt: skip


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


def _analysed(texts: tuple[str, ...], langs: np.ndarray, languages: tuple[str, ...], snowball: bool) -> list[list[str]]:
    analyzers = [analyzer(lang, snowball) for lang in languages]
    return [analyzers[int(lang)](text) for text, lang in zip(texts, langs, strict=True)]


class BM25Scorer:
    """BM25 scores against each language pool and against the multilingual pool."""

    name = "bm25"
    revision = f"bm25s-{bm25s.__version__}"
    snowball = False

    def __init__(self, collection: ParallelCollection, k1: float = 1.5, b: float = 0.75) -> None:
        langs = collection.languages
        self.query_tokens = _analysed(collection.query_texts, collection.query_langs, langs, self.snowball)
        candidate_tokens = [
            tokens or ["<empty>"]
            for tokens in _analysed(collection.candidate_texts, collection.candidate_langs, langs, self.snowball)
        ]
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


class SnowballBM25Scorer(BM25Scorer):
    """BM25 over stopword-filtered, Snowball-stemmed tokens (``bm25-snowball``)."""

    name = "bm25-snowball"
    revision = f"bm25s-{bm25s.__version__}-snowball"
    snowball = True
