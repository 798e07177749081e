"""Top-k tasks in anserini's layout (``miracl-anserini``): topics, graded qrels, a passage corpus.

Every function takes the task's card, which says where one language's topics file is
(``[source] path``, under a data folder: ``--data-dir`` / ``XIR_BENCH_DATA_DIR``); the qrels
and the corpus sit beside it, as anserini publishes MIRACL (Zhang et al., 2023)::

    miracl/topics.miracl-v1.0-{lang}-dev.tsv   qid<TAB>query           (the card's path)
    miracl/qrels.miracl-v1.0-{lang}-dev.tsv    qid<TAB>Q0<TAB>docid<TAB>relevance
    miracl/corpus/{lang}.jsonl[.gz]            {"docid", "title", "text"} per line

Without a local copy, topics and qrels come from the card's ``url`` on the Hugging Face hub
(``miracl/miracl``) and the corpus is streamed from its ``corpus_url``
(``miracl/miracl-corpus``); both need a network. Passages are indexed as title + text, as
MIRACL's baselines do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xir_bench.card_parts import HUB_DATASETS
from xir_bench.cards import TaskCard
from xir_bench.data.corpus_file import JsonlChunks, chunked_corpus, iter_corpus
from xir_bench.data.passages import counting_empty
from xir_bench.data.sources import DATA_DIR_ENV, data_root, offline_mode
from xir_bench.data.textfile import numbered_lines
from xir_bench.errors import DataFormatError, DataNotFoundError


@dataclass(frozen=True)
class MiraclFiles:
    """Where one language's files are (the corpus may be absent)."""

    topics: Path
    qrels: Path
    corpus: Path | None


def qrels_name(topics: str) -> str:
    """Anserini names a qrels file (and its folder on the hub) as its topics file, ``qrels`` for ``topics``."""
    return topics.replace("topics", "qrels")


def local_files(card: TaskCard, root: Path, lang: str) -> MiraclFiles:
    """The anserini-style paths of ``lang`` under ``root`` (existence not checked)."""
    topics = root / card.source.relative_path(lang)
    folder = topics.parent
    corpus = next(
        (p for p in (folder / "corpus" / f"{lang}.jsonl", folder / "corpus" / f"{lang}.jsonl.gz") if p.is_file()),
        None,
    )
    return MiraclFiles(topics=topics, qrels=folder / qrels_name(topics.name), corpus=corpus)


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


def local_chunks(card: TaskCard, lang: str, data_dir: str | Path | None, chunk_size: int) -> JsonlChunks | None:
    """``lang``'s local uncompressed corpus as seekable chunks, or None (gzip, or the hub's stream)."""
    root = data_root(data_dir)
    corpus = local_files(card, root, lang).corpus if root is not None else None
    return chunked_corpus(corpus, chunk_size) if corpus is not None else None


def passage_text(title: str, text: str) -> str:
    """How a passage is shown to a model: title, then text."""
    return f"{title} {text}".strip() if title else text


def _hub_file(card: TaskCard, url: str) -> Path:
    """A file of the card's hub data set (``https://huggingface.co/datasets/ORG/NAME/resolve/REV/FILE``)."""
    folder = Path(card.source.path).parent
    where = f"put the files under DIR/{folder}/ and pass --data-dir DIR (or set {DATA_DIR_ENV})"
    if offline_mode():
        raise DataNotFoundError(f"{card.title}: {url} is not local and the hub is off (offline mode)\n  fix: {where}")
    parts = url.removeprefix(HUB_DATASETS).split("/")  # ORG, NAME, resolve, REVISION, FILE...
    if card.source.hub_dataset is None or len(parts) < 5 or parts[2] != "resolve":
        raise DataNotFoundError(f"{card.title}: {url} is not a Hugging Face hub file to download\n  fix: {where}")
    from huggingface_hub import hf_hub_download

    return Path(hf_hub_download(card.source.hub_dataset, "/".join(parts[4:]), repo_type="dataset", revision=parts[3]))


