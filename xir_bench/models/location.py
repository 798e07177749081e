"""Where a ``--model`` argument points, decided before any model code or network runs.

A misspelled local folder (``models/static-scrach``) looks like a hub id
(``org/name``) to sentence-transformers, which then retries the hub for minutes and ends
with a hint about networks. Here a spec whose first path part is a local folder, or that
starts with ``.``, ``/`` or ``~``, is a local path, and a missing one is named at once
with the closest existing folders; a folder that holds no model is said to be one. A hub
id offline is answered from the Hugging Face cache or refused at once, never retried.
The resolved hub commit (not the moving ``main``) is what results and caches are keyed by.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from xir_bench.data.sources import offline_mode
from xir_bench.errors import XirBenchError

MODEL_FILES = ("modules.json", "config.json", "config_sentence_transformers.json")


def looks_local(spec: str) -> bool:
    """A path on this machine rather than a hub id."""
    path = Path(spec).expanduser()
    if spec.startswith((".", "/", "~")) or path.exists():
        return True
    return len(path.parts) > 1 and Path(path.parts[0]).is_dir()


def check_local_model(spec: str) -> Path:
    """The folder, or an error naming what is wrong and the nearest folders that exist."""
    path = Path(spec).expanduser()
    if not path.exists():
        parent = path.parent if path.parent.is_dir() else Path(".")
        siblings = [str(parent / p.name) for p in parent.iterdir() if p.is_dir()] if parent.is_dir() else []
        close = difflib.get_close_matches(str(path), siblings, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}?" if close else f"check the path (looked in {parent}/)"
        raise XirBenchError(f"model folder {spec!r} does not exist\n  fix: {hint}")
    if not path.is_dir():
        raise XirBenchError(
            f"--model {spec!r} is a file\n  fix: give the folder that holds the model (sentence-transformers' save)"
        )
    if not any((path / name).is_file() for name in MODEL_FILES):
        raise XirBenchError(
            f"{spec!r} is a folder but not a model: it has none of {', '.join(MODEL_FILES)}\n"
            "  fix: give the folder sentence-transformers saved (model.save(...)), or a hub id"
        )
    return path


def resolved_hub_revision(spec: str, revision: str | None) -> str | None:
    """The commit a hub id (at ``revision``, default ``main``) resolves to in the local cache, or None."""
    from huggingface_hub import try_to_load_from_cache

    for filename in MODEL_FILES:
        found = try_to_load_from_cache(spec, filename, revision=revision)
        if isinstance(found, str):
            parts = Path(found).parts
            if "snapshots" in parts:
                return parts[parts.index("snapshots") + 1]
    return None


def check_hub_id(spec: str) -> None:
    """A spec that is no local path must be a well-formed hub id (``org/name``), online or not."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(spec)
    except HFValidationError:
        raise XirBenchError(
            f"model {spec!r} is not a folder here and not a Hugging Face hub id (letters, digits, '-', '_', '.', "
            "one '/')\n  fix: a local model folder, pip:NAME (xir-bench run --help lists them) or a hub id "
            "such as intfloat/multilingual-e5-small"
        ) from None


def check_hub_model_offline(spec: str, revision: str | None) -> None:
    """Offline, a hub id must already be in the Hugging Face cache; refuse at once otherwise."""
    check_hub_id(spec)
    if offline_mode() and resolved_hub_revision(spec, revision) is None:
        raise XirBenchError(
            f"{spec!r} is not a local folder and not in the Hugging Face cache, and the network is off "
            "(XIR_BENCH_OFFLINE / HF_HUB_OFFLINE)\n  fix: pass a local model folder, download the model "
            "once with a network, or unset the offline variable"
        )


def check_model_spec(spec: str, revision: str | None) -> None:
    """A local path must hold a model; a hub id offline must be cached."""
    if looks_local(spec):
        check_local_model(spec)
    else:
        check_hub_model_offline(spec, revision)
