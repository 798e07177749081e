"""One writer per result folder at a time, with nothing left behind.

The lock is held on the folder itself (``flock`` on its descriptor), so no lock file is
ever created in a user's results; the kernel drops it when the process ends, however it
ends. A run that finds the folder taken says so and waits; once it holds the lock it
reads the folder again, so it reuses what the first run wrote instead of redoing it.
Re-entrant within a process (a run's lock covers the store's write inside it). Where
``fcntl`` does not exist (Windows) a ``filelock`` file beside the folder stands in.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_held: dict[str, int] = {}
_guards: dict[str, threading.RLock] = {}
_registry = threading.Lock()


def _say_waiting(folder: Path) -> None:
    print(f"xir-bench: another run is writing {folder}; waiting for it to finish", file=sys.stderr, flush=True)


@contextmanager
def folder_lock(folder: Path, on_wait: Callable[[Path], None] = _say_waiting) -> Iterator[None]:
    """Hold ``folder`` (which must exist) exclusively: other processes and threads wait."""
    key = os.path.realpath(folder)
    with _registry:
        guard = _guards.setdefault(key, threading.RLock())
    with guard:
        if _held.get(key):
            _held[key] += 1
            try:
                yield
            finally:
                _held[key] -= 1
            return
        with _os_lock(folder, on_wait):
            _held[key] = 1
            try:
                yield
            finally:
                _held[key] = 0


@contextmanager
def _os_lock(folder: Path, on_wait: Callable[[Path], None]) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover - Windows
        from filelock import FileLock

        with FileLock(str(folder) + ".xirlock"):
            yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait(folder)
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # Ctrl-C still interrupts the wait
        yield
    finally:
        os.close(descriptor)  # releases the lock
