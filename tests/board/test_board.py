"""Leaderboard and compare: determinism, escaping, significance, pictures, validation."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from conftest import tiny_run_args

from xir_bench.board.cells import compare_columns
from xir_bench.board.compare import compare
from xir_bench.board.markdown import escape
from xir_bench.board.publish import publish
from xir_bench.board.significance import paired_randomization_test
from xir_bench.board.views import cross_lingual_matrix, rank_distance_by_language
from xir_bench.cards import get_task_card
from xir_bench.cli.main import main
from xir_bench.core.languages import LANGUAGES
from xir_bench.core.settings import Setting
from xir_bench.errors import XirBenchError
from xir_bench.results.runs import Run, discover_runs, resolve_run
from xir_bench.results.store import StoredResult

LANGS = "de,en,es"


@pytest.mark.slow
def test_board_is_deterministic_and_complete(results: Path, tmp_path: Path) -> None:
    first = tmp_path / "a" / "README.md"
    second = tmp_path / "b" / "README.md"
    publish(results, first, Path("models"))
    publish(results, second, Path("models"))
    text = first.read_text()
    assert text == second.read_text()
    for png in sorted((first.parent / "plots").glob("*.png")):
        assert png.read_bytes() == (second.parent / "plots" / png.name).read_bytes()
    assert "## XQuAD-R" in text and "| Mo mAP" in text and "rank distance by query language" in text
    assert "static-tiny" in text and "bm25" in text
    assert "paired randomization (sign-flip) test" in text and "Benjamini-Hochberg" in text
    assert text.count("**") >= 2 * 4  # a best value per column
    assert "(plots/static-tiny.xquad-r.map.png)" in text


@pytest.mark.slow
def test_model_names_link_to_cards_and_are_escaped(results: Path, tmp_path: Path) -> None:
    (bm25_run,) = [p for p in results.iterdir() if p.name == "bm25"]
    evil = results / "evil"
    shutil.copytree(bm25_run, evil)
    (meta,) = evil.rglob("model_meta.json")
    meta.write_text(json.dumps({"name": "e|v*i_l [x](y) <b>", "revision": "r"}))
    models = tmp_path / "models"
    models.mkdir()
    (models / "bm25.toml").write_text('name = "bm25"\nkind = "bm25"\n')
    out = tmp_path / "board" / "README.md"
    publish(results, out, models)
    text = out.read_text()
    assert "e\\|v\\*i\\_l \\[x\\]\\(y\\) \\<b\\>" in text and "e|v*i_l" not in text
    assert "[bm25](../models/bm25.toml)" in text
    assert escape("a|b\nc") == "a\\|b c"


def test_significance_rejects_planted_difference_and_not_identical_runs() -> None:
    rng = np.random.default_rng(0)
    base = rng.random(300)
    better = np.clip(base + 0.2 + 0.05 * rng.standard_normal(300), 0, 1)
    assert paired_randomization_test(better, base).p_value < 0.01
    same = paired_randomization_test(base, base.copy())
    assert same.p_value == 1.0 and same.mean_difference == 0.0


def test_significance_false_positive_rate_is_nominal() -> None:
    rejections = 0
    trials = 200
    for seed in range(trials):
        rng = np.random.default_rng(1000 + seed)
        truth = rng.random(60)
        a = truth + 0.1 * rng.standard_normal(60)
        b = truth + 0.1 * rng.standard_normal(60)
        rejections += paired_randomization_test(a, b, n_resamples=500, seed=seed).p_value < 0.05
    assert rejections / trials <= 0.09  # nominal 0.05; a binomial(200, 0.05) exceeds 18 with p < 0.01


def test_heatmap_and_rank_distance_data(results: Path, tmp_path: Path) -> None:
    card = get_task_card("xquad-r")
    run = next(r for r in discover_runs(results) if r.model == "bm25")
    matrix = cross_lingual_matrix(run, "XQuADR", card)
    assert matrix.shape == (3, 3) and list(matrix.index) == ["de", "en", "es"] == list(matrix.columns)
    subsets = {e["hf_subset"]: e for e in run.results["XQuADR"].task_result["scores"]["test"]}
    assert matrix.loc["en", "en"] == subsets["eng-eng"]["map"] and matrix.loc["en", "de"] == subsets["eng-deu"]["map"]
    assert len(rank_distance_by_language(run, "XQuADR", card)) == 3
    out = tmp_path / "board" / "README.md"
    publish(results, out, Path("models"))
    image = matplotlib.image.imread(out.parent / "plots" / "bm25.xquad-r.map.png")
    assert image.ndim == 3 and image.shape[0] > 100


def test_bad_results_file_is_named_and_board_kept(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "board" / "README.md"
    publish(results, out, Path("models"))
    before = out.read_bytes()
    (victim,) = (results / "bm25").rglob("XQuADR.json")
    victim.write_text(victim.read_text()[:200])  # truncated
    with pytest.raises(XirBenchError, match=r"XQuADR\.json: line \d+, column \d+: not valid JSON"):
        publish(results, out, Path("models"))
    assert out.read_bytes() == before
    victim.write_text(json.dumps({"task_name": "XQuADR", "scores": {"test": [{"hf_subset": "eng-eng"}]}}))
    with pytest.raises(XirBenchError, match="not a valid result file"):
        publish(results, out, Path("models"))
    assert out.read_bytes() == before


def test_compare_command(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = {r.model: r for r in discover_runs(results)}
    table = compare(runs["bm25"], runs["static-tiny"])
    assert "eng-deu" in table and "A − B" in table and "p (BH)" in table
    assert table.count("\n") >= 12 + 3
    assert main(["compare", str(results / "bm25"), str(results / "static-tiny"), "--metric", "ndcg_at_10"]) == 0
    assert "A ndcg_at_10" in capsys.readouterr().out
    assert resolve_run(results / "bm25").model == "bm25"


def test_compare_names_valid_metrics_and_uncompared_tasks(
    results: Path, tiny_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(results / "bm25"), str(results / "static-tiny"), "--metric", "ndcg@10"]) == 2
    err = capsys.readouterr().err
    assert "no score named 'ndcg@10'" in err and "ndcg_at_10" in err and "same_language_share" in err
    from conftest import write_lareqa

    write_lareqa(tiny_data, "mlqa-r", ("de", "en", "es", "ar", "hi", "vi", "zh"))
    args = ["run", "--model", "bm25", "--task", "mlqa-r", "--languages", LANGS, "--data-dir", str(tiny_data)]
    assert main([*args, "--output", str(results), "--quiet"]) == 0
    capsys.readouterr()
    metric = ["--metric", "same_language_share"]
    assert main(["compare", str(results / "bm25"), str(results / "static-tiny"), *metric]) == 0
    out = capsys.readouterr().out
    assert "not compared: MLQAR (only bm25 has results for it)" in out
    multi_row = next(line for line in out.splitlines() if "eng-all" in line).split()
    assert multi_row[-2:] == ["0.6000", "0.7500"]  # A − B and its p-value: the per-query column was found


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_test_equals_scipy(seed: int) -> None:
    from scipy import stats

    rng = np.random.default_rng(seed)
    a, b = rng.random(9), rng.random(9)
    ours = paired_randomization_test(a, b, n_resamples=1000)
    reference = stats.permutation_test(
        (a - b,),
        lambda x, axis=-1: np.mean(x, axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=1000,
    )
    assert ours.p_value == pytest.approx(reference.pvalue, abs=1e-12)


@pytest.mark.slow
def test_monte_carlo_is_seeded_on_large_samples() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.random(130_000), rng.random(130_000)
    first = paired_randomization_test(a, b, seed=3)
    assert first == paired_randomization_test(a, b, seed=3)
    assert 0 < first.p_value <= 1 and first.n == 130_000


def _fake_run(name: str, per_query: pd.DataFrame) -> Run:
    subsets = per_query.groupby("subset")["map"].mean()
    entries = [
        {
            "hf_subset": s,
            "languages": [],
            "main_score": float(v),
            "map": float(v),
            "ndcg_at_10": float(v),
            "n_queries": 3,
        }
        for s, v in subsets.items()
    ]
    task_result = {"task_name": "XQuADR", "scores": {"test": entries}}
    return Run(name, "r", Path(name), {"XQuADR": StoredResult(task_result, per_query)})


def test_significance_unit_is_the_question_not_the_setting() -> None:
    """3 questions x 40 cross settings all 0.1 better: 120 'pairs', but only 3 independent units.

    Pairing (setting, query) rows would call this significant; with the question as the
    unit the exact test over 3 clusters cannot go below p = 0.25.
    """
    codes = sorted(LANGUAGES)[:7]
    subsets = [Setting.of(a, b).subset for a in codes for b in codes if a != b][:40]
    rows = [(s, q) for s in subsets for q in ("q1", "q2", "q3")]
    base = pd.DataFrame(rows, columns=["subset", "query_id"])
    rng = np.random.default_rng(0)
    worse = base.assign(map=rng.random(len(base)) * 0.5)
    better = worse.assign(map=worse["map"] + 0.1)
    runs = [_fake_run("better", better), _fake_run("worse", worse)]
    cells = compare_columns(runs, "XQuADR", columns=(("Cr mAP", "cross", "map", True),))
    assert cells[("better", "Cr mAP")].best
    assert cells[("worse", "Cr mAP")].significant is False
    pooled = paired_randomization_test(worse["map"].to_numpy(), better["map"].to_numpy())
    assert pooled.p_value < 0.01  # what a per-row test would (wrongly) have said


def test_rows_scored_another_way_say_so() -> None:
    from xir_bench.board.render import _scoring_note

    frame = pd.DataFrame({"subset": ["eng-eng"], "query_id": ["q1"], "map": [0.5]})
    run = _fake_run("m", frame)
    assert "before xir-bench 0.2" in _scoring_note(run, "XQuADR")  # no evaluation record: old results
    run.results["XQuADR"].task_result["evaluation"] = {"ties": "reference", "sentence_source": "breaks"}
    assert _scoring_note(run, "XQuADR") == " (1 of 11 languages)"  # one subset: English only
    run.results["XQuADR"].task_result["evaluation"] = {"ties": "pool-order", "sentence_source": "field"}
    assert _scoring_note(run, "XQuADR") == " (ties: pool-order; sentences: field; 1 of 11 languages)"


def _run_into(out: Path, model: str, data: Path, *extra: str) -> None:
    assert main(tiny_run_args(model, data, out, *extra)) == 0


@pytest.mark.slow
def test_not_zero_shot_rows_are_marked_and_ranked_apart(
    results: Path, tiny_data: Path, static_model: Path, tmp_path: Path
) -> None:
    """A model whose card names the task's source is in its own table; the random row sits under both."""
    models = tmp_path / "models"
    shutil.copytree("models", models)
    (models / "static-tiny.toml").write_text(
        'name = "static-tiny"\ndescription = "test"\ntraining_data = ["SQuAD v1.1 train"]\n', encoding="utf-8"
    )
    _run_into(results, "random", tiny_data)
    out = tmp_path / "board" / "README.md"
    publish(results, out, models)
    text = out.read_text()
    main_table, rest = text.split("### XQuAD-R: not zero-shot", 1)
    assert "[bm25]" in main_table and "static-tiny" not in main_table.split("## XQuAD-R", 1)[1]
    trained_table = rest.split("Ties ranked", 1)[0]
    assert "static-tiny" in trained_table and "trained on SQuAD v1.1 train" in trained_table
    assert "| 1   |" in trained_table  # ranked among themselves
    assert main_table.count("(expected)*") == 1 and trained_table.count("(expected)*") == 1
    assert "RD ÷ random ↓" in text


