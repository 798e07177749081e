"""Parse the LAReQA release (SQuAD v1.1 JSON plus ``sentence_breaks``) into a collection.

LAReQA semantics (Roy et al., 2020, section 3.1, and its reference evaluation,
google-research/xtreme ``third_party/utils_lareqa.py``): every sentence of every
paragraph is a candidate, shared by all questions of its paragraph, its text the slice
``context[start:end]`` of its sentence break; a question's answer in a language is the
sentence whose span ``[start, end)`` contains ``answers[0].answer_start``, and every
sentence of the paragraph with that same text (the reference compares strings);
questions that are translations of each other share their ``id`` across the language
files. The release's ``sentences`` field usually equals the slices; where it does not
(one XQuAD-R Turkish paragraph has shifted offsets) a warning names the paragraph, and
``sentence_source="field"`` uses the field instead.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from xir_bench.core.collection import CandidateText, ParallelCollection, SentenceSource
from xir_bench.data.coverage import check_question_coverage
from xir_bench.errors import DataFormatError

#: sentence+context copies a paragraph into each of its sentences; past this many characters
#: per paragraph (a real LAReQA paragraph is a few thousand) the copies would exhaust memory.
MAX_CONTEXT_COPIES = 20_000_000
#: A language with fewer usable questions than this share of the fullest one is named.
THIN_SHARE = 0.1  # MLQA-R has 500 of 1148 in most languages by design; 1 of 1190 is a broken file

_SQUAD_FIX = "use the LAReQA release of the file (SQuAD JSON with per-paragraph sentence_breaks)"


def _load_json(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8-sig") as handle:  # a byte-order mark is not an error
            raw = json.load(handle)
    except RecursionError:
        raise DataFormatError(path, "whole file", "JSON nested too deeply to be a LAReQA file", _SQUAD_FIX) from None
    except json.JSONDecodeError as err:
        raise DataFormatError(
            path,
            f"line {err.lineno}, column {err.colno}",
            f"malformed JSON: {err.msg}",
            "re-download the file; a truncated download is the usual cause",
        ) from err
    except UnicodeDecodeError as err:
        raise DataFormatError(path, f"byte {err.start}", "not UTF-8 text", _SQUAD_FIX) from err
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), list):
        raise DataFormatError(path, "top level", "expected an object with a 'data' list", _SQUAD_FIX)
    return raw


def _expect(condition: bool, path: Path, where: str, problem: str, fix: str = _SQUAD_FIX) -> None:
    if not condition:
        raise DataFormatError(path, where, problem, fix)


def _sentence_spans(paragraph: dict[str, Any], path: Path, where: str) -> list[tuple[int, int]]:
    context = paragraph.get("context")
    _expect(isinstance(context, str), path, where, "paragraph has no 'context' string")
    breaks = paragraph.get("sentence_breaks")
    _expect(breaks is not None, path, where, "paragraph has no 'sentence_breaks'", _SQUAD_FIX)
    _expect(isinstance(breaks, list) and len(breaks) > 0, path, where, "'sentence_breaks' must be a non-empty list")
    spans: list[tuple[int, int]] = []
    for k, span in enumerate(breaks):
        ok = (
            isinstance(span, list | tuple)
            and len(span) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
        )
        _expect(ok, path, f"{where}.sentence_breaks[{k}]", f"expected [start, end] integers, got {span!r}")
        start, end = span
        _expect(
            0 <= start < end <= len(context),
            path,
            f"{where}.sentence_breaks[{k}]",
            f"break [{start}, {end}] out of range for a context of {len(context)} characters",
            "breaks are [start, end) character offsets into 'context'; fix or regenerate them",
        )
        if spans:
            previous = spans[-1]
            _expect(
                start >= previous[1],
                path,
                f"{where}.sentence_breaks[{k}]",
                f"break [{start}, {end}] starts before the previous one [{previous[0]}, {previous[1]}] ends: "
                "breaks must be in order and must not overlap",
                "answer labels follow the breaks' order; fix or regenerate the breaks",
            )
        spans.append((start, end))
    return spans


def _sentence_field(paragraph: dict[str, Any], n_spans: int) -> list[str] | None:
    """The release's ``sentences`` strings when present and one per break, else None."""
    sentences = paragraph.get("sentences")
    if isinstance(sentences, list) and len(sentences) == n_spans and all(isinstance(s, str) for s in sentences):
        return sentences
    return None


