"""The checks of mteb's own task tests, applied to the plugin's tasks.

mteb checks every task it ships in ``tests/test_tasks/test_metadata.py`` (metadata valid and
filled, descriptive statistics present), ``tests/test_validate_metadata/test_citation_formatting.py``
(BibTeX in the form its ``BibTexWriter`` settings write) and ``tests/test_get_tasks.py``
(no paper cited under two keys). The same checks, written here against mteb's public API,
run on every task xir-bench registers, beside mteb's own tasks for the citation keys.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

import mteb
import pytest
from mteb.abstasks import AbsTask

from xir_bench.mteb_plugin.tasks import register, task_classes

bibtexparser = pytest.importorskip("bibtexparser")
register()
PLUGIN_TASKS = [cls() for cls in task_classes()]


def canonical_bibtex(text: str) -> str | None:
    """``text`` as mteb's citation test writes it: its parser and writer settings."""
    from bibtexparser.bwriter import BibTexWriter

    parser = bibtexparser.bparser.BibTexParser(
        common_strings=True, ignore_nonstandard_types=False, interpolate_strings=False
    )
    database = bibtexparser.loads(text, parser)
    if not database.entries:
        return None
    writer = BibTexWriter()
    writer.indent = "  "
    writer.comma_first = False
    writer.add_trailing_comma = True
    return writer.write(database).strip()


@pytest.mark.parametrize("task", PLUGIN_TASKS, ids=lambda task: task.metadata.name)
def test_metadata_is_filled_and_valid(task: AbsTask) -> None:
    task.metadata._validate_metadata()
    assert task.metadata.is_filled(), f"metadata of {task.metadata.name} is not filled"
    assert task.metadata.dataset.get("trust_remote_code", False) is False
    assert isinstance(task.metadata.simplified_task_type, str)
    assert task.metadata.descriptive_stats is not None, f"{task.metadata.name} has no descriptive statistics"
    assert task.metadata.n_samples is not None
    # the statistics describe this task's own subsets and split, not an older naming
    stats = task.metadata.descriptive_stats
    assert set(stats) == set(task.metadata.eval_splits)
    assert set(stats[task.metadata.eval_splits[0]]["hf_subset_descriptive_stats"]) == set(task.metadata.eval_langs)


@pytest.mark.parametrize("task", PLUGIN_TASKS, ids=lambda task: task.metadata.name)
def test_bibtex_is_in_mtebs_canonical_form(task: AbsTask) -> None:
    citation = task.metadata.bibtex_citation.strip()
    assert canonical_bibtex(citation) == citation, f"BibTeX of {task.metadata.name} is not in mteb's form"


def _normalised(title: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", re.sub(r"\s+", " ", title.replace("{", "").replace("}", "")).lower()).strip()


def _entries(citation: str | None) -> list[tuple[str, str]]:
    if not citation:
        return []
    parser = bibtexparser.bparser.BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    return [(entry["ID"], entry.get("title", "")) for entry in bibtexparser.loads(citation, parser).entries]


@pytest.mark.slow  # parses the citations of mteb's 3,700 tasks: about 40 s
def test_no_paper_is_cited_under_two_keys() -> None:
    """A paper the plugin cites has mteb's key for it, and no title is a near-copy of another's."""
    by_title: dict[str, set[str]] = defaultdict(set)
    for task in mteb.get_tasks(exclude_superseded=False):
        for key, title in _entries(task.metadata.bibtex_citation):
            by_title[_normalised(title)].add(key)
    ours = {
        (key, _normalised(title)) for task in PLUGIN_TASKS for key, title in _entries(task.metadata.bibtex_citation)
    }
    assert ours, "the plugin's tasks cite nothing"
    for key, title in sorted(ours):
        assert by_title[title] == {key}, f"{title!r} is cited as {sorted(by_title[title])}"
        close = difflib.get_close_matches(title, set(by_title) - {title}, n=1, cutoff=0.9)
        assert not close, f"{title!r} is nearly {close[0]!r}, cited as {sorted(by_title[close[0]])}"


def test_the_plugins_citations_name_mtebs_keys() -> None:
    keys = {key for task in PLUGIN_TASKS for key, _ in _entries(task.metadata.bibtex_citation)}
    assert {"10.1162/tacl_a_00595", "lewis2019mlqa", "Artetxe:etal:2019", "roy-etal-2020-lareqa"} <= keys
