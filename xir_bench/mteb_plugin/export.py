"""The tasks in mteb's own dataset layout, so they can be contributed to mteb (``xir-bench export-mteb``).

One folder per per-kind task (``LAReQAXQuADMono`` ...), a Hugging Face dataset that mteb's
``RetrievalDatasetLoader`` reads: for every subset three configs, ``<subset>-corpus`` (id,
title, text), ``<subset>-queries`` (id, text) and ``<subset>-qrels`` (query-id, corpus-id,
score), one parquet file each under the split's name, declared in the dataset card's YAML
header; the card also says where the data comes from, its licence and citation. Each task's
folder is staged and renamed into place whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from xir_bench.cards import TaskCard
from xir_bench.core.collection import ParallelCollection
from xir_bench.core.settings import SETTING_KINDS, Setting, SettingKind
from xir_bench.data.tasks import load_task
from xir_bench.mteb_plugin.metadata import kind_task_name, subset_names, task_metadata
from xir_bench.storage.staging import staged_folder


def subset_frames(collection: ParallelCollection, setting: Setting) -> dict[str, pd.DataFrame]:
    """corpus, queries and qrels of one setting, as mteb's retrieval loader reads them."""
    rows, pool = collection.setting_members(setting.query_lang, setting.pool_lang)
    in_pool = set(pool.tolist())
    qrels = [
        (collection.query_ids[row], collection.candidate_ids[answer], 1)
        for row in rows
        for answer in collection.group_relevant[collection.query_groups[row]]
        if answer in in_pool
    ]
    judged = {query for query, _, _ in qrels}
    return {
        "corpus": pd.DataFrame(
            {
                "id": [collection.candidate_ids[c] for c in pool],
                "title": [""] * len(pool),
                "text": [collection.candidate_texts[c] for c in pool],
            }
        ),
        "queries": pd.DataFrame(
            {
                "id": [collection.query_ids[r] for r in rows if collection.query_ids[r] in judged],
                "text": [collection.query_texts[r] for r in rows if collection.query_ids[r] in judged],
            }
        ),
        "qrels": pd.DataFrame(qrels, columns=["query-id", "corpus-id", "score"]),
    }


def dataset_card(card: TaskCard, kind: SettingKind, subsets: list[str]) -> str:
    """README.md of an exported task: YAML configs for mteb's loader, then what the data is."""
    metadata = task_metadata(card, kind)
    configs = [
        {"config_name": f"{subset}-{part}", "data_files": [{"split": card.split, "path": f"{subset}/{part}.parquet"}]}
        for subset in subsets
        for part in ("corpus", "queries", "qrels")
    ]
    header = {
        "license": card.license,
        "language": sorted(card.languages),
        "task_categories": ["text-retrieval"],
        "source_datasets": card.sources,
        "configs": configs,
    }
    # JSON is valid YAML: no YAML writer needed for a header read by machines
    return (
        "---\n" + json.dumps(header, indent=1, ensure_ascii=False) + "\n---\n\n"
        f"# {metadata.name}\n\n{metadata.description}\n\n"
        f"Made by xir-bench from {card.title} ({card.reference}, revision {card.source.revision}); "
        f"licence {card.license}. Subsets are named by role: `eng` (queries in English), "
        "`eng_queries-deu_pool` (English queries against the German pool).\n\n"
        f"```bibtex\n{card.citation}\n```\n"
    )


def export_task(card: TaskCard, output: Path, data_dir: str | Path | None = None, progress: bool = True) -> list[Path]:
    """Every per-kind task of a parallel card under ``output/<TaskName>``; returns the folders."""
    collection = load_task(card, None, data_dir)
    folders = []
    for kind in SETTING_KINDS:
        name = kind_task_name(card, kind)
        target = Path(output) / name
        subsets = subset_names(card, kind)
        with staged_folder(target) as staging:
            for subset, setting in tqdm(subsets.items(), desc=name, disable=not progress):
                (staging / subset).mkdir(parents=True)
                for part, frame in subset_frames(collection, setting).items():
                    frame.to_parquet(staging / subset / f"{part}.parquet", index=False)
            (staging / "README.md").write_text(dataset_card(card, kind, list(subsets)), encoding="utf-8")
        folders.append(target)
    return folders
