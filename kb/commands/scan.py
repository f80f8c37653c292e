"""``kb scan``: which known failures occur in logs (CI output, journals, pytest logs)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

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

    from kb.commands.check import load_environment
    from kb.scan import scan, signatures_of_records

    if args.files.count("-") > 1:
        from kb.errors import UsageError

        raise UsageError("standard input ('-') can be scanned only once")
    env = load_environment(args) if _wants_environment(args) else None
    root, records = _indexed_records(args)
    signatures, notes = signatures_of_records(records)
    with ExitStack() as stack:
        # open every file first, so that a missing one is reported before any work
        streams = list(_opened(args.files, stack))
        report = scan(streams, signatures)
    report.notes[:0] = notes
    # only the entries found are loaded in full (titles, versions, fixes)
    by_id = _load_found(root, records, {f.entry_id for f in report.findings})
    report.findings = [f for f in report.findings if f.entry_id in by_id]
    verdicts: dict[str, Verdict] = {}
    if env is not None:
        from kb.check import verdict

        verdicts = {f.entry_id: verdict(by_id[f.entry_id], env) for f in report.findings}
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


def _indexed_records(
    args: argparse.Namespace,
) -> tuple[Path, Mapping[str, dict[str, Any]]]:
    """The entries' records from the search index (built or refreshed as needed), so that a
    scan compiles signatures without loading and validating every YAML file."""
    from kb.commands._common import entries_dir, index_progress, progress_enabled
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
    return root, index.state.records


def _load_found(
    root: Path, records: Mapping[str, dict[str, Any]], ids: set[str]
) -> dict[str, LoadedEntry]:
    found: dict[str, LoadedEntry] = {}
    if not ids:
        return found
    from kb.loader import load_file

    for entry_id in sorted(ids):
        loaded, problems = load_file(root / records[entry_id]["path"])
        for problem in problems:
            print(f"kb: {problem}", file=sys.stderr)
        if loaded is not None:
            found[entry_id] = loaded
    return found


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
