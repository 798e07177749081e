"""Temporary files and folders that a killed process leaves behind, and their sweeping.

Everything xir-bench builds before moving it into place (a file beside its target, a
model or index folder, a training scratch folder) is named with the ``xirtmp`` marker,
this machine's name and the process id. A ``kill -9`` leaves such an entry behind; the
next xir-bench process that works in that folder removes it once its owner is gone -
and only then, so a concurrent run's work in progress is never touched. Entries of other
machines (a shared file system) are left to those machines.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

MARKER = "xirtmp"
_HOST = re.sub(r"[^A-Za-z0-9]+", "_", socket.gethostname()) or "host"
_PATTERN = re.compile(rf"{MARKER}-(?P<host>[A-Za-z0-9_]+)-(?P<pid>\d+)-")


def staging_prefix(name: str = "") -> str:
    """Prefix of this process's temporary entries (``.NAME.xirtmp-HOST-PID-`` beside a target)."""
    return f".{name}.{MARKER}-{_HOST}-{os.getpid()}-" if name else f"{MARKER}-{_HOST}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def sweep(folder: str | Path) -> list[Path]:
    """Remove the leftovers in ``folder`` whose process on this machine has ended; returns them."""
    folder = Path(folder)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        found = _PATTERN.search(entry.name)
        if not found or found["host"] != _HOST or _alive(int(found["pid"])):
            continue
        path = Path(entry.path)
        with contextlib.suppress(FileNotFoundError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()
        removed.append(path)
    return removed


def ordinary_permissions(path: str | Path) -> None:
    """``path`` (and all below it) 0777 for folders, 0666 for files, less the umask: ``mkdtemp``,
    ``mkstemp`` and some libraries (safetensors) create them private, which a shared board or
    a model folder given to others must not be."""
    umask = os.umask(0)
    os.umask(umask)
    path = Path(path)
    for entry in [path, *(path.rglob("*") if path.is_dir() else [])]:
        if not entry.is_symlink():
            entry.chmod((0o777 if entry.is_dir() else 0o666) & ~umask)


@contextlib.contextmanager
def staged_folder(target: str | Path) -> Iterator[Path]:
    """A new folder beside ``target``; when the block succeeds it becomes ``target`` (replacing
    an empty or existing one), otherwise it is removed. Leftovers of killed runs are swept first.
    What appears has ordinary permissions (see :func:`ordinary_permissions`)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep(target.parent)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=staging_prefix(target.name)))
    try:
        yield staging
        ordinary_permissions(staging)
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def scratch_folder(kind: str, within: str | Path | None = None) -> tempfile.TemporaryDirectory[str]:
    """A scratch folder, removed when done, in ``within`` (default: the system's temporary
    folder; training, conversion, reproduction), swept like the others if a kill leaves it."""
    parent = Path(within) if within is not None else Path(tempfile.gettempdir())
    parent.mkdir(parents=True, exist_ok=True)
    sweep(parent)
    return tempfile.TemporaryDirectory(prefix=f"{staging_prefix()}{kind}-", dir=parent)
