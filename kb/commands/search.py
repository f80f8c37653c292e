"""``kb search``: the known failure behind an error line, a traceback, a log or a few words."""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from kb.commands._common import (
    add_entries_option,
    add_format_option,
    entries_dir,
    index_progress,
    progress_enabled,
)
from kb.errors import UsageError
from kb.startup import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from typing import BinaryIO, TextIO

    from kb.streams import Read

EXAMPLES = """\
examples:
  kb search "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'"
  pytest 2>&1 | kb search -
  kb search - < ci.log
  kb search httpx AsyncClient slow
  kb search --with werkzeug==3.0.1 --with flask==2.2.2 "cannot import name 'url_quote'"
  kb search --env --json - < traceback.txt

standard input is read to its end, or for at most 64 MiB and --read-timeout seconds
(Ctrl-C stops reading too); the last 256 KiB read are searched.

exit codes: 0 a known failure matches (medium or high confidence); 1 none does;
            2 usage error (empty query, bad --with)
"""

READ_TIMEOUT = 600.0
"""Seconds ``kb search -`` waits for the end of standard input (``--read-timeout``)."""
MAX_STDIN_BYTES = 64 << 20
"""Bytes of standard input ``kb search -`` reads at most (it searches their tail)."""


DEFAULTS = {
    "limit": 5,
    "package": [],
    "with_": [],
    "env": False,
    "read_timeout": READ_TIMEOUT,
    "entries": None,
    "format": "text",
}
"""The value of every option when the command line does not give it."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import argparse

    p = sub.add_parser(
        "search",
        help="find the known failure behind an error line, traceback or log",
        description=(
            "Find the known failure behind what you paste: one error line, a whole traceback,\n"
            "a CI log, or a few words. Tracebacks and logs are read for their failure lines,\n"
            "exception types, the packages in frame paths and the Python version. Give\n"
            "versions (--env, --with) to learn whether a failure applies to them. Long input\n"
            "is read from its end (the last 256 KiB); use 'kb scan' to search a whole log."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", nargs="*", help="the error text; '-' reads it from stdin")
    p.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help=f"at most N hits (default {DEFAULTS['limit']})",
    )
    p.add_argument(
        "--package",
        action="append",
        metavar="NAME",
        help="only failures involving this package (repeatable)",
    )
    p.add_argument(
        "--with",
        dest="with_",
        action="append",
        metavar="NAME==VERSION",
        help="a version you run, e.g. werkzeug==3.0.1 or python==3.12 (repeatable)",
    )
    p.add_argument(
        "--env",
        action="store_true",
        help="use the versions installed in the running interpreter",
    )
    p.add_argument(
        "--read-timeout",
        type=float,
        metavar="SECONDS",
        help=f"with '-', stop reading standard input after this long and search what was "
        f"read (default {READ_TIMEOUT:g}; 0 waits for its end)",
    )
    add_entries_option(p)
    add_format_option(p, "text", "json")
    p.set_defaults(run=run, **DEFAULTS)


def plain_args(words: list[str]) -> SimpleNamespace | None:
    """The arguments of ``kb search WORDS`` when no word is an option (nor ``-``): those
    the parser would give, read without building it, which costs a search of one error
    line more than the search. None: the parser must read them."""
    if any(word.startswith("-") for word in words):
        return None
    return SimpleNamespace(command="search", query=list(words), run=run, **DEFAULTS)


def read_query(args: argparse.Namespace) -> tuple[str, int | None]:
    """The query text from the arguments or stdin, and the input size when it was cut."""
    from kb.search.query import MAX_QUERY_BYTES, decode_query

    if args.query == ["-"]:
        tail, total = _read_stdin(args.read_timeout, MAX_QUERY_BYTES)
        text, _ = decode_query(tail)
        return text, (total if total > len(tail) else None)
    if not args.query:
        raise UsageError("no query: give an error line, a traceback, or '-' to read stdin")
    return decode_query(" ".join(args.query).encode("utf-8", "surrogateescape"))


def _read_stdin(timeout: float, keep: int) -> tuple[bytes, int]:
    """The last ``keep`` bytes of standard input and how many were read, within the bounds
    of bytes and time; when a bound (or Ctrl-C) stopped the reading, stderr says so."""
    from kb.streams import describe, read_bounded

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a stream without a descriptor
        got = _read_stream(getattr(sys.stdin, "buffer", None) or _Encoded(sys.stdin), keep)
    else:
        got = read_bounded(
            fd, max_bytes=MAX_STDIN_BYTES, timeout=timeout, keep_tail=keep, stop_on_interrupt=True
        )
    if got.stopped is not None:
        why = describe(got.stopped, max_bytes=MAX_STDIN_BYTES, timeout=timeout)
        size = f"{got.total:,} bytes"
        if got.total > len(got.data):
            size = f"the last {len(got.data):,} of {size}"
        print(
            f"kb: stopped reading standard input {why}; searching what was read ({size})",
            file=sys.stderr,
        )
    return got.data, got.total


class _Encoded:
    """A text stream read as UTF-8 bytes (standard input replaced by a text-only stream)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def read(self, size: int) -> bytes:
        return self.stream.read(size).encode("utf-8", "surrogateescape")


