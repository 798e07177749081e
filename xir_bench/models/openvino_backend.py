"""Run a sentence-transformers model's transformer through OpenVINO, everything else unchanged.

sentence-transformers' own ``backend="openvino"`` goes through optimum-intel, whose
releases require an older transformers than the project runs. OpenVINO's converter takes
the torch module directly, so only the transformer's forward pass is swapped: the
tokenizer, the pooling and the normalisation are still sentence-transformers' own
modules, and an embedding differs from torch's only by float32 rounding inside the
network (cosine ≥ 0.9999 on real texts, ``bench/backends.py``).

The converted network is kept on disk under the model's revision (a changed model is
converted again, never served stale) and written whole: a folder is staged and renamed.
It runs in float32 (``INFERENCE_PRECISION_HINT``): on CPUs with bf16 units OpenVINO
would otherwise lower the precision by itself.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xir_bench.errors import XirBenchError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

#: The backends a sentence-transformers folder can be encoded with; the first is the default.
BACKENDS = ("torch", "openvino")
NETWORK_FILE = "model.xml"


def check_openvino_installed() -> None:
    """Fail at once, before any model is loaded, if openvino is not installed."""
    import importlib.util

    if importlib.util.find_spec("openvino") is None:
        require_openvino()


def require_openvino() -> Any:
    """The openvino module, or an error that says how to install it."""
    try:
        import openvino
    except ImportError as err:
        raise XirBenchError(
            "--backend openvino needs the openvino package\n"
            '  fix: python3 -m pip install "xir-bench[openvino]" (or pass --backend torch)'
        ) from err
    return openvino


def check_backend(backend: str) -> None:
    """``backend`` is one xir-bench knows, or an error listing them."""
    if backend not in BACKENDS:
        raise XirBenchError(f"unknown backend {backend!r}\n  fix: pass one of {', '.join(BACKENDS)}")


def converted_folder(cache_root: Path, revision: str) -> Path:
    """Where the network converted from the model at ``revision`` is kept. The revision alone is
    the key (a content hash, a package version and weight hash, or a hub commit): a folder's
    copy elsewhere, or the same weights shipped in a package, is converted once."""
    return Path(cache_root) / "openvino" / (re.sub(r"[^A-Za-z0-9._-]+", "_", revision).lstrip(".") or "_")


def _text_transformer(model: SentenceTransformer) -> Any:
    """The model's first module, if it is a text transformer OpenVINO can take."""
    from sentence_transformers.base.modules.transformer import Transformer

    first = model[0]
    text = getattr(first, "modality_config", {}).get("text", {})
    if not isinstance(first, Transformer) or text.get("method") != "forward":
        raise XirBenchError(
            f"--backend openvino converts a transformer text encoder; this model starts with {type(first).__name__}\n"
            "  fix: pass --backend torch for this model"
        )
    return first


def _convert(transformer: Any, folder: Path) -> None:
    """Convert the transformer's torch network and save it (float32) in ``folder``, staged and renamed."""
    import torch

    from xir_bench.storage.staging import staged_folder

    openvino = require_openvino()
    example = transformer.processor(["an example", "a second, longer example text"], padding=True, return_tensors="pt")
    # The tracer warns that transformers' mask helpers branch on shapes; for an encoder without a
    # key-value cache those branches are constant (tested: padded batches of every length agree).
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        network = openvino.convert_model(transformer.model, example_input=dict(example))
    with staged_folder(folder) as stage:
        openvino.save_model(network, stage / NETWORK_FILE, compress_to_fp16=False)


class OpenVINOForward:
    """Stands in for the transformers model inside sentence-transformers' ``Transformer``:
    takes its keyword inputs, returns the hidden states under the name the module reads."""

    def __init__(self, compiled: Any, config: Any, output_name: str) -> None:
        self.config = config
        self._request = compiled.create_infer_request()
        self._inputs = [port.get_any_name() for port in compiled.inputs]
        self._output_name = output_name

    def __call__(self, **inputs: Any) -> dict[str, Any]:
        import torch

        missing = [name for name in self._inputs if name not in inputs]
        if missing:
            raise XirBenchError(f"the OpenVINO network needs inputs {missing} the tokenizer did not give")
        result = self._request.infer({name: inputs[name].numpy() for name in self._inputs}, share_inputs=True)
        return {self._output_name: torch.from_numpy(result[0].copy())}

    forward = __call__


def compile_options(threads: int) -> dict[str, Any]:
    """How the converted network is compiled for the CPU: ``threads`` threads, one request at a
    time, float32 throughout (``bench/backends.py`` times the network compiled the same way)."""
    return {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"}


def apply_backend(model: SentenceTransformer, revision: str, backend: str) -> None:
    """Run ``model``'s network with ``backend``: torch leaves it as it is; openvino converts it
    (once per revision, into the user cache) and uses torch's thread count."""
    check_backend(backend)
    if backend == "openvino":
        import torch

        from xir_bench.data.sources import cache_root

        use_openvino(model, revision, cache_root(), torch.get_num_threads())


def use_openvino(model: SentenceTransformer, revision: str, cache_root: Path, threads: int) -> Path:
    """Make ``model`` run its transformer through OpenVINO (converted once per revision).

    Returns the folder of the converted network."""
    transformer = _text_transformer(model)
    folder = converted_folder(cache_root, revision)
    if not (folder / NETWORK_FILE).is_file():
        _convert(transformer, folder)
    openvino = require_openvino()
    compiled = openvino.Core().compile_model(str(folder / NETWORK_FILE), "CPU", compile_options(threads))
    output_name = transformer.modality_config["text"]["method_output_name"]
    shim = OpenVINOForward(compiled, transformer.model.config, output_name)
    # nn.Module refuses a plain object in place of a registered submodule; the torch weights go with it.
    del transformer._modules["model"]
    object.__setattr__(transformer, "model", shim)
    transformer.model_forward_params = None
    return folder
