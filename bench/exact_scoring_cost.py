"""What exact scoring costs: XQuAD-R's 132 settings ranked from float32 products vs exact float64 ones.

Random 256-d embeddings (encoding is not timed). "float32 product" is the scoring xir-bench
used before 0.2 (fast, but its ranks depend on the block size); "exact float64" is
``DenseScorer``'s: vectors on a 2^-26 grid, multiplied in float64 (see xir_bench/scorers.py).

    python bench/exact_scoring_cost.py --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

from xir_bench.core.evaluate import compute_rank_table, per_query_frame
from xir_bench.core.ranking import Pool
from xir_bench.core.scorers import DenseScorer
from xir_bench.core.settings import enumerate_settings
from xir_bench.data.tasks import load_task


class Float32Products:
    """The same unit vectors, scored with a plain float32 matrix product."""

    def __init__(self, exact: DenseScorer) -> None:
        self.exact = exact
        self.queries = exact.queries.float()
        self.candidates_t = exact.candidates_t.float()

    def pools(self) -> list[Pool]:
        return self.exact.pools()

    def score(self, queries: np.ndarray, pool: Pool) -> torch.Tensor:
        return self.queries[torch.from_numpy(queries)] @ self.candidates_t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--dim", type=int, default=256)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    collection = load_task("xquad-r", data_dir=args.data_dir)
    rng = np.random.default_rng(0)
    queries = rng.standard_normal((collection.n_queries, args.dim)).astype(np.float32)
    candidates = rng.standard_normal((collection.n_candidates, args.dim)).astype(np.float32)
    started = time.perf_counter()
    exact = DenseScorer(collection, queries, candidates)
    preparation = time.perf_counter() - started
    settings = enumerate_settings(list(collection.languages))
    totals = {}
    for name, scorer in (("float32 product", Float32Products(exact)), ("exact float64", exact)):
        started = time.perf_counter()
        table = compute_rank_table(collection, scorer, progress=False)
        per_query_frame(collection, table, settings)
        totals[name] = time.perf_counter() - started
        print(f"{name:16s} rank + metrics, 132 settings: {totals[name]:.2f} s")
    print(f"exact grid preparation: {preparation:.2f} s")
    ratio = (totals["exact float64"] + preparation) / totals["float32 product"]
    print(f"ratio exact / float32 = {ratio:.2f} (target: scoring all settings <= 5 s)")


if __name__ == "__main__":
    main()
