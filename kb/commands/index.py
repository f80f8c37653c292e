"""``kb index``: build or refresh the search index explicitly."""

from __future__ import annotations

import argparse
import sys

from kb.commands._common import (
    add_entries_option,
    entries_dir,
    index_progress,
    progress_enabled,
)
from kb.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "index",
        help="build or refresh the search index",
        description="Build or refresh the search index of the entries. Search does this by "
        "itself when entries change (only changed entries are re-indexed); run it to do it "
        "ahead of time, or with --rebuild to start over. The index lives in the cache "
        "directory ($KB_CACHE_DIR, else $XDG_CACHE_HOME/kb, else ~/.cache/kb).",
    )
    p.add_argument("--rebuild", action="store_true", help="discard the index and build it anew")
    add_entries_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kb.search import RefreshReport, fulltext, open_index

    root = entries_dir(args)
    if not root.is_dir():
        raise UsageError(f"{root}: no such entries directory")

    report = RefreshReport()
    index = open_index(
        root,
        rebuild=args.rebuild,
        full_check=True,
        progress=index_progress if progress_enabled() else None,
        report=report,
    )
    # the full-text index too, so that the first search that needs it does not wait
    fulltext.reader(index)
    index.close()
    problems = index.state.problems()
    for line in report.warnings:
        print(f"kb: warning: {line}", file=sys.stderr)
    for line in problems:
        print(f"kb: skipped invalid entry: {line}", file=sys.stderr)
    where = "memory" if index.directory is None else str(index.directory)
    print(
        f"{len(index.state.records)} entries indexed in {where} "
        f"({report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged{', rebuilt' if report.rebuilt else ''})"
    )
    return 1 if problems else 0
