"""``kb show ID``: one entry in full."""

from __future__ import annotations

import argparse
import sys

from kb.commands._common import add_entries_option, add_format_option, entries_dir
from kb.errors import EntryNotFoundError, UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "show",
        help="print one entry in full",
        description="Print one entry in full: signatures, affected versions, fixes, evidence. "
        "Exit 1 if no entry has that id.",
    )
    p.add_argument("id", help="the entry's id, as 'kb search' prints it")
    add_entries_option(p)
    add_format_option(p, "text", "json")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kb.errors import display_path, shorten
    from kb.loader import load_file
    from kb.output.entry import entry_json, entry_text
    from kb.search import open_index

    root = entries_dir(args)
    if not root.is_dir():
        raise UsageError(f"{root}: no such entries directory")
    index = open_index(root)
    record = index.state.records.get(args.id)
    if record is None:
        close = sorted(i for i in index.state.records if args.id in i)[:5]
        hint = f"; did you mean: {', '.join(close)}" if close else ""
        raise EntryNotFoundError(f"no entry with id {shorten(args.id, 120)}{hint}")
    path = root / record["path"]
    loaded, problems = load_file(path)
    if loaded is None:
        for problem in problems:
            print(f"kb: {problem}", file=sys.stderr)
        return 1
    if args.format == "json":
        sys.stdout.write(entry_json(loaded.entry))
    else:
        sys.stdout.write(entry_text(loaded.entry, display_path(path)))
    return 0
