"""MIRACL (Zhang et al., 2023) dev topics, graded qrels and passage corpus.

Local layout under a data folder (``--data-dir`` / ``XIR_BENCH_DATA_DIR``), as anserini
publishes the files::

    miracl/topics.miracl-v1.0-{lang}-dev.tsv   qid<TAB>query
    miracl/qrels.miracl-v1.0-{lang}-dev.tsv    qid<TAB>Q0<TAB>docid<TAB>relevance
    miracl/corpus/{lang}.jsonl[.gz]            {"docid", "title", "text"} per line

Without a local copy, topics and qrels come from the hub repository ``miracl/miracl``
and the corpus is streamed from ``miracl/miracl-corpus`` (both need a network).
Passages are indexed as title + text, as MIRACL's baselines do.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xir_bench.cards import get_task_card
from xir_bench.data.passages import counting_empty
from xir_bench.data.sources import DATA_DIR_ENV, data_root, offline_mode
from xir_bench.data.textfile import decode_line, json_object, numbered_lines
from xir_bench.errors import DataFormatError, DataNotFoundError

#: The card that declares MIRACL (tasks/miracl.toml); this module reads its format, miracl-anserini.
CARD = get_task_card("miracl")
LANGUAGES: tuple[str, ...] = tuple(CARD.languages)
HUB_TOPICS_REPO = "miracl/miracl"
HUB_CORPUS_REPO = "miracl/miracl-corpus"


@dataclass(frozen=True)
class MiraclFiles:
    """Where one language's files are (the corpus may be absent)."""

    topics: Path
    qrels: Path
    corpus: Path | None


def local_files(root: Path, lang: str, split: str = "dev") -> MiraclFiles:
    """The anserini-style paths of ``lang`` under ``root`` (existence not checked)."""
    folder = root / "miracl"
    corpus = next(
        (p for p in (folder / "corpus" / f"{lang}.jsonl", folder / "corpus" / f"{lang}.jsonl.gz") if p.is_file()),
        None,
    )
    return MiraclFiles(
        topics=folder / f"topics.miracl-v1.0-{lang}-{split}.tsv",
        qrels=folder / f"qrels.miracl-v1.0-{lang}-{split}.tsv",
        corpus=corpus,
    )


