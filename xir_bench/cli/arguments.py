"""Command-line values checked before any work: a mistake ends in a second, not after an evaluation.

argparse ``type=`` functions for counts that must be positive, and the checks ``run`` makes
of its whole request (every task against every language, the output folder, the device)
before it loads a model or a data set.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from xir_bench.core.languages import ISO3_TO_1
from xir_bench.errors import XirBenchError
from xir_bench.storage.outputs import require_output_folder


def positive_int(text: str) -> int:
    """An integer >= 1 (batch sizes, block sizes, chunk sizes, nprobe ...)."""
    try:
        value = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from err
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def language_list(text: str) -> list[str]:
    """``en,de`` -> ["en", "de"]; ISO 639-3 codes as the outputs use them (``eng,deu``) are accepted too."""
    codes = [part.strip() for part in text.split(",") if part.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("give at least one language code, e.g. en,de")
    return [ISO3_TO_1.get(code.lower(), code.lower()) for code in codes]


def task_list(text: str) -> list[str]:
    """``xquad-r,mlqa-r`` (mteb's names ``XQuADR``, ``MLQAR``, ``XirMIRACL`` accepted), checked against the cards."""
    from xir_bench.cards import task_cards

    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one task, e.g. xquad-r,mlqa-r")
    cards = task_cards()
    by_mteb = {card.mteb_name.lower(): name for name, card in cards.items()}
    known = sorted(cards)
    out = []
    for name in names:
        key = name.lower()
        key = by_mteb.get(key, key)
        if key not in cards:
            raise argparse.ArgumentTypeError(f"unknown task {name!r}; known tasks: {', '.join(known)}")
        out.append(key)
    return list(dict.fromkeys(out))


def check_run_request(
    tasks: list[str], languages: list[str] | None, output: Path, device: str | None, data_dir: str | None = None
) -> None:
    """Everything about a ``run`` that can be checked before loading a model or data."""
    from xir_bench.cards import get_task_card
    from xir_bench.data.sources import check_data_folder, data_root

    require_output_folder(output, "--output")
    root = data_root(data_dir)
    if root is not None:  # a misspelled --data-dir, named before torch is imported
        check_data_folder(root)
    for task in tasks:
        available, title = list(get_task_card(task).languages), get_task_card(task).title
        missing = [code for code in languages or [] if code not in available]
        if missing:
            raise XirBenchError(
                f"{title} has no language {', '.join(missing)}; its languages: {', '.join(available)} "
                "(run the tasks separately to use different languages)"
            )
    if device and device.startswith("cuda") and not cuda_available():
        raise XirBenchError(f"--device {device}: no CUDA device here; leave --device out to use what there is")


def cuda_driver_present() -> bool:
    """Whether this machine has an NVIDIA driver at all (its device files or its library)."""
    import ctypes.util
    import glob

    return bool(glob.glob("/dev/nvidia[0-9]*")) or ctypes.util.find_library("cuda") is not None


def cuda_available() -> bool:
    """A CUDA device torch can use; a machine without a driver is known without importing torch (2 s)."""
    if not cuda_driver_present():
        return False
    import torch

    return bool(torch.cuda.is_available())


def check_faiss_factory(factory: str) -> None:
    """A faiss index factory string faiss understands (tried on an empty index, nothing trained)."""
    import faiss

    try:
        faiss.index_factory(1536, factory, faiss.METRIC_INNER_PRODUCT)  # 1536: divisible by common PQ sizes
    except RuntimeError as err:
        reason = str(err).strip().rsplit(": ", 1)[-1] or "not understood"
        raise XirBenchError(
            f"--faiss {factory!r} is not a faiss index factory ({reason})\n"
            "  fix: e.g. IVF4096,Flat, IVF4096,PQ32 or HNSW32 (https://github.com/facebookresearch/faiss/wiki/The-index-factory)"
        ) from None


def csv_list(text: str) -> list[str]:
    """``"a, b,"`` -> ``["a", "b"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """``--data-dir`` and ``--languages``, as every command that reads a task takes them."""
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder holding lareqa/xquad-r/*.json etc. (default: $XIR_BENCH_DATA_DIR, then the user "
        "cache, then a verified download)",
    )
    parser.add_argument(
        "--languages",
        type=language_list,
        metavar="L1,L2",
        help="restrict to these languages: ISO 639-1 codes (en,de,zh) or the outputs' ISO 639-3 ones (eng,deu)",
    )


def alpha_argument(text: str) -> float:
    """``--alpha``: a probability or a strategy's name (see :class:`xir_bench.train.config.HybridStrategy`)."""
    from xir_bench.train.config import parse_alpha

    try:
        return parse_alpha(text)
    except XirBenchError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--alpha ")) from err


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs wrapped to the terminal paragraph by paragraph; a paragraph with
    an indented line (examples, a table of settings) is kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.strip("\n").split("\n\n"):
            lines = paragraph.splitlines()
            if any(line.startswith((" ", "\t")) for line in lines):  # indented lines as written, the rest wrapped
                paragraphs.append(
                    "\n".join(
                        indent + line
                        if line.startswith((" ", "\t"))
                        else textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent)
                        for line in lines
                    )
                )
            else:
                paragraphs.append(
                    textwrap.fill(" ".join(lines), width, initial_indent=indent, subsequent_indent=indent)
                )
        return "\n\n".join(paragraphs)


def add_command(commands: argparse._SubParsersAction, name: str, **kwargs: object) -> argparse.ArgumentParser:
    """A subcommand whose description and examples are wrapped by :class:`HelpFormatter`."""
    kwargs.setdefault("formatter_class", HelpFormatter)
    return commands.add_parser(name, **kwargs)  # type: ignore[arg-type]


def score_it_hint(model: Path | str, tasks: list[str] | None, data_dir: str | None) -> str:
    """The ``xir-bench run`` line that scores a model just made, with the options the user gave."""
    import shlex

    parts = ["xir-bench", "run", "--model", str(model), "--task", ",".join(tasks or ["xquad-r"])]
    if data_dir:
        parts += ["--data-dir", str(data_dir)]
    return "score it: " + shlex.join(parts)
