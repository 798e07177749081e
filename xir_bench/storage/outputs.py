"""Where a command will write, checked before it does any work.

A model built from scratch, a converted model, a board: each is minutes of work that a
file in the way, a non-empty folder or a read-only disk would waste at the very end.
These checks run first, before the heavy imports, so such a mistake costs a moment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xir_bench.errors import XirBenchError


def require_new_folder(output: Path, what: str = "folder") -> None:
    """``output`` may be made: absent or an empty folder, in a place this user can write."""
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise XirBenchError(f"{what} {output} is a file\n  fix: give the path of a new folder")
    if output.is_dir() and any(output.iterdir()):
        raise XirBenchError(f"{output} exists and is not empty (nothing is overwritten)\n  fix: choose another {what}")
    require_writable(output, what)


def require_output_folder(output: Path, what: str = "--output") -> None:
    """``output`` is a folder to write into (created if missing; what it holds is kept)."""
    if Path(output).exists() and not Path(output).is_dir():
        raise XirBenchError(f"{what} {output} is a file; give a folder (it is created if missing)")
    require_writable(output, what)


def require_writable(path: Path, what: str = "output") -> None:
    """The nearest existing folder at or above ``path`` is writable, so ``path`` can be made there."""
    existing = Path(path).absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.is_dir() and not os.access(existing, os.W_OK | os.X_OK):
        raise XirBenchError(f"{what} {path}: {existing} is not writable\n  fix: choose a folder you can write to")


@contextmanager
def created_folder(folder: Path) -> Iterator[Path]:
    """``folder``, made with its missing parents; those it made are removed again if the work
    inside fails and leaves them empty (a failed run leaves no empty result folders)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    except BaseException:
        for made in missing:  # deepest first
            try:
                made.rmdir()
            except OSError:  # not empty (another run's work, or ours): kept
                break
        raise
