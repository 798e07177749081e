"""The lexical baselines' analysis: plain tokens, and stopwords + Snowball stems per language."""

from __future__ import annotations

import pytest

from xir_bench.models.lexical import SnowballAnalyzer, tokenize


def test_plain_tokens_and_unspaced_scripts() -> None:
    assert tokenize("The Rivers' flow, ＦＵＬＬ") == ["the", "rivers", "flow", "full"]
    assert tokenize("北京大学") == ["北京", "京大", "大学"]


def test_snowball_drops_stopwords_and_stems() -> None:
    pytest.importorskip("Stemmer", reason="PyStemmer not installed")
    english = SnowballAnalyzer("en")
    assert english(tokenize("The runners running in the rivers")) == ["runner", "run", "river"]
    assert SnowballAnalyzer("de")(tokenize("Die Häuser und die Gärten")) == ["haus", "gart"]
    assert SnowballAnalyzer("th")(["ประเทศ"]) == ["ประเทศ"]  # no stemmer, no list: tokens kept


def test_no_empty_tokens_reach_the_index() -> None:
    pytest.importorskip("Stemmer", reason="PyStemmer not installed")
    for lang in ("ar", "de", "el", "en", "es", "hi", "ru", "tr"):
        words = tokenize("a an the و ال في и в на ve bir καὶ και और का de la el")
        assert all(SnowballAnalyzer(lang)(words)), lang