def test_two_revisions_of_one_model_stop_the_board(results: Path, tmp_path: Path) -> None:
    (run,) = [p for p in (results / "bm25").iterdir()]
    shutil.copytree(run, results / "bm25" / "bm25s-old")
    with pytest.raises(XirBenchError, match=r"bm25: 2 revisions \(bm25s-.*, bm25s-old\)"):
        publish(results, tmp_path / "b" / "README.md", Path("models"))


def test_one_model_name_in_two_folders_stops_the_board(results: Path, tmp_path: Path) -> None:
    shutil.copytree(results / "bm25", results / "bm25-copy")
    with pytest.raises(XirBenchError, match=r"model name 'bm25' is stored twice"):
        publish(results, tmp_path / "b" / "README.md", Path("models"))


def test_reproduce_reports_ok_and_fail(tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conditions = tmp_path / "conditions.toml"
    mono = sum(1 / k for k in range(1, 8)) / 7  # E[AP] of one answer among 7, by hand
    command = f"xir-bench run --model random --task xquad-r --languages {LANGS} --data-dir {{data_dir}} --quiet"
    conditions.write_text(
        f'[[condition]]\nname = "random-good"\nmodel = "random"\ntask = "xquad-r"\ncommands = ["{command}"]\n'
        f"[condition.expected]\nmono_map = {mono!r}\nmulti_rank_distance = 11.0\n\n"  # RD: (3-1)(21+1)/(3+1)
        f'[[condition]]\nname = "random-bad"\nmodel = "random"\ntask = "xquad-r"\ncommands = ["{command}"]\n'
        "[condition.expected]\nmono_map = 0.3\n",
        encoding="utf-8",
    )
    args = ["reproduce", "--conditions", str(conditions), "--data-dir", str(tiny_data)]
    assert main([*args, "--condition", "random-good"]) == 0
    assert "2 of 2 scores reproduced" in capsys.readouterr().out
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "1 FAIL" in out
    assert main([*args, "--condition", "nope"]) == 2


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ("mono_map = inf", "expected mono_map = inf is not a possible value of map"),
        ("cross_map = -inf", "expected cross_map = -inf is not a possible value of map"),
        ("multi_map = 1.5", r"fix: a finite number in \[0, 1\]"),
        ("multi_rank_distance = nan", "fix: a finite number >= 0"),
        ("", "no expected scores, so nothing would be checked"),
        ("rank_distance = 1.0", "unknown score 'rank_distance' for a parallel task"),
        ("mono_ndcg_at_100 = 0.5", "unknown score 'mono_ndcg_at_100'"),
        ("mono_map = 0.1", "'../../c' becomes a file or folder name"),
    ],
)
def test_reproduce_refuses_what_it_cannot_check(expected: str, message: str, tmp_path: Path, run_cli) -> None:
    """inf / -inf passed as OK and an empty expectation as "0 of 0 scores reproduced", exit 0;
    a condition's name, which names a scratch folder, may not climb out of it."""
    name = "../../c" if "folder" in message else "c"
    conditions = tmp_path / "conditions.toml"
    conditions.write_text(
        f'[[condition]]\nname = "{name}"\nmodel = "random"\ntask = "xquad-r"\ncommands = ["xir-bench info xquad-r"]\n'
        f"[condition.expected]\n{expected}\n",
        encoding="utf-8",
    )
    result = run_cli("reproduce", "--conditions", conditions, "--data-dir", tmp_path, expect=2)
    assert re.search(message, result.err), result.err


