"""The recipe's seed report finds a planted per-domain loss and nothing where there is none."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "recipes"))

from seed_report import AnswerPage, by_recipe, claims_rows, domain_rows, write_answer_page

ARTICLES = {f"law{i}": "law" for i in range(6)} | {f"sci{i}": "science" for i in range(6)}
SUBSETS = ["eng-eng", "deu-deu", "eng-deu", "deu-eng", "eng-all", "deu-all"]


def _table(rng: np.random.Generator, law_shift: float, seed_offset: float) -> pd.DataFrame:
    """Per-query rows: 12 articles x 8 questions in 6 subsets; ``law_shift`` added in law's articles."""
    rows = []
    for article in ARTICLES:
        for q in range(8):
            for subset in SUBSETS:
                shift = law_shift if ARTICLES[article] == "law" else 0.0
                value = 0.5 + shift + seed_offset + rng.normal(0, 0.02)
                multi = subset.endswith("all")
                distance = 10.0 - 20 * shift if multi else np.nan
                rows.append(
                    {
                        "subset": subset,
                        "query_id": f"{article}-{q}",
                        "article": article,
                        "map": value,
                        "rank_distance": distance,
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    out = {"base": _table(rng, 0.0, 0.0)}
    for seed, offset in enumerate([0.002, -0.001, 0.0]):
        out[f"hybrid-seed{seed}"] = _table(rng, -0.08, offset)  # hybrid loses 0.08 on law only
        out[f"x-x-mono-seed{seed}"] = _table(rng, 0.0, -offset)
        out[f"x-y-seed{seed}"] = _table(rng, 0.0, offset)
    return out


@pytest.mark.slow
def test_the_planted_law_loss_is_found_and_science_is_not_called(tables, tmp_path: Path) -> None:
    recipes = by_recipe(tables)
    _, rows = domain_rows(recipes, "hybrid", "x-x-mono", ARTICLES)
    mo = {r.slice: r for r in rows if r.column == "Mo mAP"}
    assert mo["law"].high < 0 and mo["law"].p_adjusted < 0.05
    assert mo["law"].delta == pytest.approx(-0.08, abs=0.01)
    assert mo["science"].low < 0 < mo["science"].high
    claims = {row["claim"]: row["verdict"] for row in claims_rows(recipes)}
    assert claims["hybrid batches raise cross-lingual mAP vs X-X-mono"] == "opposite"
    versus = {b: domain_rows(recipes, "hybrid", b, ARTICLES) for b in ("base", "x-x-mono")}
    command = "python recipes/reproduce_paper.py --seeds 0,1,2"
    page = AnswerPage(command, "setup", [{"model": "m"}], claims_rows(recipes), versus, {"train": 1.0})
    text = write_answer_page(page, tmp_path / "answer.md", tmp_path / "images").read_text(encoding="utf-8")
    assert "**Hybrid vs x-x-mono: 1 of 2 domains lose significantly**: law (Mo mAP -0.08" in text
    assert (tmp_path / "images" / "hybrid-vs-x-x-mono-by-domain.png").is_file()
    assert "](images/hybrid-vs-x-x-mono-by-domain.png)" in text