def _read_stream(stream: BinaryIO | _Encoded, keep: int) -> Read:
    """:func:`_read_stdin` for a stream without a descriptor (bytes bounded only)."""
    from kb.streams import Read, Stop

    kept = b""
    total = 0
    while total < MAX_STDIN_BYTES and (chunk := stream.read(1 << 20)):
        total += len(chunk)
        kept = (kept + chunk)[-keep:]
    return Read(kept, total, Stop.SIZE if total >= MAX_STDIN_BYTES else None)


def parse_versions(pairs: list[str]) -> dict[str, str]:
    """``['werkzeug==3.0.1']`` -> ``{'werkzeug': '3.0.1'}``; bad input is a usage error."""
    if not pairs:
        return {}
    from packaging.version import InvalidVersion

    from kb.errors import shorten
    from kb.matching import canonical
    from kb.matching.versions import parse_version

    versions: dict[str, str] = {}
    for pair in pairs:
        name, sep, version = pair.partition("==")
        name, version = name.strip(), version.strip()
        if not sep or not name or not version:
            raise UsageError(
                f"--with {shorten(pair)}: expected NAME==VERSION, e.g. werkzeug==3.0.1"
            )
        try:
            parse_version(version)
        except InvalidVersion:
            raise UsageError(
                f"--with {shorten(pair)}: {shorten(version)} is not a PEP 440 version"
            ) from None
        versions[canonical(name)] = version
    return versions


def run(args: argparse.Namespace) -> int:
    from kb.matching import Known
    from kb.output.search import to_json, to_text
    from kb.search import search_text

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if not args.read_timeout >= 0:  # also refuses nan
        raise UsageError("--read-timeout must be 0 or more seconds")
    text, truncated = read_query(args)
    if not text.strip():
        raise UsageError("empty query: give an error line, a traceback, or '-' to read stdin")
    named = parse_versions(args.with_)
    versions: dict[str, str] | Known = named
    if args.env:
        # the running interpreter's packages are all of them: one absent is not installed
        from kb.check import known_of
        from kb.environment import from_running_interpreter

        env_known = known_of(from_running_interpreter())
        versions = Known(
            {**env_known.versions, **named}, env_known.markers, True, env_known.problems
        )
    if truncated:
        print(
            f"kb: input is {truncated:,} bytes; searching its last part "
            "(use 'kb scan' for whole logs)",
            file=sys.stderr,
        )
    root = entries_dir(args)
    if not root.is_dir():
        raise UsageError(f"{root}: no such entries directory")
    result, report = search_text(
        text,
        root,
        limit=args.limit,
        packages=args.package,
        versions=versions,
        truncated_from=truncated,
        progress=index_progress if progress_enabled() else None,
    )
    for line in report.warnings:
        print(f"kb: warning: {line}", file=sys.stderr)
    if report.problems:
        count = len(report.problems)
        print(
            f"kb: warning: {count} invalid entr{'y' if count == 1 else 'ies'} skipped "
            f"(run 'kb lint' for details): {report.problems[0]}",
            file=sys.stderr,
        )
    if args.format == "json":
        sys.stdout.write(to_json(result))
    else:
        # with the published site's address the page path becomes a link
        site = os.environ.get("KB_SITE_URL", "")
        sys.stdout.write(to_text(result, site.rstrip("/") + "/" if site else ""))
    return 0 if result.found else 1
