"""The tasks in mteb's own dataset layout, so they can be contributed to mteb (``xir-bench export-mteb``).

One folder per per-kind task (``LAReQAXQuADMono`` ...), a Hugging Face dataset that
``datasets.load_dataset`` and mteb's ``RetrievalDatasetLoader`` read: for every subset three
configs, ``<subset>-corpus`` (id, title, text), ``<subset>-queries`` (id, text) and
``<subset>-qrels`` (query-id, corpus-id, score), in mteb's push layout, declared in a dataset
card made by huggingface_hub; a table several subsets share (every subset of the multilingual
task has the same pool) is stored once. Each task's folder is staged and renamed into place
whole, ready for ``huggingface_hub.upload_folder``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

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


def dataset_card(card: TaskCard, kind: SettingKind, configs: list[dict[str, Any]], counts: dict[str, int]) -> str:
    """README.md of an exported task, made with huggingface_hub's dataset card: the YAML header
    (licence, languages, task category, source data sets, the configs mteb's loader reads), then
    what the data is (the task's description, its known pool properties included), how its
    subsets are named, how to use it and its citation."""
    from huggingface_hub import DatasetCard, DatasetCardData

    metadata = task_metadata(card, kind)
    data = DatasetCardData(
        license=card.license,
        language=sorted(card.languages),
        task_categories=["text-retrieval"],
        task_ids=["document-retrieval"],
        multilinguality="multilingual",
        source_datasets=list(card.sources),
        pretty_name=metadata.name,
        configs=configs,
        tags=["mteb", "xir-bench"],
    )
    text = (
        f"# {metadata.name}\n\n{metadata.description}\n\n"
        f"Made by `xir-bench export-mteb` from {card.title} ({card.reference}, revision {card.source.revision}); "
        f"licence {card.license}. {counts['subsets']} subsets, split `{card.split}`. A subset has three "
        "configs, `<subset>-corpus` (id, title, text), `<subset>-queries` (id, text) and `<subset>-qrels` "
        "(query-id, corpus-id, score), as mteb's `push_dataset_to_hub` writes them; a table that several "
        f"subsets share (the same pool) is stored once and named by each ({counts['files']} parquet files).\n\n"
        "Subsets are named by role: `eng` (English queries, English pool), `eng_queries-deu_pool` "
        "(English queries, German pool), `eng_queries-all_pool` (English queries, one pool of every "
        "language).\n\n"
        f"## Use\n\n```python\nimport mteb\nimport xir_bench.mteb_tasks  # registers {metadata.name}\n\n"
        f'task = mteb.get_task("{metadata.name}")\n```\n\n'
        f"## Citation\n\n```bibtex\n{card.citation}\n```\n"
    )
    # not from_template: its jinja would read the citation's {{braces}}
    return str(DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{text}"))


def export_task(card: TaskCard, output: Path, data_dir: str | Path | None = None, progress: bool = True) -> list[Path]:
    """Every per-kind task of a parallel card under ``output/<TaskName>``; returns the folders.

    Files follow mteb's push layout (``<config>/<split>-00000-of-00001.parquet``); a table equal to
    one already written (a pool shared by subsets) is not written again: its config points at it."""
    collection = load_task(card, None, data_dir)
    folders = []
    for kind in SETTING_KINDS:
        name = kind_task_name(card, kind)
        target = Path(output) / name
        subsets = subset_names(card, kind)
        written: dict[str, str] = {}  # table digest -> its folder
        configs = []
        with staged_folder(target) as staging:
            for subset, setting in tqdm(subsets.items(), desc=name, disable=not progress):
                for part, frame in subset_frames(collection, setting).items():
                    config = f"{subset}-{part}"
                    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
                    digest.update(f"{part}\0{','.join(frame.columns)}\0{len(frame)}".encode())
                    folder = written.setdefault(digest.hexdigest(), config)
                    if folder == config:
                        (staging / folder).mkdir()
                        frame.to_parquet(staging / folder / f"{card.split}-00000-of-00001.parquet", index=False)
                    configs.append(
                        {
                            "config_name": config,
                            "data_files": [{"split": card.split, "path": f"{folder}/{card.split}-*"}],
                        }
                    )
            counts = {"subsets": len(subsets), "files": len(written)}
            (staging / "README.md").write_text(dataset_card(card, kind, configs, counts), encoding="utf-8")
        folders.append(target)
    return folders