def read_topics(path: Path) -> dict[str, str]:
    """``qid -> query`` from a ``qid<TAB>query`` file; errors name the file and line."""
    topics: dict[str, str] = {}
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        parts = line.rstrip("\r\n").split("\t")
        if len(parts) != 2 or not parts[0] or not parts[1].strip():
            raise DataFormatError(path, f"line {number}", f"expected 'qid<TAB>query', got {line.strip()[:80]!r}")
        if parts[0] in topics:
            raise DataFormatError(path, f"line {number}", f"duplicate query id {parts[0]!r}")
        topics[parts[0]] = parts[1].strip()
    return topics


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Graded judgments ``qid -> {docid: relevance}`` from a TREC qrels file."""
    qrels: dict[str, dict[str, int]] = {}
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise DataFormatError(
                path, f"line {number}", f"expected 'qid Q0 docid relevance' (4 fields), got {len(parts)}"
            )
        try:
            relevance = int(parts[3])
        except ValueError:
            raise DataFormatError(path, f"line {number}", f"relevance {parts[3]!r} is not an integer") from None
        qrels.setdefault(parts[0], {})[parts[2]] = relevance
    return qrels


def iter_corpus(path: Path) -> Iterator[tuple[str, str, str]]:
    """(docid, title, text) per line of a JSONL(.gz) corpus; a bad line names its number.

    A docid must be a non-empty string without whitespace: the corpus store keeps one per
    line, and a run file separates fields by whitespace.
    """
    for number, line in numbered_lines(path):
        if line.strip():
            yield _corpus_row(path, number, line)


def _corpus_row(path: Path, number: int, line: str) -> tuple[str, str, str]:
    row = json_object(path, number, line)
    docid, text = row.get("docid"), row.get("text")
    if docid is None or text is None:
        raise DataFormatError(path, f"line {number}", "expected a JSON object with 'docid', 'title', 'text'")
    docid = str(docid)
    if not docid or any(ch.isspace() for ch in docid):
        raise DataFormatError(
            path, f"line {number}", f"docid {docid!r} is empty or holds whitespace", "use ids like 12#3"
        )
    return docid, str(row.get("title") or ""), str(text)


@dataclass(frozen=True)
class JsonlChunks:
    """A local, uncompressed corpus file read chunk by chunk at known byte offsets.

    Ray workers each encode every n-th chunk; with a plain stream each of them read (and
    parsed) the whole corpus to find its chunks. The driver finds where every chunk starts
    once (:func:`chunked_corpus`); a worker seeks there and reads its own chunks only.
    """

    path: Path
    offsets: tuple[int, ...]  # byte offset of each chunk's first row
    first_lines: tuple[int, ...]  # its line number, for errors
    chunk_size: int

    @property
    def n_chunks(self) -> int:
        return len(self.offsets)

    def read(self, index: int) -> list[tuple[str, str, str]]:
        rows: list[tuple[str, str, str]] = []
        with self.path.open("rb") as handle:
            handle.seek(self.offsets[index])
            for number, raw in enumerate(handle, self.first_lines[index]):
                if raw.strip():
                    rows.append(_corpus_row(self.path, number, decode_line(self.path, number, raw)))
                if len(rows) == self.chunk_size:
                    break
        return rows


def chunked_corpus(path: Path, chunk_size: int) -> JsonlChunks | None:
    """Chunk offsets of a local ``.jsonl`` (None for ``.gz``, which cannot seek): one pass over the bytes."""
    if path.suffix == ".gz":
        return None
    offsets, first_lines, rows, position = [], [], 0, 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            start = position
            if number == 1 and raw.startswith(codecs.BOM_UTF8):  # read past it, as the stream reader does
                start += len(codecs.BOM_UTF8)
            if raw.strip():
                if rows % chunk_size == 0:
                    offsets.append(start)
                    first_lines.append(number)
                rows += 1
            position += len(raw)
    return JsonlChunks(path, tuple(offsets), tuple(first_lines), chunk_size)


def local_chunks(lang: str, data_dir: str | Path | None, chunk_size: int) -> JsonlChunks | None:
    """``lang``'s local uncompressed corpus as seekable chunks, or None (gzip, or the hub's stream)."""
    root = data_root(data_dir)
    corpus = local_files(root, lang).corpus if root is not None else None
    return chunked_corpus(corpus, chunk_size) if corpus is not None else None


def passage_text(title: str, text: str) -> str:
    """How a passage is shown to a model: title, then text."""
    return f"{title} {text}".strip() if title else text


def _hub_file(filename: str) -> Path:
    if offline_mode():
        raise DataNotFoundError(
            f"MIRACL file {filename} is not local and the hub is off (offline mode)\n"
            f"  fix: put the anserini files under DIR/miracl/ and pass --data-dir DIR (or set {DATA_DIR_ENV})"
        )
    from huggingface_hub import hf_hub_download

    return Path(hf_hub_download(HUB_TOPICS_REPO, filename, repo_type="dataset"))


def topics_and_qrels(
    lang: str, data_dir: str | Path | None = None, split: str = "dev"
) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """Topics and qrels of ``lang``: from the data folder when given, else from the hub."""
    if lang not in LANGUAGES:
        raise DataNotFoundError(f"MIRACL has no language {lang!r}; its languages are: {', '.join(LANGUAGES)}")
    root = data_root(data_dir)
    if root is not None:
        files = local_files(root, lang, split)
        missing = [str(p) for p in (files.topics, files.qrels) if not p.is_file()]
        if missing:
            raise DataNotFoundError(
                "MIRACL: missing " + ", ".join(missing) + "\n  fix: copy anserini's topics/qrels files there "
                "(https://github.com/castorini/anserini-tools, topics-and-qrels/), or unset the data folder "
                "to fetch them from the hub"
            )
        return read_topics(files.topics), read_qrels(files.qrels)
    stem = f"miracl-v1.0-{lang}"
    topics = _hub_file(f"{stem}/topics/topics.{stem}-{split}.tsv")
    qrels = _hub_file(f"{stem}/qrels/qrels.{stem}-{split}.tsv")
    return read_topics(topics), read_qrels(qrels)


def has_positive(judged: dict[str, int]) -> bool:
    """A query counts only if some passage is judged relevant (grade > 0), as in MIRACL's evaluation."""
    return any(grade > 0 for grade in judged.values())


