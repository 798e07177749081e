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

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from xir_bench.core.collection import DEFAULT_EVALUATION, CandidateText, ParallelCollection, SentenceSource
from xir_bench.data.coverage import check_question_coverage
from xir_bench.data.lareqa_format import answer_start, expect, load_json, sentence_spans, sentence_texts
from xir_bench.errors import DataFormatError

#: sentence+context copies a paragraph into each of its sentences; past this many characters
#: per paragraph (a real LAReQA paragraph is a few thousand) the copies would exhaust memory.
MAX_CONTEXT_COPIES = 20_000_000
#: A language with fewer usable questions than this share of the fullest one is named.
THIN_SHARE = 0.1  # MLQA-R has 500 of 1148 in most languages by design; 1 of 1190 is a broken file


@dataclass
class LanguageFile:
    """What one language file holds, as the collection needs it.

    ``questions`` are ``(id, text)``, ``candidates`` ``(candidate_id, text)``; ``answer_of``
    gives the candidate positions (within this file) of each question's answer sentence: the
    sentence holding the answer start and any sentence of its paragraph with the same text.
    ``place_of`` gives each question's ``(article title, paragraph number within it)``.
    """

    questions: list[tuple[str, str]] = field(default_factory=list)
    candidates: list[tuple[str, str]] = field(default_factory=list)
    answer_of: dict[str, list[int]] = field(default_factory=dict)
    place_of: dict[str, tuple[str, int]] = field(default_factory=dict)
    skipped: int = 0


def parse_language_file(
    path: Path,
    lang: str,
    candidate_text: CandidateText = DEFAULT_EVALUATION.candidate_text,
    sentence_source: SentenceSource = DEFAULT_EVALUATION.sentence_source,
) -> LanguageFile:
    """One language file, checked line by line against the LAReQA format."""
    raw = load_json(path)
    parsed = LanguageFile()
    questions, candidates, answer_of = parsed.questions, parsed.candidates, parsed.answer_of
    first_seen: dict[str, str] = {}
    disagreeing: list[str] = []
    skipped = 0
    paragraph_number = 0
    for a, article in enumerate(raw["data"]):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        expect(isinstance(paragraphs, list), path, f"data[{a}]", "article has no 'paragraphs' list")
        title = article.get("title")
        title = title.strip() if isinstance(title, str) and title.strip() else f"data[{a}]"
        for p, paragraph in enumerate(paragraphs):
            where = f"data[{a}].paragraphs[{p}]"
            expect(isinstance(paragraph, dict), path, where, "paragraph must be an object")
            spans = sentence_spans(paragraph, path, where)
            texts, disagrees = sentence_texts(paragraph, spans, sentence_source, path, where)
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
            expect(isinstance(qas, list), path, f"{where}.qas", "'qas' must be a list")
            for q, qa in enumerate(qas):
                qwhere = f"{where}.qas[{q}]"
                expect(isinstance(qa, dict), path, qwhere, "question must be an object")
                qid, text = qa.get("id"), qa.get("question")
                expect(qid is not None, path, qwhere, "question has no 'id'")
                expect(
                    isinstance(qid, str) and qid != "",
                    path,
                    qwhere,
                    f"question 'id' must be a non-empty string, got {qid!r} ({type(qid).__name__})",
                    "ids are shared by a question's translations; write them as strings",
                )
                expect(
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
                start = answer_start(qa, path, qwhere)
                sentence = next((k for k, (s, e) in enumerate(spans) if s <= start < e), None)
                if sentence is None:
                    skipped += 1
                    continue
                questions.append((qid, text.strip()))
                parsed.place_of[qid] = (title, p)
                answer_of[qid] = [first_candidate + k for k, t in enumerate(texts) if t == texts[sentence]]
    if disagreeing:
        shown = ", ".join(disagreeing[:5]) + (f" and {len(disagreeing) - 5} more" if len(disagreeing) > 5 else "")
        using = "context[start:end] of the breaks" if sentence_source == "breaks" else "the 'sentences' field"
        warnings.warn(
            f"{path}: the 'sentences' field differs from the sentence breaks' text in {shown}; "
            f"using {using} (choose with --sentence-source breaks|field)",
            stacklevel=2,
        )
    parsed.skipped = skipped
    return parsed


def _pivot_first(files: dict[str, Path]) -> list[str]:
    """Languages in the order their files name a question's article: English first.

    XQuAD was translated from English SQuAD (every file has the same titles) and MLQA is
    aligned to English (every question has an English version, titles differ by language),
    so the English title is the one name an article has in every language's rows.
    """
    return sorted(files, key=lambda lang: lang not in ("en", "eng"))


def load_lareqa(
    name: str,
    files: dict[str, Path],
    candidate_text: CandidateText = DEFAULT_EVALUATION.candidate_text,
    sentence_source: SentenceSource = DEFAULT_EVALUATION.sentence_source,
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
    parsed = {lang: parse_language_file(Path(p), lang, candidate_text, sentence_source) for lang, p in files.items()}
    for lang_index, lang in enumerate(files):
        questions, candidates, answer_of = parsed[lang].questions, parsed[lang].candidates, parsed[lang].answer_of
        n_skipped = parsed[lang].skipped
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
    place = {}
    for lang in reversed(_pivot_first(files)):  # the pivot language's place wins
        place.update(parsed[lang].place_of)
    places = [place[group] for group in group_index]
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
        group_slices={
            "article": tuple(title for title, _ in places),
            "paragraph": tuple(f"{title}#{number}" for title, number in places),
        },
    )
