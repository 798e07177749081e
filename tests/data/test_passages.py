"""Empty passages are counted as a corpus streams past: some are a warning, all an error."""

from __future__ import annotations

import pytest

from xir_bench.data.passages import counting_empty
from xir_bench.errors import XirBenchError


def test_some_empty_passages_are_a_warning_with_their_count() -> None:
    rows = [("a", "", "text"), ("b", " ", "\n"), ("c", "title", "")]
    with pytest.warns(UserWarning, match=r"corpus x: 1 of 3 corpus passages are empty"):
        assert list(counting_empty("corpus x", rows)) == rows


def test_a_corpus_of_empty_passages_is_an_error() -> None:
    with pytest.raises(XirBenchError, match=r"all 2 corpus passages are empty"):
        list(counting_empty("corpus x", [("a", "", ""), ("b", " ", "\t")]))
    assert list(counting_empty("nothing", [])) == []
