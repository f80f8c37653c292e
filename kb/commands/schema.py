"""``kb schema``: write the entry JSON Schema, or check that the written one is current."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "schema",
        help="write the JSON Schema of entries (editors validate entries with it)",
        description="Write the JSON Schema of entry files, generated from the model. "
        "With --check, write nothing and exit 1 if the file on disk is out of date.",
    )
    p.add_argument(
        "--output",
        "-o",
        type=Path,
        default=None,
        metavar="FILE",
        help="where to write (default: schema/entry.schema.json; '-' for stdout)",
    )
    p.add_argument("--check", action="store_true", help="exit 1 if FILE is not up to date")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kb.fsutil import write_atomic
    from kb.schema import SCHEMA_PATH, render_schema

    text = render_schema()
    target: Path = args.output or SCHEMA_PATH
    if str(target) == "-":
        sys.stdout.write(text)
        return 0
    if args.check:
        try:
            current = target.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            print(f"{target}: out of date; run 'kb schema' to regenerate it", file=sys.stderr)
            return 1
        print(f"{target}: up to date", file=sys.stderr)
        return 0
    write_atomic(target, text)
    print(f"{target}: written", file=sys.stderr)
    return 0
