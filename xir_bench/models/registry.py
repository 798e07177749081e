"""One place that turns a model spec into a model: ``load_model(spec)``.

The kinds of model are declared in :mod:`xir_bench.models.builtin_kinds` (``random``,
``bm25``, ``pip:NAME``, sentence-transformers folders and hub ids); :func:`register_kind`
adds one, and an installed package can declare its own under the ``xir_bench.model_kinds``
entry-point group. Every entry point goes through here: ``xir-bench run``, ``xir_bench.load_model``
(mteb), the MIRACL pipeline's Ray workers, the recipes and the benchmarks. So a model has
one name and revision everywhere (result folders, ``model_meta.json``, embedding caches),
and a bad spec is the same :class:`~xir_bench.errors.XirBenchError` with a fix from each.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from xir_bench.errors import XirBenchError
from xir_bench.models.builtin_kinds import BUILTIN_KINDS
from xir_bench.models.kind import LoadedModel, LoadOptions, ModelKind
from xir_bench.models.openvino_backend import check_backend

#: Packages declare kinds of their own under this entry-point group (a ``ModelKind`` each).
ENTRY_POINT_GROUP = "xir_bench.model_kinds"
_KINDS: list[ModelKind] = list(BUILTIN_KINDS)
_PLUGINS_LOADED = False


def _load_plugins() -> None:
    """The kinds installed packages declare (once per process), asked before the built-in ones."""
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        kind = entry.load()
        if not isinstance(kind, ModelKind):
            raise XirBenchError(
                f"entry point {entry.name} = {entry.value} ({ENTRY_POINT_GROUP}) is not a ModelKind\n"
                "  fix: point it at a ModelKind object (xir_bench.models.kind.ModelKind)"
            )
        register_kind(kind)


def register_kind(kind: ModelKind) -> None:
    """Add a kind of model; it is asked before the built-in ones (the catch-all would claim its specs).

    Registering a kind under a name already taken replaces that kind."""
    _KINDS[:] = [kind, *(k for k in _KINDS if k.name != kind.name)]


def unregister_kind(name: str) -> None:
    """Remove a kind added by :func:`register_kind` (the built-in ones stay)."""
    builtin = {k.name for k in BUILTIN_KINDS}
    _KINDS[:] = [k for k in _KINDS if k.name != name or k.name in builtin]


def kinds() -> tuple[ModelKind, ...]:
    """The kinds, in the order they claim specs."""
    _load_plugins()
    return tuple(_KINDS)


def kind_of(spec: str) -> ModelKind:
    """The kind that claims ``spec`` (the sentence-transformers catch-all if no other does)."""
    return next(kind for kind in kinds() if kind.matches(spec))


def check_spec(spec: object, revision: str | None = None, backend: str = "torch") -> ModelKind:
    """A mistake in ``spec`` named at once, before any model code is imported; returns its kind.

    Not a string, empty, padded, a built-in name in capitals, a backend for a model without
    a network, and each kind's own checks (a missing folder, an unknown ``pip:`` model, a
    hub id offline)."""
    if not isinstance(spec, str) or not spec.strip():
        raise XirBenchError(
            f"model spec {spec!r} is not a model name\n  fix: a local folder, pip:NAME or a hub id, as a string"
        )
    if spec != spec.strip():
        raise XirBenchError(f"model spec {spec!r} has spaces around it\n  fix: {spec.strip()!r}")
    kind = kind_of(spec)
    lower = kind_of(spec.lower())
    if lower is not kind and lower is not _KINDS[-1] and not Path(spec).exists():
        raise XirBenchError(f"no model {spec!r}; model names are lower case\n  fix: did you mean {spec.lower()!r}?")
    check_backend(backend)
    if backend != "torch" and backend not in kind.backends:
        raise XirBenchError(
            f"--backend {backend} runs a neural network; {spec} ({kind.name}) has none it applies to\n"
            "  fix: leave --backend out"
        )
    options = LoadOptions(revision=revision, backend=backend)
    kind.check(spec, options)
    return kind


def load_model(
    spec: str,
    revision: str | None = None,
    query_prefix: str | None = None,
    passage_prefix: str | None = None,
    batch_size: int | None = None,
    device: str | None = None,
    backend: str = "torch",
) -> LoadedModel:
    """The model named by ``spec`` (see the module docstring), checked first.

    ``backend`` (``torch`` or ``openvino``) runs a sentence-transformers model's network;
    the other kinds have one engine each and refuse any backend but torch."""
    kind = check_spec(spec, revision, backend)
    options = LoadOptions(revision, query_prefix, passage_prefix, batch_size, device, backend)
    model = kind.load(spec, options)
    return model if model.kind == kind.name else replace(model, kind=kind.name)
