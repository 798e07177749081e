"""Retrieval on parallel groups kept out of training, logged while the model trains."""

from __future__ import annotations

from typing import Any

from xir_bench.train.pairs import TrainingPairs

HELD_OUT = "held-out"


def held_out_evaluator(pairs: TrainingPairs, query_prompt: str, passage_prompt: str) -> Any:
    """Retrieval on parallel groups kept out of training: each held-out question against all
    held-out answer sentences (every language), the multilingual-pool setting in small."""
    from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

    queries: dict[str, str] = {}
    corpus: dict[str, str] = {}
    relevant: dict[str, set[str]] = {}
    passage_ids: dict[str, str] = {}
    for query, positive, query_lang, group in zip(
        pairs.queries, pairs.positives, pairs.query_languages, pairs.groups, strict=True
    ):
        qid = f"{group}:{query_lang}"
        queries[qid] = query
        pid = passage_ids.setdefault(positive, f"p{len(passage_ids)}")
        corpus[pid] = positive
        relevant.setdefault(qid, set()).add(pid)
    return InformationRetrievalEvaluator(
        queries,
        corpus,
        relevant,
        name=HELD_OUT,
        query_prompt=query_prompt,
        corpus_prompt=passage_prompt,
        map_at_k=[len(corpus)],
        mrr_at_k=[10],
        ndcg_at_k=[10],
        accuracy_at_k=[1],
        precision_recall_at_k=[10],
        write_csv=False,
    )


def held_out_scores(entry: dict[str, Any]) -> dict[str, float]:
    """The evaluator's map / ndcg@10 / mrr@10 from a log entry (trainer adds an ``eval_`` prefix)."""
    scores = {}
    for key, value in entry.items():
        bare = key.removeprefix("eval_").removeprefix(f"{HELD_OUT}_")
        if HELD_OUT in key and bare.startswith("cosine_") and ("map@" in bare or "ndcg@10" in bare or "mrr@10" in bare):
            scores[bare.removeprefix("cosine_").split("@")[0]] = round(float(value), 4)
    return scores
