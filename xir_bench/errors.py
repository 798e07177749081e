"""Errors that reach the user.

Every error raised for bad input is an :class:`XirBenchError`: the CLI prints its
message (which names the file, the position and the fix) and exits with status 2
instead of showing a traceback.
"""

from __future__ import annotations

from pathlib import Path


class XirBenchError(Exception):
    """An error the user can fix; its message says what and how."""


class DataFormatError(XirBenchError):
    """A data file is malformed; the message names the file and the position in it."""

    def __init__(self, path: str | Path, where: str, problem: str, fix: str = "") -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        message = f"{path}: {where}: {problem}" if where else f"{path}: {problem}"
        if fix:
            message += f"\n  fix: {fix}"
        super().__init__(message)


class DataNotFoundError(XirBenchError):
    """No copy of a data set could be found or downloaded."""


class ModelOutputError(XirBenchError):
    """A model returned embeddings that cannot be scored (NaN, wrong shape)."""


def validation_problems(err: Exception) -> str:
    """A pydantic ``ValidationError`` as one line: ``field: message; field: message``."""
    errors = getattr(err, "errors", None)
    if not callable(errors):
        return str(err)
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in errors())
