"""XQuAD-R's domain map covers exactly the data's articles; a bad map is a clear error."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from xir_bench.cards import get_task_card
from xir_bench.data.domains import article_domains
from xir_bench.data.tasks import load_task
from xir_bench.errors import XirBenchError


@pytest.mark.realdata
def test_xquad_r_map_covers_the_datas_48_articles(shared_data: Path) -> None:
    domains = article_domains(get_task_card("xquad-r"))
    assert domains is not None
    collection = load_task("xquad-r", ["en", "th"], shared_data)
    assert set(domains.articles) == set(collection.group_slices["article"])
    assert len(domains.articles) == 48
    per_domain = Counter(domains.articles.values())
    assert set(per_domain) == set(domains.domains) and min(per_domain.values()) >= 3
    assert "law-politics" in domains.domains and per_domain["law-politics"] >= 5


def test_mlqa_r_has_no_domain_map() -> None:
    assert article_domains(get_task_card("mlqa-r")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[domains]\nlaw = 'Law'\n[articles]\nA = 'sport'\n", "undeclared domains ['sport']"),
        ("[domains]\nlaw = 'Law'\n[articles]\nA = \n", "not valid TOML"),
        ("[domains]\nlaw = 'Law'\n", "articles"),
    ],
)
def test_a_bad_map_names_its_file_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    from xir_bench.cards import EXTRA_TASKS_ENV

    card_text = (Path(__file__).parents[2] / "tasks" / "xquad-r.toml").read_text(encoding="utf-8")
    card_text = card_text.replace('name = "xquad-r"', 'name = "xquad-r-copy"').replace(
        'mteb_name = "XQuADR"', 'mteb_name = "XQuADRCopy"'
    )
    (tmp_path / "copy.toml").write_text(card_text, encoding="utf-8")
    (tmp_path / "domains").mkdir()
    (tmp_path / "domains" / "xquad-r.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(EXTRA_TASKS_ENV, str(tmp_path))
    with pytest.raises(XirBenchError, match=re.escape(expected)) as caught:
        article_domains(get_task_card("xquad-r-copy"))
    assert str(tmp_path / "domains" / "xquad-r.toml") in str(caught.value)
