"""The argument parser of ``kb``: one subparser per module of :mod:`kb.commands`.

Built only when a command line needs it (see :func:`kb.cli.main`): importing ``argparse``
and the ``gettext`` lookups each parser makes cost a search of one error line about a
fifth of a bare interpreter's start-up.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from kb import __version__, commands
from kb.errors import UsageError
from kb.startup import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

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
        self.exit(UsageError.exit_code, f"{self.prog}: error: {message}\n")


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
