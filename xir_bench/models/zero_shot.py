"""Is a model zero-shot on a task? Its card's training data against the task card's sources.

A model trained on the data a task is drawn from (multilingual-e5 on SQuAD, from which
XQuAD is translated; a model trained by ``xir-bench train --train mlqa-r``) is not
zero-shot there, and the board ranks it apart. The model card says what it was trained
on: ``training_data`` (names of data sets) and, for models ``xir-bench train`` made,
``[training] train``; for a port of a model mteb knows (the card's ``original``), mteb's
``ModelMeta.training_datasets`` count too (multilingual-e5 lists ``XQuADRetrieval``). The
task card lists its ``sources``. Names match case-insensitively, ignoring punctuation, as
whole words (``SQuAD`` matches "SQuAD 1.1", not "SQuADx"); mteb task names are read
without their ``Retrieval`` / ``HardNegatives`` / ``Reranking`` suffixes.
"""

from __future__ import annotations

import re

from xir_bench.cards import ModelCard, TaskCard


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


_MTEB_SUFFIX = re.compile(r"(HardNegatives|Retrieval|Reranking|-[A-Z]{2})+$")


def mteb_training_sets(original: str) -> list[str]:
    """mteb's recorded training data of the hub model ``original`` (its own registry, offline), or []."""
    if "/" not in original:
        return []
    try:
        import mteb

        meta = mteb.get_model_meta(original)
    except Exception:  # not in mteb's registry (and no network to ask the hub): nothing recorded
        return []
    return sorted({_MTEB_SUFFIX.sub("", name) for name in (meta.training_datasets or [])})


def training_sets(card: ModelCard) -> list[str]:
    """What the card (and mteb, for a port of a model it knows) says the model was trained on."""
    named = [*card.training_data, *([card.trained_on] if card.trained_on else [])]
    return named + [f"{name} (by mteb)" for name in mteb_training_sets(card.original)]


def contamination(card: ModelCard | None, task: TaskCard) -> str | None:
    """Why ``card``'s model is not zero-shot on ``task`` (e.g. "trained on SQuAD"), or None."""
    if card is None:
        return None
    names = [task.name, task.title, *task.sources]
    for trained in training_sets(card):
        haystack = _words(trained)
        hit = next((name for name in names if _words(name) in haystack), None)
        if hit is not None:
            return f"trained on {trained}"
    return None
