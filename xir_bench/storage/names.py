"""Names that become paths: one rule for task, model, revision and condition names.

A task card's ``mteb_name`` becomes a result file's name, a model's name and revision its
result folder; a card from a stranger (``XIR_BENCH_TASK_CARDS``, a pull request) could
otherwise write outside the folder the user gave (``mteb_name = "../../escaped"``). Such a
name is an identifier: letters, digits, ``.``, ``_`` and ``-``, starting with a letter or
digit, never ``..``; and every path made of names is proven to stay inside its root.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated

from pydantic import AfterValidator

from xir_bench.errors import XirBenchError

_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit, without '..'"


def is_identifier(name: str) -> bool:
    return isinstance(name, str) and _IDENTIFIER.fullmatch(name) is not None and ".." not in name


def _identifier(value: str) -> str:
    if not is_identifier(value):
        raise ValueError(f"{value!r} becomes a file or folder name; use {RULE}")
    return value


#: A card or condition field whose value becomes a file or folder name.
Identifier = Annotated[str, AfterValidator(_identifier)]


def check_identifier(name: str, what: str) -> str:
    """``name`` if it is an identifier, else an error saying which rule it breaks."""
    if not is_identifier(name):
        raise XirBenchError(f"{what} {name!r} cannot name a file or folder\n  fix: use {RULE}")
    return name


def stays_below(path: str) -> bool:
    """A relative path that cannot climb out of the folder it is read against (a card's data
    path, a published model card's folder)."""
    pure = PurePosixPath(path.replace("\\", "/"))
    return not pure.is_absolute() and ".." not in pure.parts and not PureWindowsPath(path).drive


def inside(root: Path, *names: str) -> Path:
    """``root/names...``, each name an identifier, the result proven to lie inside ``root``."""
    path = Path(root).joinpath(*names)
    resolved_root = Path(root).resolve()
    if not path.resolve().is_relative_to(resolved_root):
        raise XirBenchError(f"{path} lies outside {root}; nothing is written outside the folder given")
    return path
