"""The repository stays ruff clean (lint and format), and the README's CI blocks exist."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff(command: list[str]) -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the dev extra)")
    result = subprocess.run([ruff, *command], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_has_the_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- ci:setup -->\n```bash\npython3 -m pip install torch==2.13.0" in readme
    # CI runs everything, the slow end-to-end tests included (a plain `pytest` leaves them out)
    assert '<!-- ci:test -->\n```bash\npython3 -m pytest -m "slow or not slow"\n```' in readme
