"""The languages of a parallel task must have questions, and share them pairwise.

A cross-lingual setting X -> Y scores the X questions whose translation has an answer in
Y's pool; two language files with no question id in common give that setting no query at
all (it ended in ``KeyError: 'deu-eng'`` deep in the scoring). Files that are not
translations of each other are said to be so, naming both.
"""

from __future__ import annotations

from pathlib import Path

from xir_bench.errors import DataFormatError


def check_question_coverage(files: dict[str, Path], question_ids: dict[str, set[str]]) -> None:
    """Every language has a usable question, and every two languages share at least one."""
    for lang, ids in question_ids.items():
        if not ids:
            raise DataFormatError(
                files[lang],
                "whole file",
                f"no usable question in {lang} (each answer must start inside a sentence break)",
                "check that the file is this task's, in the LAReQA release, or leave the language out with --languages",
            )
    languages = list(question_ids)
    for i, first in enumerate(languages):
        for second in languages[i + 1 :]:
            if not question_ids[first] & question_ids[second]:
                raise DataFormatError(
                    files[second],
                    "whole file",
                    f"no question id in common with {files[first]} ({first}), so the {first}-{second} settings "
                    "would have no query",
                    "parallel files share the ids of translated questions (qas[].id); check that both are this "
                    "task's, or leave one language out with --languages",
                )