def judged_topics(
    lang: str, data_dir: str | Path | None = None, split: str = "dev"
) -> tuple[dict[str, str], dict[str, dict[str, int]], int]:
    """Topics and qrels of the queries that have a positive judgment, and how many were left out."""
    topics, qrels = topics_and_qrels(lang, data_dir, split)
    keep = {q: text for q, text in topics.items() if has_positive(qrels.get(q, {}))}
    return keep, {q: qrels[q] for q in keep}, len(topics) - len(keep)


def corpus_rows(lang: str, data_dir: str | Path | None = None) -> Iterator[tuple[str, str, str]]:
    """(docid, title, text) of ``lang``'s corpus: the local JSONL, else streamed from the hub;
    empty passages are counted (:func:`~xir_bench.data.passages.counting_empty`)."""
    yield from counting_empty(f"MIRACL {lang}", _corpus_source_rows(lang, data_dir))


def _corpus_source_rows(lang: str, data_dir: str | Path | None) -> Iterator[tuple[str, str, str]]:
    root = data_root(data_dir)
    if root is not None:
        files = local_files(root, lang)
        if files.corpus is None:
            raise DataNotFoundError(
                f"MIRACL {lang}: no corpus at {root / 'miracl' / 'corpus' / (lang + '.jsonl')}[.gz]\n"
                "  fix: write the passages there as JSON lines with docid, title, text "
                f"(the hub's {HUB_CORPUS_REPO} files have that format)"
            )
        yield from iter_corpus(files.corpus)
        return
    if offline_mode():
        raise DataNotFoundError(f"MIRACL {lang}: corpus not local and the hub is off; pass --data-dir (see above)")
    from datasets import load_dataset

    stream = load_dataset(
        "json",
        data_files=f"hf://datasets/{HUB_CORPUS_REPO}/miracl-corpus-v1.0-{lang}/*.jsonl.gz",
        split="train",
        streaming=True,
    )
    for row in stream:
        yield str(row["docid"]), str(row.get("title") or ""), str(row["text"])


def corpus_source(lang: str, data_dir: str | Path | None = None) -> str:
    """A fingerprint of where ``lang``'s corpus comes from (stored with its embeddings)."""
    root = data_root(data_dir)
    if root is not None:
        files = local_files(root, lang)
        if files.corpus is not None:
            stat = files.corpus.stat()
            return f"{files.corpus.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    return f"hf://datasets/{HUB_CORPUS_REPO}/miracl-corpus-v1.0-{lang}"


def count_passages(lang: str, data_dir: str | Path | None = None) -> int | None:
    """Lines of a local, uncompressed corpus file (fast), for progress bars with an ETA; else None."""
    root = data_root(data_dir)
    if root is None:
        return None
    corpus = local_files(root, lang).corpus
    if corpus is None or corpus.suffix == ".gz":
        return None
    count = 0
    with open(corpus, "rb") as handle:
        while block := handle.read(1 << 24):
            count += block.count(b"\n")
    return count


def stats(languages: list[str] | None = None, data_dir: str | Path | None = None) -> dict:
    """Per language: dev queries, those with a positive judgment, judgments, positive judgments."""
    out = {}
    for lang in languages or list(LANGUAGES):
        topics, qrels = topics_and_qrels(lang, data_dir)
        judged = [grade for judged in qrels.values() for grade in judged.values()]
        out[lang] = {
            "queries": len(topics),
            "queries_with_positive": sum(has_positive(qrels.get(q, {})) for q in topics),
            "judgments": len(judged),
            "positive_judgments": sum(g > 0 for g in judged),
        }
    return {"task": CARD.name, "split": CARD.split, "languages": out}
