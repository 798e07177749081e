"""The pool facts a task card states (``[pool]``) are the data's: recomputed here, not believed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from xir_bench.cards import get_task_card
from xir_bench.data.tasks import load_task


@pytest.mark.realdata
@pytest.mark.parametrize("task", ["xquad-r", "mlqa-r"])
def test_pool_properties_are_the_datas(task: str, shared_data: Path) -> None:
    pool = get_task_card(task).pool
    assert pool is not None
    collection = load_task(task, None, shared_data)
    texts = collection.candidate_texts
    assert pool.candidates == len(texts)
    one_character: dict[str, list[str]] = {}
    for text, candidate_id in zip(texts, collection.candidate_ids, strict=True):
        if len(text.strip()) <= 1:
            one_character.setdefault(candidate_id.split("/", 1)[0], []).append(text)
    assert pool.one_character == one_character
    repeated = {text: n for text, n in Counter(texts).items() if n > 1}
    assert (pool.repeated_texts, pool.repeated_candidates) == (len(repeated), sum(repeated.values()))


def test_the_pool_sentence_counts_what_the_card_lists() -> None:
    sentence = get_task_card("xquad-r").pool.sentence()
    assert "5 of its 13014 candidates are one character long" in sentence
    assert "zh '德', '德', '德'" in sentence
