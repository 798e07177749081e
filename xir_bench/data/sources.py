"""Find a task's data files: ``--data-dir``/``XIR_BENCH_DATA_DIR``, the user cache, a download.

The order is deliberate: an explicit folder always wins (offline users, CI, fixtures); the
user cache holds earlier downloads; only then is the network touched. Downloads are
verified against the SHA-256 sums in the task card and moved into the cache atomically,
so an interrupted or tampered download never leaves a file that looks valid.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

import platformdirs
from tqdm.auto import tqdm

from xir_bench.cards import TaskCard
from xir_bench.errors import DataNotFoundError
from xir_bench.storage.atomic import atomic_open

DATA_DIR_ENV = "XIR_BENCH_DATA_DIR"
CACHE_DIR_ENV = "XIR_BENCH_CACHE_DIR"
OFFLINE_ENVS = ("XIR_BENCH_OFFLINE", "HF_HUB_OFFLINE")


def cache_root() -> Path:
    """The user cache (``XIR_BENCH_CACHE_DIR``, else the platform's cache folder)."""
    override = os.environ.get(CACHE_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_cache_dir("xir-bench"))


def offline_mode() -> bool:
    """True when ``XIR_BENCH_OFFLINE`` or ``HF_HUB_OFFLINE`` says never to touch the network."""
    return any(os.environ.get(name, "").lower() in {"1", "true", "yes"} for name in OFFLINE_ENVS)


def data_root(data_dir: str | Path | None = None) -> Path | None:
    """The explicit data folder: ``data_dir`` if given, else ``$XIR_BENCH_DATA_DIR``, else None."""
    explicit = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV)
    return Path(explicit) if explicit is not None else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, target: Path, expected_sha256: str, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``target`` atomically, refusing a body whose SHA-256 differs."""
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        with (
            atomic_open(target, "wb") as out,
            tqdm(total=total, unit="B", unit_scale=True, desc=target.name, leave=False) as bar,
        ):
            for block in iter(lambda: response.read(1 << 16), b""):
                digest.update(block)
                out.write(block)
                bar.update(len(block))
            if digest.hexdigest() != expected_sha256:
                raise DataNotFoundError(
                    f"download of {url} has SHA-256 {digest.hexdigest()}, expected {expected_sha256}; "
                    "the file was not saved. Retry, or place a verified copy under --data-dir."
                )
    return target


def check_data_folder(root: Path) -> None:
    """A data folder the user named exists; a misspelled one is named with its closest sibling."""
    if root.is_dir():
        return
    import difflib

    siblings = [p.name for p in root.parent.iterdir() if p.is_dir()] if root.parent.is_dir() else []
    close = difflib.get_close_matches(root.name, siblings, n=1)
    hint = f"did you mean {root.parent / close[0]}?" if close else f"set --data-dir or {DATA_DIR_ENV} to it"
    raise DataNotFoundError(
        f"data folder {root} does not exist; {hint}\n  fix: the folder that holds lareqa/ and miracl/"
    )


def files_in_folder(card: TaskCard, languages: list[str], root: Path) -> dict[str, Path]:
    """Each language's file of ``card`` under the data folder ``root``, or an error listing the missing ones."""
    check_data_folder(root)
    paths = {lang: root / card.source.relative_path(lang) for lang in languages}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise DataNotFoundError(
            f"{card.title}: missing in data folder {root}:\n  "
            + "\n  ".join(missing)
            + f"\n  fix: place the files there (layout {card.source.path}), "
            f"or unset --data-dir/{DATA_DIR_ENV} to download them."
        )
    return paths


def resolve_files(
    card: TaskCard,
    languages: list[str],
    data_dir: str | Path | None = None,
    base_url: str | None = None,
) -> dict[str, Path]:
    """Path of each language's file, downloading into the cache what is found nowhere.

    ``data_dir`` (or ``XIR_BENCH_DATA_DIR``) is used as given and never verified, so that
    users can evaluate on their own files; the cache is filled only by verified downloads.
    """
    root = data_root(data_dir)
    if root is not None:
        return files_in_folder(card, languages, root)

    cache = cache_root() / "data"
    paths = {lang: cache / card.source.relative_path(lang) for lang in languages}
    missing = [lang for lang, path in paths.items() if not path.is_file()]
    if not missing:
        return paths
    if offline_mode():
        raise _offline_error(card, missing, cache)
    for lang in tqdm(missing, desc=f"download {card.title}", unit="file", disable=len(missing) < 2):
        url = card.source.url_for(lang, base_url)
        try:
            download(url, paths[lang], card.source.sha256[lang])
        except (urllib.error.URLError, OSError) as err:
            raise _offline_error(card, missing, cache, reason=f"download of {url} failed: {err}") from err
    return paths


def _offline_error(card: TaskCard, missing: list[str], cache: Path, reason: str = "offline") -> DataNotFoundError:
    wanted = "\n  ".join(card.source.relative_path(lang) for lang in missing)
    return DataNotFoundError(
        f"{card.title}: no local copy and no download ({reason}). Needed files:\n  {wanted}\n"
        f"  fix: put them under a folder DIR with that layout and pass --data-dir DIR "
        f"(or set {DATA_DIR_ENV}=DIR), or under the cache {cache}. "
        f"They are published at {card.reference} (commit {card.source.revision})."
    )
