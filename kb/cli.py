"""The ``kb`` command: parse arguments, call one library function, print, return an exit code.

This is the only module that touches argv, stdout, stderr and exit codes. Subcommands
live in :mod:`kb.commands`, one module each; they import their heavy dependencies only
when they run, so ``kb --help`` stays quick.

Exit codes: 0 success (nothing found), 1 findings (lint problems, no search match,
failures that apply), 2 usage error, 3 unexpected internal error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from kb import __version__, commands
from kb.errors import KbError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

ORDER = ("search", "show", "scan", "check", "lint", "verify", "new", "index", "schema")

EPILOG = """\
exit codes:
  0    success; nothing to report
  1    findings: lint problems, no known failure matches, failures that apply,
       verified outcomes that contradict an entry
  2    usage error (bad option, missing file)
  3    internal error (a bug in kb: please report it)
  130  interrupted

Run 'kb COMMAND --help' for a command's options.
"""


def _terminal_width() -> int:
    """What :func:`shutil.get_terminal_size` answers, without importing shutil.

    argparse makes a help formatter for every argument it adds, and its default one
    imports shutil (and with it zlib, bz2 and lzma) just to learn the width.
    """
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24) -> None:
        super().__init__(prog, indent_increment, max_help_position, _terminal_width() - 2)


class _RawFormatter(argparse.RawDescriptionHelpFormatter, _Formatter):
    pass


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        chosen = kwargs.get("formatter_class", argparse.HelpFormatter)
        if chosen is argparse.RawDescriptionHelpFormatter:
            kwargs["formatter_class"] = _RawFormatter
        elif chosen is argparse.HelpFormatter:
            kwargs["formatter_class"] = _Formatter
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, one subparser per module in :mod:`kb.commands`.

    With ``only``, just that command's subparser is built: running one command then
    imports no other command's module.
    """
    parser = _Parser(
        prog="kb",
        description="A knowledge base of known failures of Python packages: "
        "find one from its error text, check an environment, lint the entries.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    if only is not None:
        names = [only]
    else:
        import pkgutil

        names = [
            m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_")
        ]
        names.sort(key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    for name in names:
        module = importlib.import_module(f"kb.commands.{name}")
        module.register(sub)
    return parser


def _is_command(name: str) -> bool:
    """True when ``kb.commands.<name>`` exists (without importing it)."""
    if not name.isidentifier() or name.startswith("_"):
        return False
    return os.path.exists(os.path.join(commands.__path__[0], name + ".py"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run kb with ``argv`` (default: the process arguments); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else None
    only = command if command and _is_command(command) else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.run(args)
    except KbError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kb: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (kb ... | head); nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("KB_DEBUG"):
            raise
        print(
            f"kb: internal error: {type(exc).__name__}: {exc}\n"
            "kb: this is a bug in kb; run again with KB_DEBUG=1 for the traceback and report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
