"""Options and helpers shared by several subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

from kb.startup import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from kb.catalog.refresh import Index


def add_entries_option(parser: argparse.ArgumentParser) -> None:
    """``--entries DIR``: the knowledge base to use."""
    parser.add_argument(
        "--entries",
        type=Path,
        default=None,
        metavar="DIR",
        help="entries directory (default: $KB_ENTRIES, else entries/ of this checkout)",
    )


def entries_dir(args: argparse.Namespace) -> Path:
    """The entries directory chosen by ``--entries`` or the default."""
    from kb.files import default_entries_dir

    chosen: Path | None = getattr(args, "entries", None)
    return chosen if chosen is not None else default_entries_dir()


def add_format_option(parser: argparse.ArgumentParser, *choices: str) -> None:
    """``--format`` with the given choices, and ``--json`` as a shorthand."""
    parser.add_argument(
        "--format", choices=choices, default="text", help="output format (default: text)"
    )
    if "json" in choices:
        parser.add_argument(
            "--json",
            dest="format",
            action="store_const",
            const="json",
            help="same as --format json",
        )


def progress_enabled() -> bool:
    """Progress goes to stderr only when a person is watching it."""
    return sys.stderr.isatty()


def index_progress(done: int, total: int) -> None:
    """Progress of indexing on stderr, one line rewritten in place."""
    if done == total or done % 250 == 0:
        print(f"\rkb: indexing {done:,}/{total:,} entries", end="", file=sys.stderr)
        if done == total:
            print(file=sys.stderr)


def open_catalog(args: argparse.Namespace) -> tuple[Path, Index]:
    """The catalog of the chosen entries directory, built or refreshed as needed; its
    warnings and a count of broken entry files go to stderr (``kb lint`` names them)."""
    from kb.errors import UsageError
    from kb.search import RefreshReport, open_index

    root = entries_dir(args)
    if not root.is_dir():
        raise UsageError(f"{root}: entries directory not found (use --entries DIR)")
    report = RefreshReport()
    index = open_index(root, progress=index_progress if progress_enabled() else None, report=report)
    for line in report.warnings:
        print(f"kb: warning: {line}", file=sys.stderr)
    problems = index.state.problems()
    if problems:
        print(
            f"kb: {len(problems)} problem(s) in {root}; affected entries were skipped "
            "(run 'kb lint' for details)",
            file=sys.stderr,
        )
    return root, index
