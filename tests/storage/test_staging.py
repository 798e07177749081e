"""Leftovers of killed runs (staging folders, half-written files, training scratch) are swept
by the next run that works there, and never while their owner still runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from xir_bench.storage.staging import sweep

KILLED_WRITER = """
import sys, time
from pathlib import Path
from xir_bench.storage.atomic import atomic_open
from xir_bench.storage.staging import staged_folder
folder = Path(sys.argv[1])
with staged_folder(folder / "model") as staging:
    (staging / "weights.bin").write_bytes(b"x" * 1000)
    with atomic_open(folder / "board.png", "wb") as handle:
        handle.write(b"half")
        print("ready", flush=True)
        time.sleep(60)
"""


def test_leftovers_of_a_killed_run_are_swept(tmp_path: Path) -> None:
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert len(leftovers) == 2 and all("xirtmp" in name for name in leftovers)
    assert sweep(tmp_path) == []  # its owner still runs: nothing is touched
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert sorted(p.name for p in sweep(tmp_path)) == leftovers
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("rerun", [["--overwrite"], []], ids=["new result", "reused result"])
def test_a_run_sweeps_what_a_killed_writer_left(rerun: list[str], tiny_data: Path, tmp_path: Path) -> None:
    """A SIGKILL between the table and the JSON left a .XQuADR.json.xirtmp-*.tmp; a rerun that
    writes anew removed it, one that reused the result never did."""
    from xir_bench.cli.main import main
    from xir_bench.storage import staging

    args = ["run", "--model", "bm25", "--task", "xquad-r", "--languages", "de,en", "--data-dir", str(tiny_data)]
    assert main([*args, "--output", str(tmp_path), "--quiet"]) == 0
    (result,) = tmp_path.rglob("XQuADR.json")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = result.parent / f".XQuADR.json.{staging.MARKER}-{staging._HOST}-{dead.stdout.strip()}-abc.tmp"
    leftover.write_text("{")
    assert main([*args, "--output", str(tmp_path), "--quiet", *rerun]) == 0
    assert not leftover.exists()