def _sentence_texts(
    paragraph: dict[str, Any], spans: list[tuple[int, int]], source: SentenceSource, path: Path, where: str
) -> tuple[list[str], bool]:
    """(candidate sentence texts, whether the ``sentences`` field disagrees with the breaks)."""
    context = paragraph["context"]
    slices = [context[start:end] for start, end in spans]
    field = _sentence_field(paragraph, len(spans))
    disagrees = field is not None and [s.strip() for s in field] != [s.strip() for s in slices]
    if source == "breaks":
        return slices, disagrees
    _expect(
        field is not None,
        path,
        where,
        "no 'sentences' list with one string per sentence break",
        "use the default sentence source (the breaks), or a release with a 'sentences' field",
    )
    return list(field or []), disagrees


def _answer_start(qa: dict[str, Any], path: Path, where: str) -> int:
    answers = qa.get("answers")
    _expect(isinstance(answers, list) and len(answers) > 0, path, where, "question has no 'answers'")
    start = answers[0].get("answer_start") if isinstance(answers[0], dict) else None
    _expect(
        isinstance(start, int) and not isinstance(start, bool),
        path,
        where,
        "answers[0].answer_start must be an integer",
    )
    return start


def parse_language_file(
    path: Path, lang: str, candidate_text: CandidateText = "sentence", sentence_source: SentenceSource = "breaks"
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[str, list[int]], int]:
    """One language file -> (questions, candidates, answers of each question, skipped count).

    Questions are ``(id, text)``, candidates ``(candidate_id, text)``; the answer map gives
    the candidate positions (within this file) of each question's answer sentence: the
    sentence holding the answer start and any sentence of its paragraph with the same text.
    """
    raw = _load_json(path)
    questions: list[tuple[str, str]] = []
    candidates: list[tuple[str, str]] = []
    answer_of: dict[str, list[int]] = {}
    first_seen: dict[str, str] = {}
    disagreeing: list[str] = []
    skipped = 0
    paragraph_number = 0
    for a, article in enumerate(raw["data"]):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        _expect(isinstance(paragraphs, list), path, f"data[{a}]", "article has no 'paragraphs' list")
        for p, paragraph in enumerate(paragraphs):
            where = f"data[{a}].paragraphs[{p}]"
            _expect(isinstance(paragraph, dict), path, where, "paragraph must be an object")
            spans = _sentence_spans(paragraph, path, where)
            texts, disagrees = _sentence_texts(paragraph, spans, sentence_source, path, where)
            if disagrees:
                disagreeing.append(where)
            first_candidate = len(candidates)
            if candidate_text != "sentence" and len(paragraph["context"]) * len(texts) > MAX_CONTEXT_COPIES:
                raise DataFormatError(
                    path,
                    where,
                    f"a paragraph of {len(paragraph['context']):,} characters and {len(texts)} sentences: "
                    "sentence+context would copy it into every sentence "
                    f"({len(paragraph['context']) * len(texts):,} characters)",
                    "use --candidate-text sentence, or split the paragraph",
                )
            for k, sentence in enumerate(texts):
                text = sentence if candidate_text == "sentence" else f"{sentence}\n{paragraph['context'].strip()}"
                candidates.append((f"{lang}/p{paragraph_number}/s{k}", text))
            paragraph_number += 1
            qas = paragraph.get("qas", [])
            _expect(isinstance(qas, list), path, f"{where}.qas", "'qas' must be a list")
            for q, qa in enumerate(qas):
                qwhere = f"{where}.qas[{q}]"
                _expect(isinstance(qa, dict), path, qwhere, "question must be an object")
                qid, text = qa.get("id"), qa.get("question")
                _expect(qid is not None, path, qwhere, "question has no 'id'")
                _expect(
                    isinstance(qid, str) and qid != "",
                    path,
                    qwhere,
                    f"question 'id' must be a non-empty string, got {qid!r} ({type(qid).__name__})",
                    "ids are shared by a question's translations; write them as strings",
                )
                _expect(
                    isinstance(text, str) and text.strip() != "",
                    path,
                    qwhere,
                    f"question {qid!r} has empty text",
                    "give the question its text, or remove it (from every language file)",
                )
                if qid in first_seen:
                    raise DataFormatError(
                        path,
                        qwhere,
                        f"duplicate question id {qid!r} (first at {first_seen[qid]})",
                        "question ids must be unique within one language file",
                    )
                first_seen[qid] = qwhere
                start = _answer_start(qa, path, qwhere)
                sentence = next((k for k, (s, e) in enumerate(spans) if s <= start < e), None)
                if sentence is None:
                    skipped += 1
                    continue
                questions.append((qid, text.strip()))
                answer_of[qid] = [first_candidate + k for k, t in enumerate(texts) if t == texts[sentence]]
    if disagreeing:
        shown = ", ".join(disagreeing[:5]) + (f" and {len(disagreeing) - 5} more" if len(disagreeing) > 5 else "")
        using = "context[start:end] of the breaks" if sentence_source == "breaks" else "the 'sentences' field"
        warnings.warn(
            f"{path}: the 'sentences' field differs from the sentence breaks' text in {shown}; "
            f"using {using} (choose with --sentence-source breaks|field)",
            stacklevel=2,
        )
    return questions, candidates, answer_of, skipped


