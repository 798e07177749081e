"""Every private mteb internal xir-bench relies on, in one place.

mteb has no plugin API: its task registry is built once, at import, from the classes in
``mteb.tasks``. To make ``mteb.get_task("XQuADR")`` work we add our classes to that
registry; to encode texts through any mteb model we build its data loaders with mteb's
own (private) ``create_dataloader``; ``xir-bench mteb`` hands its arguments to mteb's
CLI. ``check_internals`` runs on import of the plugin and fails loudly, naming what
moved, when an mteb upgrade changes any of this (``tests/test_mteb.py`` covers it).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from xir_bench.errors import XirBenchError

if TYPE_CHECKING:
    from mteb.abstasks import AbsTask

#: (module, attribute) pairs this module touches; all must exist in the pinned mteb range.
INTERNALS: tuple[tuple[str, str], ...] = (
    ("mteb.get_tasks", "_TASKS_REGISTRY"),
    ("mteb.get_tasks", "TASK_LIST"),
    ("mteb._create_dataloaders", "create_dataloader"),
    ("mteb.cli", "main"),
)


def check_internals() -> None:
    """Raise one clear error if any private mteb name this module uses has moved."""
    import mteb

    missing = []
    for module_name, attribute in INTERNALS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(f"{module_name} (module)")
            continue
        if not hasattr(module, attribute):
            missing.append(f"{module_name}.{attribute}")
    if missing:
        raise XirBenchError(
            f"mteb {mteb.__version__} lacks internals xir-bench's MTEB plugin needs: {', '.join(missing)}.\n"
            "  fix: install the mteb range pinned in xir-bench's pyproject.toml, or update xir_bench/mteb_compat.py"
        )


def register_tasks(classes: Sequence[type[AbsTask]]) -> None:
    """Add task classes to mteb's registry (idempotent); a clashing name is an error."""
    import mteb.tasks

    # ``mteb.get_tasks`` is both a module and (re-exported) a function: fetch the module
    registry_module = importlib.import_module("mteb.get_tasks")

    registry: dict[str, type[AbsTask]] = registry_module._TASKS_REGISTRY
    for cls in classes:
        name = cls.metadata.name
        known = registry.get(name)
        if known is cls:
            continue
        if known is not None and not getattr(known, "_xir_bench_task", False):
            raise XirBenchError(f"mteb already has a task named {name!r} ({known.__module__}); cannot register ours")
        registry[name] = cls
        registry_module.TASK_LIST = (*(t for t in registry_module.TASK_LIST if t.metadata.name != name), cls)
        setattr(mteb.tasks, cls.__name__, cls)


def create_text_dataloader(texts: list[str], task_metadata: Any, prompt_type: Any, batch_size: int = 32) -> Any:
    """A data loader of ``texts`` as mteb builds one for queries or documents."""
    from datasets import Dataset
    from mteb._create_dataloaders import create_dataloader
    from mteb.types import PromptType

    columns: dict[str, list[str]] = {"id": [str(i) for i in range(len(texts))], "text": texts}
    if prompt_type == PromptType.document:
        columns["title"] = [""] * len(texts)
    return create_dataloader(
        Dataset.from_dict(columns), task_metadata=task_metadata, prompt_type=prompt_type, batch_size=batch_size
    )


def run_mteb_cli(argv: list[str]) -> int:
    """Run mteb's own CLI (``mteb run ...``) with xir-bench's tasks registered.

    mteb's ``get_model`` looks a local model folder up on the hub (and fails offline);
    during the call, xir-bench's model specs are honoured instead: a local folder, a
    ``pip:`` encoder or ``bm25`` loads as ``xir_bench.load_model`` loads it, a misspelled folder or an uncached
    hub id offline is named at once. An error from inside mteb ends as one line (exit 2)
    naming its kind; ``XIR_BENCH_DEBUG=1`` shows the traceback.
    """
    import os

    import mteb
    from mteb import cli

    from xir_bench.models.builtin_kinds import SENTENCE_TRANSFORMERS
    from xir_bench.models.registry import check_spec
    from xir_bench.mteb_plugin.models import mteb_model

    hub_get_model = mteb.get_model

    def get_model(model_name: str, revision: str | None = None, device: str | None = None, **kwargs: Any) -> Any:
        kind = check_spec(model_name, revision)
        from xir_bench.models.location import looks_local

        if kind is not SENTENCE_TRANSFORMERS or looks_local(model_name):  # bm25, pip:, a folder, a plugin's
            return mteb_model(model_name, device=device)
        return hub_get_model(model_name, revision, device, **kwargs)

    saved = sys.argv
    sys.argv = ["xir-bench mteb", *argv]  # argparse names mteb's usage lines after it
    mteb.get_model = get_model
    try:
        cli.main()
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int | None) else 2
    except XirBenchError:
        raise
    except Exception as err:  # mteb's own failures: one line, not a page of traceback
        if os.environ.get("XIR_BENCH_DEBUG"):
            raise
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise XirBenchError(
            f"mteb failed: {type(err).__name__}: {first}\n  fix: check the model and task names "
            "(xir-bench mteb run --help); XIR_BENCH_DEBUG=1 shows the traceback"
        ) from err
    finally:
        sys.argv = saved
        mteb.get_model = hub_get_model
    return 0
