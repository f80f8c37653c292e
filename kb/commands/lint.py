"""``kb lint [PATH...]``: check entry files and report problems with stable rule codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from kb.commands._common import add_entries_option, add_format_option, entries_dir, progress_enabled


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "lint",
        help="check entry files (schema, signatures, versions, evidence)",
        description="Check entry files and report each problem as 'path:line:col: CODE message'. "
        "Exit 0 when clean or only warnings, 1 when there are findings, 2 on a usage error.",
        epilog="Selectors are rule codes or prefixes (KB4, KB40, KB403) or ALL. "
        "List the rules with --list-rules; read one with --explain CODE.",
    )
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or directories (default: the entries directory)",
    )
    add_entries_option(p)
    add_format_option(p, "text", "json", "github")
    p.add_argument(
        "--select",
        metavar="CODES",
        help="comma-separated rule codes or prefixes to enable (default: all)",
    )
    p.add_argument(
        "--ignore", metavar="CODES", help="comma-separated rule codes or prefixes to disable"
    )
    p.add_argument(
        "--statistics", action="store_true", help="print the number of findings per rule"
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help="lint in N processes (0: one per CPU for large trees; default: 1)",
    )
    p.add_argument("--list-rules", action="store_true", help="list every rule code and exit")
    p.add_argument("--explain", metavar="CODE", help="print the documentation of one rule and exit")
    p.set_defaults(run=run)


def _codes(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [c.strip() for c in value.split(",") if c.strip()]


def run(args: argparse.Namespace) -> int:
    from kb.errors import UsageError
    from kb.lint import run_lint
    from kb.output.lint import errors, render, render_statistics, summary

    if args.explain:
        from kb.lint.rules import BY_CODE

        rule = BY_CODE.get(args.explain.strip().upper())
        if rule is None:
            raise UsageError(f"--explain: unknown rule code {args.explain!r}")
        print(f"# {rule.code} {rule.name}\n\n{rule.summary}\n\n{rule.doc}")
        return 0
    if args.list_rules:
        from kb.lint.rules import RULES

        for rule in RULES:
            print(f"{rule.code}  {rule.name:<28}  {rule.summary}")
        return 0
    paths: list[Path] = args.paths or [entries_dir(args)]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    progress = _progress() if progress_enabled() else None
    if args.jobs is not None and args.jobs < 0:
        raise UsageError("--jobs: must be 0 or more")
    report = run_lint(
        paths,
        select=_codes(args.select),
        ignore=_codes(args.ignore),
        progress=progress,
        jobs=args.jobs,
    )
    if progress is not None:
        sys.stderr.write("\r\033[K")
    if args.statistics and args.format == "text":
        sys.stdout.write(render_statistics(report))
    else:
        sys.stdout.write(render(report, args.format))
    sys.stdout.flush()
    print(summary(report), file=sys.stderr)
    return 1 if errors(report) else 0


def _progress() -> Callable[[int], None]:
    def show(done: int) -> None:
        if done % 500 == 0:
            sys.stderr.write(f"\rkb lint: {done:,} files checked")
            sys.stderr.flush()

    return show