def load_lareqa(
    name: str,
    files: dict[str, Path],
    candidate_text: CandidateText = "sentence",
    sentence_source: SentenceSource = "breaks",
) -> ParallelCollection:
    """Build the collection from one file per language (in the order given)."""
    languages = tuple(files)
    query_ids: list[str] = []
    query_texts: list[str] = []
    query_langs: list[int] = []
    candidate_ids: list[str] = []
    candidate_texts: list[str] = []
    candidate_langs: list[int] = []
    group_index: dict[str, int] = {}
    group_members: list[list[int]] = []
    skipped: dict[str, int] = {}
    ids_by_language: dict[str, set[str]] = {}
    for lang_index, (lang, path) in enumerate(files.items()):
        questions, candidates, answer_of, n_skipped = parse_language_file(
            Path(path), lang, candidate_text, sentence_source
        )
        ids_by_language[lang] = {qid for qid, _ in questions}
        offset = len(candidate_ids)
        candidate_ids.extend(cid for cid, _ in candidates)
        candidate_texts.extend(text for _, text in candidates)
        candidate_langs.extend([lang_index] * len(candidates))
        for qid, text in questions:
            query_ids.append(qid)
            query_texts.append(text)
            query_langs.append(lang_index)
            group = group_index.setdefault(qid, len(group_members))
            if group == len(group_members):
                group_members.append([])
            group_members[group].extend(offset + k for k in answer_of[qid])
        if n_skipped:
            skipped[lang] = n_skipped
    check_question_coverage(files, ids_by_language)
    counts = {lang: len(ids) for lang, ids in ids_by_language.items()}
    fullest = max(counts.values())
    thin = {lang: n for lang, n in counts.items() if n < THIN_SHARE * fullest}
    if thin:
        warnings.warn(
            f"{name}: {', '.join(f'{lang} has {n} of {fullest}' for lang, n in thin.items())} usable questions; "
            "its subsets' means rest on fewer questions and weigh as much as the others in Mo/Cr/Mul",
            stacklevel=2,
        )
    if skipped:
        warnings.warn(
            f"{name}: skipped {sum(skipped.values())} questions whose answer start lies in no sentence "
            f"({', '.join(f'{k}: {v}' for k, v in skipped.items())})",
            stacklevel=2,
        )
    return ParallelCollection(
        name=name,
        languages=languages,
        query_ids=tuple(query_ids),
        query_texts=tuple(query_texts),
        query_langs=np.asarray(query_langs, dtype=np.int64),
        query_groups=np.asarray([group_index[q] for q in query_ids], dtype=np.int64),
        candidate_ids=tuple(candidate_ids),
        candidate_texts=tuple(candidate_texts),
        candidate_langs=np.asarray(candidate_langs, dtype=np.int64),
        group_ids=tuple(group_index),
        group_relevant=tuple(np.asarray(m, dtype=np.int64) for m in group_members),
        skipped_questions=skipped,
    )