@pytest.mark.slow
@pytest.mark.realdata
def test_card_recipe_runs_as_written(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """static-scratch's card recipe, run as written from a folder with ../shared/data beside it."""
    import shlex
    import tomllib

    card = tomllib.loads(Path("models/static-scratch.toml").read_text(encoding="utf-8"))
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent)
    monkeypatch.chdir(work)
    argv = shlex.split(card["recipe"])
    assert argv[0] == "xir-bench" and main(argv[1:]) == 0
    assert (work / "models" / "static-scratch" / "modules.json").is_file()


def test_mteb_training_data_of_the_original_counts() -> None:
    """A port of a model mteb knows inherits mteb's record (multilingual-e5 lists XQuADRetrieval)."""
    from xir_bench.cards import ModelCard, get_task_card
    from xir_bench.models.zero_shot import contamination

    port = ModelCard(name="e5-port", original="intfloat/multilingual-e5-small")
    assert contamination(port, get_task_card("xquad-r")) == "trained on XQuAD (by mteb)"
    assert contamination(port, get_task_card("mlqa-r")) is None
    unknown = ModelCard(name="other", original="nobody/no-such-model")
    assert contamination(unknown, get_task_card("xquad-r")) is None


@pytest.mark.slow
def test_unverified_local_data_is_labelled_and_never_reused(
    tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The synthetic files are not the release: results say so, on disk and on the board; an edit
    to a file changes the data identity, so the stored result is not reused."""
    args = ["run", "--model", "bm25", "--task", "xquad-r", "--languages", LANGS, "--data-dir", str(tiny_data)]
    with pytest.warns(UserWarning, match="differ from the release"):
        assert main([*args, "--output", str(tmp_path / "r"), "--quiet"]) == 0
    (result,) = (tmp_path / "r").rglob("XQuADR.json")
    stored = json.loads(result.read_text())
    assert (
        stored["dataset_revision"].startswith("local:") and stored["evaluation"]["data"] == stored["dataset_revision"]
    )
    board = tmp_path / "board" / "README.md"
    assert main(["leaderboard", "--results", str(tmp_path / "r"), "--out", str(board)]) == 0
    assert "data: unverified local copy" in board.read_text()
    assert "3 of 11 languages" in board.read_text()  # a partial result is not passed off as the full task
    en = tiny_data / "lareqa" / "xquad-r" / "en.json"
    en.write_text(en.read_text().replace("apple", "appla"))  # same length: the breaks still fit
    capsys.readouterr()
    with pytest.warns(UserWarning, match="differ from the release"):
        assert main([*args, "--output", str(tmp_path / "r")]) == 2
    assert "was computed another way (data: stored 'local:" in capsys.readouterr().err
    assert json.loads(result.read_text()) == stored  # nothing lost
    with pytest.warns(UserWarning, match="differ from the release"):
        assert main([*args, "--output", str(tmp_path / "r"), "--overwrite"]) == 0
    assert json.loads(result.read_text())["dataset_revision"] != stored["dataset_revision"]


@pytest.mark.realdata
def test_the_release_files_are_verified(shared_data: Path) -> None:
    from xir_bench.cards import get_task_card
    from xir_bench.data.tasks import load_task

    collection = load_task("xquad-r", ["en", "de"], data_dir=shared_data)
    assert collection.data == get_task_card("xquad-r").source.revision


def _edit_result(results: Path, model: str, edit) -> Path:
    (path,) = (results / model).rglob("XQuADR.json")
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("value", "message"),
    [(99.0, r"map = 99.0 is outside \[0, 1\]"), (-0.5, "outside"), ("NaN", "not a finite number")],
)
def test_scores_out_of_range_are_refused(results: Path, tmp_path: Path, value, message: str) -> None:
    """An mAP of 99 once ranked a model first with Mo 9.32; a NaN or a negative one is as wrong."""

    def plant(data: dict) -> None:
        data["scores"]["test"][0]["map"] = float(value)

    _edit_result(results, "bm25", plant)
    with pytest.raises(XirBenchError, match=message):
        publish(results, tmp_path / "board" / "README.md", Path("models"))
    assert not (tmp_path / "board").exists()


@pytest.mark.slow
def test_a_result_mixing_language_sets_is_refused(results: Path, tiny_data: Path, tmp_path: Path) -> None:
    """--overwrite --languages de,en into a de,en,es result left 2-language pools beside 3-language subsets."""
    args = ["run", "--model", "bm25", "--task", "xquad-r", "--data-dir", str(tiny_data), "--output", str(results)]
    assert main([*args, "--languages", "de,en", "--settings", "multi", "--overwrite", "--quiet"]) == 0
    # the rerun replaced the result (a different pool): it is one 2-language square, consistent again
    publish(results, tmp_path / "ok" / "README.md", Path("models"))

    def shrink_one_pool(data: dict) -> None:
        entry = next(e for e in data["scores"]["test"] if e["hf_subset"].endswith("-all"))
        entry["languages"] = entry["languages"][:1]

    _edit_result(results, "static-tiny", shrink_one_pool)
    with pytest.raises(XirBenchError, match=r"mixes language sets: .*pool is"):
        publish(results, tmp_path / "board" / "README.md", Path("models"))


def test_picture_file_name_collisions_are_refused(results: Path) -> None:
    """Names that reduce to one file name would overwrite each other's pictures."""
    from xir_bench.board.publish import check_publishable

    (run,) = [r for r in discover_runs(results) if r.model == "bm25"]
    twins = [Run("my model", run.revision, run.folder, run.results), Run("my/model", run.revision, run.folder, {})]
    with pytest.raises(XirBenchError, match="'my model' and 'my/model' would share the picture files my-model"):
        check_publishable(twins)


def test_miracl_subset_names_and_link_targets_are_escaped(tmp_path: Path) -> None:
    from xir_bench.board.markdown import model_link as _model_link

    models = tmp_path / "models"
    models.mkdir()
    (models / "a)b.toml").write_text("")
    link = _model_link("a)b", models, tmp_path / "board" / "README.md")
    assert link.endswith("(../models/a%29b.toml)") and link.count("](") == 1


@pytest.mark.slow
def test_a_failure_while_drawing_leaves_the_old_board_and_pictures(
    results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Board and pictures change together: drawing happens in a staging folder, swapped in at the end."""
    from xir_bench.board import publish as publish_module

    board = tmp_path / "board" / "README.md"
    publish(results, board, Path("models"))
    before = {p.name: p.read_bytes() for p in (board.parent / "plots").iterdir()}
    text = board.read_text()
    real = publish_module._pictures
    calls = []

    def fail_late(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed while drawing")
        return real(*args, **kwargs)

    monkeypatch.setattr(publish_module, "_pictures", fail_late)
    with pytest.raises(KeyboardInterrupt):
        publish(results, board, Path("models"))
    assert board.read_text() == text
    assert {p.name: p.read_bytes() for p in (board.parent / "plots").iterdir()} == before
    assert {p.name for p in board.parent.iterdir()} == {"README.md", "plots"}  # no staging folder left


@pytest.mark.slow
def test_compare_tests_every_measure_the_table_has(bm25_run: Path, tiny_data: Path, run_cli) -> None:
    """Per-query columns are named like subset scores, so every measure gets its paired test."""
    from xir_bench.core.metrics import MEASURES

    run_cli(*tiny_run_args("bm25-snowball", tiny_data, bm25_run))
    a, b = next(bm25_run.glob("bm25/*")), next(bm25_run.glob("bm25-snowball/*"))
    for measure in (m for m in MEASURES if "parallel" in m.scopes or "multi" in m.scopes):
        out = run_cli("compare", a, b, "--metric", measure.name).out
        rows = [line.split() for line in out.splitlines() if line.startswith("XQuADR")]
        assert rows, measure.name
        assert all(len(row) >= 6 and row[5] != "-" for row in rows), (measure.name, out)  # a p-value per row
    wrong = run_cli("compare", a, b, "--metric", "same_language_first", expect=2)
    assert "use one of map, map_at_1000, ndcg_at_10, mrr, mrr_at_10, recall_at_1" in wrong.err


@pytest.mark.slow
def test_a_plots_folder_the_board_did_not_make_is_never_deleted(results: Path, tmp_path: Path, run_cli) -> None:
    """``leaderboard --out site/board.md`` deleted a user's site/plots/ (notes.txt gone) and left it 0700."""
    site = tmp_path / "site"
    (site / "plots").mkdir(parents=True)
    (site / "plots" / "notes.txt").write_text("mine", encoding="utf-8")
    refused = run_cli("leaderboard", "--results", results, "--out", site / "board.md", expect=2)
    assert f"{site / 'plots'} exists and was not made by xir-bench leaderboard" in refused.err
    assert (site / "plots" / "notes.txt").read_text(encoding="utf-8") == "mine" and not (site / "board.md").exists()

    fresh = tmp_path / "fresh"
    old_umask = os.umask(0o022)
    try:
        for _ in range(2):  # its own folder (marked) is replaced on the next publish
            run_cli("leaderboard", "--results", results, "--out", fresh / "board.md")
    finally:
        os.umask(old_umask)
    plots = fresh / "plots"
    assert (plots / ".xir-bench-plots").is_file() and any(plots.glob("*.png"))
    assert stat.S_IMODE(plots.stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in plots.iterdir()} == {0o644}


@pytest.mark.slow
def test_each_task_section_opens_with_every_model_side_by_side(results: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "bm25.toml").write_text('name = "bm25"\nkind = "bm25"\nlanguages = ["en", "de"]\n')
    out = tmp_path / "board" / "README.md"
    publish(results, out, models)
    lines = out.read_text().splitlines()
    heading = lines.index("## XQuAD-R")
    assert lines[heading + 4] == "![XQuAD-R: every model side by side](plots/xquad-r.overview.png)"
    picture = matplotlib.image.imread(out.parent / "plots" / "xquad-r.overview.png")
    assert picture.shape[1] > picture.shape[0]  # two panels side by side


def test_languages_outside_a_models_card_are_marked(tmp_path: Path) -> None:
    from xir_bench.board.plots import marked
    from xir_bench.board.publish import _languages_of

    assert marked(["de", "el", "en"], {"en", "de"}) == ["de", "el*", "en"]
    assert marked(["de", "el"], None) == ["de", "el"]
    (tmp_path / "a.toml").write_text('name = "a"\nlanguages = ["en", "de"]\n')
    (tmp_path / "b.toml").write_text('name = "b"\nlanguages = ["multilingual (XLM-R\'s 100 languages)"]\n')
    assert _languages_of(tmp_path, "a") == {"en", "de"}
    assert _languages_of(tmp_path, "b") is None and _languages_of(tmp_path, "missing") is None
