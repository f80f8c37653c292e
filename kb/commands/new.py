"""``kb new PACKAGE --issue URL``: write a new entry skeleton, never over an existing file."""

from __future__ import annotations

import argparse
import sys

from kb.commands._common import add_entries_option, entries_dir


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "new",
        help="write the skeleton of a new entry",
        description="Write entries/<package>/<id>.yaml: a skeleton that validates against "
        "the schema, with every value to write marked 'FILL IN' (kb lint reports each one "
        "left, rule KB607). Refuses to overwrite an existing file (exit 1).",
    )
    p.add_argument("package", metavar="PACKAGE", help="the package the failure is filed under")
    p.add_argument(
        "--issue", required=True, metavar="URL", help="URL of the upstream issue (http or https)"
    )
    p.add_argument(
        "--id",
        dest="entry_id",
        metavar="ID",
        help="the entry id (default: <package>-<issue number>; add a few words that name "
        "the failure)",
    )
    add_entries_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kb.errors import display_path
    from kb.scaffold import TO_FILL, create

    path = create(entries_dir(args), args.package, args.issue, args.entry_id)
    print(display_path(path))
    print(f"kb: wrote {display_path(path)}; fill in:", file=sys.stderr)
    for item in TO_FILL:
        print(f"  - {item}", file=sys.stderr)
    print("kb: then run 'kb lint' on it: every FILL IN left is reported (KB607)", file=sys.stderr)
    return 0
