"""Models built from scratch, offline: a locally trained tokenizer and static embeddings.

No pretrained multilingual model is needed to try xir-bench, test it or train with it:
a WordPiece tokenizer is trained on the task's own texts with ``tokenizers`` and wrapped
in sentence-transformers' ``StaticEmbedding`` (a bag of token vectors, mean pooled).
With random vectors it behaves like a random projection of bag-of-words overlap - a
lexical baseline in embedding form - and it is what the training recipe starts from.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

from xir_bench.storage.outputs import require_new_folder
from xir_bench.storage.staging import scratch_folder, staged_folder

SPECIAL_TOKENS = ("[PAD]", "[UNK]")


def _bert_tokenizer(vocab: dict[str, int]) -> Tokenizer:
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False, handle_chinese_chars=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    return tokenizer


def train_tokenizer(texts: Iterable[str], vocab_size: int = 8000) -> Tokenizer:
    """A lower-casing WordPiece tokenizer whose vocabulary is a function of ``texts`` alone.

    ``tokenizers``' own WordPiece trainer is not used: it breaks ties between equally
    frequent merges in hash-map order, which changes from process to process
    (huggingface/tokenizers#1794), so the same command and seed gave a different
    vocabulary and so a different model. Here the vocabulary is built by counting:
    every character seen (word-initial, and ``##`` word-internal) so that any word can
    be spelled, then whole words by frequency, ties broken by the word itself; ids are
    the specials followed by the tokens in sorted order. CJK characters are split one per
    token by the normalizer, so for Chinese the characters are the words.
    """
    probe = _bert_tokenizer({token: index for index, token in enumerate(SPECIAL_TOKENS)})
    words: Counter[str] = Counter()
    for text in texts:
        normalized = probe.normalizer.normalize_str(text)
        words.update(word for word, _ in probe.pre_tokenizer.pre_tokenize_str(normalized))
    pieces: Counter[str] = Counter()
    for word, count in words.items():
        pieces[word[0]] += count
        for char in word[1:]:
            pieces["##" + char] += count
    budget = max(0, vocab_size - len(SPECIAL_TOKENS))
    by_frequency = sorted(pieces.items(), key=lambda item: (-item[1], item[0]))
    chosen = {piece for piece, _ in by_frequency[:budget]}
    whole = sorted((item for item in words.items() if item[0] not in chosen), key=lambda item: (-item[1], item[0]))
    chosen.update(word for word, _ in whole[: budget - len(chosen)])
    return _bert_tokenizer({token: index for index, token in enumerate([*SPECIAL_TOKENS, *sorted(chosen)])})


def token_vectors(tokens: list[str], dim: int, seed: int = 0) -> np.ndarray:
    """A random vector per token that depends on the token and the seed only, not on its id.

    So a token keeps its vector when another token enters or leaves the vocabulary.
    """
    rows = np.empty((len(tokens), dim), dtype=np.float32)
    for row, token in enumerate(tokens):
        key = int.from_bytes(hashlib.sha256(token.encode()).digest()[:8], "little")
        rows[row] = np.random.default_rng([seed, key]).standard_normal(dim)
    return rows


def build_static_model(texts: Iterable[str], dim: int = 128, vocab_size: int = 8000, seed: int = 0):
    """A ``SentenceTransformer`` of static token embeddings, seeded, over ``texts``' tokenizer."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    tokenizer = train_tokenizer(texts, vocab_size)
    by_id = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    weights = token_vectors([token for token, _ in by_id], dim, seed)
    return SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=weights)], device="cpu")


def save_model_atomically(model: object, output: str | Path, extra_files: dict[str, str] | None = None) -> Path:
    """Save a ``SentenceTransformer`` (and ``extra_files``: name -> text) so that ``output``
    appears whole or not at all."""
    output = Path(output)
    require_new_folder(output)
    with staged_folder(output) as staging:
        model.save(str(staging))  # type: ignore[attr-defined]
        for name, text in (extra_files or {}).items():
            (staging / name).write_text(text, encoding="utf-8")
    return output


def save_static_model(
    texts: Iterable[str], output: str | Path, dim: int = 128, vocab_size: int = 8000, seed: int = 0
) -> Path:
    """Build and save a static model to ``output`` (a folder sentence-transformers loads)."""
    output = Path(output)
    require_new_folder(output)
    return save_model_atomically(build_static_model(texts, dim=dim, vocab_size=vocab_size, seed=seed), output)


def save_tiny_transformer(
    texts: Iterable[str],
    output: str | Path,
    hidden: int = 256,
    layers: int = 4,
    heads: int = 4,
    vocab_size: int = 8000,
    max_seq_length: int = 128,
    seed: int = 0,
) -> Path:
    """Save a randomly initialised small BERT (mean pooled) with a locally trained tokenizer.

    Slower to encode than a static model by orders of magnitude, as real encoders are:
    the speed benchmark uses it so that encoding, not scoring, dominates a run.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    output = Path(output)
    require_new_folder(output)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=train_tokenizer(texts, vocab_size),
        unk_token="[UNK]",
        pad_token="[PAD]",
        model_max_length=max_seq_length,
    )
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=4 * hidden,
        max_position_embeddings=max_seq_length,
        pad_token_id=tokenizer.pad_token_id,
    )
    with scratch_folder("tiny-bert") as scratch:
        staging = Path(scratch)
        raw = staging / "hf"
        BertModel(config).save_pretrained(raw)
        tokenizer.save_pretrained(raw)
        transformer = Transformer(str(raw), max_seq_length=max_seq_length)
        model = SentenceTransformer(modules=[transformer, Pooling(hidden, "mean")], device="cpu")
        return save_model_atomically(model, output)
