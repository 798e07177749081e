"""``xir-bench compare``: two runs subset by subset, with paired tests on per-query scores."""

from __future__ import annotations

import numpy as np
from tabulate import tabulate

from xir_bench.board.significance import adjust, paired_randomization_test
from xir_bench.core.metrics import MEASURES
from xir_bench.errors import XirBenchError
from xir_bench.results.runs import Run, subset_kind


def compare(run_a: Run, run_b: Run, metric: str = "map", seed: int = 0) -> str:
    """Per-subset deltas (A − B) with paired tests, BH-adjusted over all rows, as a terminal table."""
    shared_tasks = set(run_a.results) & set(run_b.results)
    known = [
        m.name
        for m in MEASURES
        if any(
            m.name in scores
            for run in (run_a, run_b)
            for t in shared_tasks
            for scores in run.results[t].subsets().values()
        )
    ]
    if metric not in known:
        raise XirBenchError(
            f"no score named {metric!r} in the runs' shared tasks\n  fix: use one of {', '.join(known)}"
        )
    rows, p_values = [], []
    for task in sorted(shared_tasks):
        a_table, b_table = run_a.results[task].per_query, run_b.results[task].per_query
        a_subsets = run_a.results[task].subsets()
        b_subsets = run_b.results[task].subsets()
        order = {"mono": 0, "cross": 1, "multi": 2}
        for subset in sorted(set(a_subsets) & set(b_subsets), key=lambda s: (order[subset_kind(s)], s)):
            if metric not in a_subsets[subset] or metric not in b_subsets[subset]:
                continue
            a = a_table[a_table["subset"] == subset].set_index("query_id")[metric] if metric in a_table else None
            b = b_table[b_table["subset"] == subset].set_index("query_id")[metric] if metric in b_table else None
            p = float("nan")
            if a is not None and b is not None:
                joined = a.to_frame("a").join(b.to_frame("b"), how="inner")
                p = paired_randomization_test(joined["a"].to_numpy(), joined["b"].to_numpy(), seed=seed).p_value
            value_a, value_b = a_subsets[subset][metric], b_subsets[subset][metric]
            rows.append([task, subset, value_a, value_b, value_a - value_b])
            p_values.append(p)
    if not rows:
        raise XirBenchError(f"{run_a.folder} and {run_b.folder} share no task and subset with metric {metric!r}")
    for row, p in zip(rows, adjust(p_values), strict=True):
        row += [p, "*" if np.isfinite(p) and p < 0.05 else ""]
    headers = ["task", "subset", f"A {metric}", f"B {metric}", "A − B", "p (BH)", "sig."]
    title = f"A = {run_a.model} ({run_a.revision})\nB = {run_b.model} ({run_b.revision})\n"
    for run, other in ((run_a, run_b), (run_b, run_a)):
        alone = sorted(set(run.results) - set(other.results))
        if alone:
            title += f"not compared: {', '.join(alone)} (only {run.model} has results for it)\n"
    return title + tabulate(rows, headers=headers, floatfmt=".4f", missingval="-")
