"""The ``kb`` command: parse arguments, call one library function, print, return an exit code.

This is the only module that touches argv, stdout, stderr and exit codes. Subcommands
live in :mod:`kb.commands`, one module each; they import their heavy dependencies only
when they run, so ``kb --help`` stays quick.

Exit codes: 0 success (nothing found), 1 findings (lint problems, no search match,
failures that apply), 2 usage error, 3 unexpected internal error, 130 interrupted.
"""

from __future__ import annotations

import importlib
import os
import sys

from kb import commands
from kb.errors import KbError, UsageError
from kb.startup import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = UsageError.exit_code
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser (see :func:`kb.commands._parser.build_parser`)."""
    from kb.commands._parser import build_parser as build

    return build(only)


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
    # a command may read a plain command line itself (no options): the same arguments
    # as its parser would give, without building the parser
    args = None
    if only is not None:
        plain = getattr(importlib.import_module(f"kb.commands.{only}"), "plain_args", None)
        args = plain(argv[1:]) if plain is not None else None
    if args is None:
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


def console() -> int:
    """The ``kb`` command (and ``python -m kb``): :func:`main` on the process arguments.

    The process ends with it. What kb opened it has closed (files, the catalog), so the
    garbage collector's pass over every object at interpreter shutdown, about a tenth of
    a one-line search, has nothing to do: the objects are frozen out of it.
    """
    code = main()
    import gc

    gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(console())
