"""``kb scan``: which known failures occur in logs (CI output, journals, pytest logs)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from kb.commands._common import add_entries_option, add_format_option
from kb.commands.check import add_environment_options

if TYPE_CHECKING:
    from kb.catalog.cache import Catalog
    from kb.catalog.records import EntrySummary
    from kb.check import Verdict
    from kb.scan import Finding


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scan",
        help="which known failures occur in a log",
        description="Read logs of any size (streaming, bounded memory) and report every "
        "known failure whose signatures occur, with line numbers, count and the first "
        "matching line. With --env, --python, -r or --lockfile, say for each whether it "
        "affects those versions. Standard input ('-') may never end (tail -f build.log | "
        "kb scan -): each known failure is then reported as soon as it is seen, and Ctrl-C "
        "ends the scan with its summary. Exit 1 when any known failure is found, 130 when "
        "interrupted.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="log files; '-' for standard input")
    p.add_argument(
        "--env",
        action="store_true",
        help="compare with the versions installed for this interpreter",
    )
    add_environment_options(p)
    add_entries_option(p)
    add_format_option(p, "text", "json", "github")
    p.set_defaults(run=run)


def _opened(files: list[str], stack: ExitStack) -> Iterator[tuple[str, BinaryIO]]:
    from kb.environment import EnvironmentReadError

    for name in files:
        if name == "-":
            yield "<stdin>", sys.stdin.buffer
            continue
        path = Path(name)
        try:
            stream = stack.enter_context(path.open("rb"))
        except OSError as exc:
            raise EnvironmentReadError.from_os_error(exc, name, "a log") from None
        yield name, stream


def _wants_environment(args: argparse.Namespace) -> bool:
    return bool(args.env or args.python or args.requirement or args.lockfile)


def run(args: argparse.Namespace) -> int:
    from kb.commands.check import load_environment
    from kb.scan import prefilter_of_catalog, scan

    if args.files.count("-") > 1:
        from kb.errors import UsageError

        raise UsageError("standard input ('-') can be scanned only once")
    env = load_environment(args) if _wants_environment(args) else None
    _, state = _catalog(args)
    prefilter, notes = prefilter_of_catalog(state)
    from kb.output import scan as output

    # only the summaries of the entries found are read (titles, versions, fixes)
    by_id: dict[str, EntrySummary] = {}
    verdicts: dict[str, Verdict] = {}

    def load(ids: set[str]) -> None:
        found = _summaries(state, ids - set(by_id))
        by_id.update(found)
        if env is not None:
            from kb.check import verdict

            verdicts.update({i: verdict(loaded, env) for i, loaded in found.items()})

    # standard input may never end: report each failure as soon as it is first seen
    live = "-" in args.files and args.format != "json"

    def as_found(finding: Finding) -> None:
        load({finding.entry_id})
        if finding.entry_id in by_id:
            show = output.finding_github if args.format == "github" else output.finding_text
            sys.stdout.write(show(finding, by_id, verdicts, live=True))
            sys.stdout.flush()

    with ExitStack() as stack:
        # open every file first, so that a missing one is reported before any work
        streams = list(_opened(args.files, stack))
        report = scan(
            streams, prefilter.signatures, prefilter, on_finding=as_found if live else None
        )
    report.notes[:0] = notes
    load({f.entry_id for f in report.findings})
    report.findings = [f for f in report.findings if f.entry_id in by_id]
    if live:
        pass  # every finding was shown when it was first seen
    elif args.format == "json":
        sys.stdout.write(output.to_json(report, by_id, verdicts, env))
    elif args.format == "github":
        sys.stdout.write(output.to_github(report, by_id, verdicts))
    else:
        sys.stdout.write(output.to_text(report, by_id, verdicts))
    sys.stderr.write(output.summary(report, env))
    if report.interrupted:
        return 130
    return 1 if report.findings else 0


def _catalog(args: argparse.Namespace) -> tuple[Path, Catalog]:
    """The catalog of the entries (built or refreshed as needed), so that a scan reads the
    signatures it keeps without loading and validating every YAML file."""
    from kb.commands._common import open_catalog

    root, index = open_catalog(args)
    return root, index.state


def _summaries(catalog: Catalog, ids: set[str]) -> dict[str, EntrySummary]:
    """The summaries of the entries found, from the catalog (no YAML, no validation)."""
    from kb.catalog.records import EntrySummary

    return {d["id"]: EntrySummary.from_record(d) for d in catalog.summaries(sorted(ids))}
