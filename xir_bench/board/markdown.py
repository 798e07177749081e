"""Markdown the board can trust: escaped cell text, safe file names, links that cannot break a table."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape(text: str) -> str:
    """Text safe inside a markdown table cell: specials backslash-escaped, no line breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def slug(text: str) -> str:
    """A file-name-safe form of a model name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "model"


def model_link(name: str, models_dir: Path, out: Path) -> str:
    card = models_dir / f"{name}.toml"
    if card.is_file():
        return f"[{escape(name)}]({quote(relative_link(card, out))})"  # a target cannot end the link early
    return escape(name)


def relative_link(path: Path, out: Path) -> str:
    return Path(os.path.relpath(path, out.parent)).as_posix()
