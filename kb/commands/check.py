"""``kb check``: which known failures apply to an environment, a lockfile or requirements."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kb.commands._common import add_entries_option, add_format_option

if TYPE_CHECKING:
    from collections.abc import Collection

    from kb.catalog.records import EntrySummary
    from kb.check import Ignore
    from kb.environment import Environment


def add_environment_options(p: argparse.ArgumentParser) -> None:
    """Where versions come from; shared with ``kb scan``."""
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--python",
        metavar="PATH",
        help="inspect the distributions of another interpreter (e.g. .venv/bin/python)",
    )
    group.add_argument(
        "-r",
        "--requirement",
        metavar="FILE",
        help="a requirements file or 'pip freeze' output ('-' for standard input); "
        "only == pins count",
    )
    group.add_argument(
        "--lockfile",
        metavar="FILE",
        help="uv.lock, poetry.lock, pylock.toml, Pipfile.lock or a requirements file",
    )
    p.add_argument(
        "--lockfile-format",
        choices=("uv", "poetry", "pylock", "pipfile", "requirements"),
        metavar="FORMAT",
        help="read --lockfile as this format: uv, poetry, pylock, pipfile or requirements "
        "(default: from the file's name, else from its content)",
    )
    p.add_argument(
        "--python-version",
        metavar="X.Y[.Z]",
        help="the interpreter version a lockfile or requirements file is for",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="which known failures apply to this environment or lockfile",
        description="Report every known failure whose conditions all hold for the versions "
        "installed for this interpreter (default), another interpreter (--python), a "
        "requirements file (-r) or a lockfile (--lockfile). Exit 1 when any applies.",
        epilog="Ignores: --ignore ID:REASON or ID@YYYY-MM-DD:REASON (expires after that day), "
        'or in pyproject.toml:  [tool.kb] ignore = [{id = "ID", reason = "...", '
        "until = 2027-01-01}].  Exit codes: 0 nothing applies, 1 something applies, "
        "2 bad option or unreadable input.",
    )
    add_environment_options(p)
    p.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID:REASON",
        help="leave an entry out, with a reason (repeatable; ID@YYYY-MM-DD:REASON expires)",
    )
    p.add_argument(
        "--config",
        type=Path,
        metavar="PYPROJECT",
        help="pyproject.toml with [tool.kb] ignores (default: the nearest one above the "
        "lockfile or the working directory)",
    )
    p.add_argument("--no-config", action="store_true", help="do not read pyproject.toml")
    p.add_argument(
        "--all",
        action="store_true",
        help="also list entries in range that fail only where code uses a removed API "
        "(they have no fixing release, so versions alone do not decide them)",
    )
    add_entries_option(p)
    add_format_option(p, "text", "json", "github")
    p.set_defaults(run=run)


def load_environment(args: argparse.Namespace) -> Environment:
    """The environment chosen by --python / -r / --lockfile (default: this interpreter)."""
    from kb import environment
    from kb.environment import requirements
    from kb.errors import UsageError

    env: Environment
    if args.lockfile_format and not args.lockfile:
        raise UsageError("--lockfile-format needs --lockfile FILE")
    if args.python:
        env = environment.from_python(args.python)
    elif args.requirement == "-":
        env = requirements.parse(Path("<stdin>"), text=_stdin_text())
    elif args.requirement:
        env = requirements.parse(Path(args.requirement))
    elif args.lockfile:
        env = environment.from_file(Path(args.lockfile), fmt=args.lockfile_format)
    else:
        env = environment.from_running_interpreter()
    if args.python_version:
        from packaging.version import InvalidVersion

        from kb.errors import shorten
        from kb.matching.versions import parse_version

        try:
            parse_version(args.python_version)
        except InvalidVersion:
            raise UsageError(
                f"--python-version {shorten(args.python_version)}: not a version"
            ) from None
        env = env.with_python(args.python_version)
    return env


def _stdin_text() -> str:
    """Standard input as requirements text, read within the bounds of a lockfile."""
    from kb.environment._records import decode, read_stream

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a stream without a descriptor
        buffer = getattr(sys.stdin, "buffer", None)
        return decode(buffer.read(), "<stdin>") if buffer is not None else sys.stdin.read()
    return read_stream(fd, "<stdin>")


def candidate_entries(
    args: argparse.Namespace, env: Environment
) -> tuple[list[EntrySummary], Collection[str]]:
    """The entries that can apply to ``env``, read from the catalog (built or refreshed as
    needed), and the ids of all entries; broken entry files are counted on stderr."""
    from kb.check import candidates
    from kb.commands._common import open_catalog

    _, index = open_catalog(args)
    return candidates(index, env), index.state.records


def _ignores(args: argparse.Namespace) -> list[Ignore]:
    from kb.check import find_pyproject, ignores_from_pyproject, parse_ignore

    ignores = [parse_ignore(text) for text in args.ignore]
    if args.no_config:
        return ignores
    config: Path | None = args.config
    if config is None:
        near = args.lockfile or (args.requirement if args.requirement != "-" else None)
        start = Path(near).resolve().parent if near else Path.cwd()
        config = find_pyproject(start)
    if config is not None:
        ignores.extend(ignores_from_pyproject(config))
    return ignores


def run(args: argparse.Namespace) -> int:
    from kb.check import applicable
    from kb.output import check as output

    env = load_environment(args)
    entries, everything = candidate_entries(args, env)
    report = applicable(entries, env, _ignores(args), everything=everything)
    if args.format == "json":
        sys.stdout.write(output.to_json(report))
    elif args.format == "github":
        sys.stdout.write(output.to_github(report, args.lockfile or args.requirement))
    else:
        sys.stdout.write(output.to_text(report, show_if_used=args.all))
    sys.stderr.write(output.summary(report))
    return 1 if report.applies else 0
