"""Leftovers of killed runs (staging folders, half-written files, training scratch) are swept
by the next run that works there, and never while their owner still runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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


def test_a_new_result_sweeps_its_folder(tiny_data: Path, tmp_path: Path) -> None:
    from xir_bench.cli.main import main

    args = ["run", "--model", "bm25", "--task", "xquad-r", "--languages", "de,en", "--data-dir", str(tiny_data)]
    assert main([*args, "--output", str(tmp_path), "--quiet"]) == 0
    (result,) = tmp_path.rglob("XQuADR.json")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    from xir_bench.storage import staging

    leftover = result.parent / f".XQuADR.json.{staging.MARKER}-{staging._HOST}-{dead.stdout.strip()}-abc.tmp"
    leftover.write_text("{")
    time.sleep(0.01)
    assert main([*args, "--output", str(tmp_path), "--quiet", "--overwrite"]) == 0
    assert not leftover.exists()


def test_a_run_that_reuses_or_refuses_still_sweeps(tiny_data: Path, tmp_path: Path) -> None:
    """A SIGKILL between the table and the JSON left a .XQuADR.json.xirtmp-*.tmp that reruns never removed."""
    from xir_bench.cli.main import main
    from xir_bench.storage import staging

    args = ["run", "--model", "bm25", "--task", "xquad-r", "--languages", "de,en", "--data-dir", str(tiny_data)]
    assert main([*args, "--output", str(tmp_path), "--quiet"]) == 0
    (result,) = tmp_path.rglob("XQuADR.json")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = result.parent / f".XQuADR.json.{staging.MARKER}-{staging._HOST}-{dead.stdout.strip()}-abc.tmp"
    leftover.write_text("{")
    assert main([*args, "--output", str(tmp_path), "--quiet"]) == 0  # reused
    assert not leftover.exists()
