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
    from kb.check import Verdict
    from kb.environment import Environment
    from kb.loader import LoadedEntry
    from kb.scan import Finding, ScanReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scan",
        help="which known failures occur in a log",
        description="Read logs of any size (streaming, bounded memory) and report every "
        "known failure whose signatures occur, with line numbers, count and the first "
        "matching line. With --env, --python, -r or --lockfile, say for each whether it "
        "affects those versions. Exit 1 when any known failure is found.",
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
    import json

    from kb.check import verdict
    from kb.commands.check import load_entries, load_environment
    from kb.scan import scan, signatures_of

    if args.files.count("-") > 1:
        from kb.errors import UsageError

        raise UsageError("standard input ('-') can be scanned only once")
    env = load_environment(args) if _wants_environment(args) else None
    entries: list[LoadedEntry] = load_entries(args)  # type: ignore[assignment]
    signatures, notes = signatures_of(entries)
    with ExitStack() as stack:
        # open every file first, so that a missing one is reported before any work
        streams = list(_opened(args.files, stack))
        report = scan(streams, signatures)
    report.notes[:0] = notes
    by_id = {e.entry.id: e for e in entries}
    verdicts = (
        {f.entry_id: verdict(by_id[f.entry_id], env) for f in report.findings}
        if env is not None
        else {}
    )
    if args.format == "json":
        data = report.to_dict()
        for item in data["findings"]:
            item["title"] = by_id[item["id"]].entry.title
            if item["id"] in verdicts:
                v = verdicts[item["id"]]
                item["environment"] = {"status": _status(v), **v.to_dict()}
        if env is not None:
            data["environment"] = {"source": env.source, "python": env.python}
        print(json.dumps(data, indent=2, sort_keys=True))
    elif args.format == "github":
        _github(report, by_id, verdicts)
    else:
        _text(report, by_id, verdicts)
    _summary(report, env)
    return 1 if report.findings else 0


def _status(v: Verdict) -> str:
    from kb.matching import Applicability

    if v.applies is Applicability.AFFECTED:
        return "affects-your-versions"
    if v.applies is Applicability.UNKNOWN:
        return "unknown"
    return "possible-regression" if v.regression else "not-your-versions"


def verdict_text(v: Verdict) -> str:
    """What the versions say about a finding, in words."""
    from kb.commands.check import versions_text

    status = _status(v)
    versions = versions_text(v)
    if status == "affects-your-versions":
        return f"known failure, affects your versions ({versions})"
    if status == "unknown":
        return f"may affect your versions; unknown: {'; '.join(v.reasons)}"
    if status == "possible-regression":
        fixed = ", ".join(f"{p} {r}" for p, r in v.fixed)
        return (
            f"possible regression: your versions ({versions}) are at or after the fix "
            f"({fixed}); report it upstream"
        )
    shown = [versions] if versions else []
    if v.not_installed:
        shown.append(f"not installed: {', '.join(v.not_installed)}")
    return (
        "matches the text, but your versions are not affected"
        + (f" ({'; '.join(shown)})" if shown else "")
        + ": look elsewhere or report a regression"
    )


def _lines_text(finding: Finding) -> str:
    shown = [str(n) if s == finding.source else f"{s}:{n}" for s, n in finding.lines[:10]]
    more = f", ... {finding.count - len(shown)} more" if finding.count > len(shown) else ""
    return ", ".join(shown) + more


def _text(report: ScanReport, by_id: dict[str, LoadedEntry], verdicts: dict[str, Verdict]) -> None:
    out = sys.stdout
    for f in report.findings:
        entry = by_id[f.entry_id].entry
        times = "1 line" if f.count == 1 else f"{f.count} lines"
        out.write(f"{f.source}:{f.first_line}: {f.entry_id} ({times}: {_lines_text(f)})\n")
        out.write(f"  {entry.title}\n")
        out.write(f"  first: {f.first_text}\n")
        if f.entry_id in verdicts:
            out.write(f"  your versions: {verdict_text(verdicts[f.entry_id])}\n")
        out.write(f"  fix: {entry.fixes[0].summary}\n")


def _github(
    report: ScanReport, by_id: dict[str, LoadedEntry], verdicts: dict[str, Verdict]
) -> None:
    from kb.scan.github import annotation

    for f in report.findings:
        entry = by_id[f.entry_id].entry
        message = f"{entry.title} ({f.count} line(s)). Fix: {entry.fixes[0].summary}"
        level = "error"
        if f.entry_id in verdicts:
            message += f" Your versions: {verdict_text(verdicts[f.entry_id])}"
            if _status(verdicts[f.entry_id]) == "not-your-versions":
                level = "warning"
        file = f.source if f.source != "<stdin>" else None
        print(annotation(level, f"kb: {f.entry_id}", message, file, f.first_line))


def _summary(report: ScanReport, env: Environment | None) -> None:
    for note in report.notes:
        print(f"kb: {note}", file=sys.stderr)
    versions = f"; versions from {env.source}" if env is not None else ""
    print(
        f"kb scan: {report.lines} lines in {len(report.sources)} source(s), "
        f"{report.signatures} signatures: {len(report.findings)} known failure(s) found" + versions,
        file=sys.stderr,
    )