def topics_and_qrels(
    card: TaskCard, lang: str, data_dir: str | Path | None = None
) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """Topics and qrels of ``lang``: from the data folder when given, else from the hub."""
    if lang not in card.languages:
        raise DataNotFoundError(
            f"{card.title} has no language {lang!r}; its languages are: {', '.join(card.languages)}"
        )
    root = data_root(data_dir)
    if root is not None:
        files = local_files(card, root, lang)
        missing = [str(p) for p in (files.topics, files.qrels) if not p.is_file()]
        if missing:
            raise DataNotFoundError(
                f"{card.title}: missing " + ", ".join(missing) + "\n  fix: copy the topics/qrels files there "
                "(MIRACL's: https://github.com/castorini/anserini-tools, topics-and-qrels/), or unset the data "
                "folder to fetch them from the hub"
            )
        return read_topics(files.topics), read_qrels(files.qrels)
    url = card.source.url_for(lang)
    topics = _hub_file(card, url)
    qrels = _hub_file(card, qrels_name(url))
    return read_topics(topics), read_qrels(qrels)


def has_positive(judged: dict[str, int]) -> bool:
    """A query counts only if some passage is judged relevant (grade > 0), as in MIRACL's evaluation."""
    return any(grade > 0 for grade in judged.values())


def judged_topics(
    card: TaskCard, lang: str, data_dir: str | Path | None = None
) -> tuple[dict[str, str], dict[str, dict[str, int]], int]:
    """Topics and qrels of the queries that have a positive judgment, and how many were left out."""
    topics, qrels = topics_and_qrels(card, lang, data_dir)
    keep = {q: text for q, text in topics.items() if has_positive(qrels.get(q, {}))}
    return keep, {q: qrels[q] for q in keep}, len(topics) - len(keep)


def corpus_rows(card: TaskCard, lang: str, data_dir: str | Path | None = None) -> Iterator[tuple[str, str, str]]:
    """(docid, title, text) of ``lang``'s corpus: the local JSONL, else streamed from the hub;
    empty passages are counted (:func:`~xir_bench.data.passages.counting_empty`)."""
    yield from counting_empty(f"{card.title} {lang}", _corpus_source_rows(card, lang, data_dir))


def _corpus_source_rows(card: TaskCard, lang: str, data_dir: str | Path | None) -> Iterator[tuple[str, str, str]]:
    root = data_root(data_dir)
    if root is not None:
        files = local_files(card, root, lang)
        if files.corpus is None:
            raise DataNotFoundError(
                f"{card.title} {lang}: no corpus at {files.topics.parent / 'corpus' / (lang + '.jsonl')}[.gz]\n"
                "  fix: write the passages there as JSON lines with docid, title, text "
                "(the format of MIRACL's corpus on the hub)"
            )
        yield from iter_corpus(files.corpus)
        return
    if card.source.corpus_url is None:
        raise DataNotFoundError(
            f"{card.title} {lang}: its card names no corpus on the hub; fix: pass --data-dir with the corpus"
        )
    if offline_mode():
        raise DataNotFoundError(
            f"{card.title} {lang}: corpus not local and the hub is off; fix: pass --data-dir (see above)"
        )
    from datasets import load_dataset

    stream = load_dataset("json", data_files=card.source.corpus_url.format(lang=lang), split="train", streaming=True)
    for row in stream:
        yield str(row["docid"]), str(row.get("title") or ""), str(row["text"])


def corpus_source(card: TaskCard, lang: str, data_dir: str | Path | None = None) -> str:
    """A fingerprint of where ``lang``'s corpus comes from (stored with its embeddings)."""
    root = data_root(data_dir)
    if root is not None:
        files = local_files(card, root, lang)
        if files.corpus is not None:
            stat = files.corpus.stat()
            return f"{files.corpus.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    return str(card.source.corpus_url or "").format(lang=lang)


def count_passages(card: TaskCard, lang: str, data_dir: str | Path | None = None) -> int | None:
    """Lines of a local, uncompressed corpus file (fast), for progress bars with an ETA; else None."""
    root = data_root(data_dir)
    if root is None:
        return None
    corpus = local_files(card, root, lang).corpus
    if corpus is None or corpus.suffix == ".gz":
        return None
    count = 0
    with open(corpus, "rb") as handle:
        while block := handle.read(1 << 24):
            count += block.count(b"\n")
    return count


def stats(card: TaskCard, languages: list[str] | None = None, data_dir: str | Path | None = None) -> dict:
    """Per language: queries, those with a positive judgment, judgments, positive judgments."""
    out = {}
    for lang in languages or list(card.languages):
        topics, qrels = topics_and_qrels(card, lang, data_dir)
        judged = [grade for judged in qrels.values() for grade in judged.values()]
        out[lang] = {
            "queries": len(topics),
            "queries_with_positive": sum(has_positive(qrels.get(q, {})) for q in topics),
            "judgments": len(judged),
            "positive_judgments": sum(g > 0 for g in judged),
        }
    return {"task": card.name, "split": card.split, "languages": out}
