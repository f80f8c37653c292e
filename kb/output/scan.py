"""``kb scan`` reports as text, JSON and GitHub annotations, and its stderr summary.

Formatting only: every function takes the scan report, the entries it found (loaded in
full) and, when versions were given, each finding's verdict, and returns a string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kb.matching import Applicability
from kb.output.check import versions_text
from kb.output.github import annotation

if TYPE_CHECKING:
    # annotations only: a scan never imports YAML or pydantic
    from kb.catalog.records import EntrySummary
    from kb.check import Verdict
    from kb.environment import Environment
    from kb.scan import Finding, ScanReport

    Found = Mapping[str, EntrySummary]
    Verdicts = Mapping[str, Verdict]


def status(v: Verdict) -> str:
    """What the versions say of a finding, as a word for tools."""
    if v.applies is Applicability.AFFECTED:
        return "affects-your-versions"
    if v.applies is Applicability.UNKNOWN:
        return "unknown"
    return "possible-regression" if v.regression else "not-your-versions"


def verdict_text(v: Verdict) -> str:
    """What the versions say about a finding, in words."""
    said = status(v)
    versions = versions_text(v)
    if said == "affects-your-versions":
        return f"known failure, affects your versions ({versions})"
    if said == "unknown":
        return f"may affect your versions; unknown: {'; '.join(v.reasons)}"
    if said == "possible-regression":
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


def to_text(report: ScanReport, found: Found, verdicts: Verdicts) -> str:
    """Each finding: where, how often, the entry's title, the first line, the fix."""
    return "".join(finding_text(f, found, verdicts) for f in report.findings)


def finding_text(f: Finding, found: Found, verdicts: Verdicts, *, live: bool = False) -> str:
    """One finding as :func:`to_text` shows it; ``live``: as soon as it is first seen,
    before its count is known (``kb scan -``)."""
    entry = found[f.entry_id]
    out: list[str] = []
    if live:
        out.append(f"{f.source}:{f.first_line}: {f.entry_id}\n")
    else:
        times = "1 line" if f.count == 1 else f"{f.count} lines"
        out.append(f"{f.source}:{f.first_line}: {f.entry_id} ({times}: {_lines_text(f)})\n")
    out.append(f"  {entry.title}\n")
    out.append(f"  first: {f.first_text}\n")
    if f.entry_id in verdicts:
        out.append(f"  your versions: {verdict_text(verdicts[f.entry_id])}\n")
    out.append(f"  fix: {entry.fix}\n")
    return "".join(out)


def to_json(report: ScanReport, found: Found, verdicts: Verdicts, env: Environment | None) -> str:
    """The whole report as JSON, each finding with its title and, with versions, its verdict."""
    data = report.to_dict()
    for item in data["findings"]:
        item["title"] = found[item["id"]].title
        if item["id"] in verdicts:
            v = verdicts[item["id"]]
            item["environment"] = {"status": status(v), **v.to_dict()}
    if env is not None:
        data["environment"] = {"source": env.source, "python": env.python}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def to_github(report: ScanReport, found: Found, verdicts: Verdicts) -> str:
    """An error per finding (a warning where the versions say it does not apply)."""
    return "".join(finding_github(f, found, verdicts) for f in report.findings)


def finding_github(f: Finding, found: Found, verdicts: Verdicts, *, live: bool = False) -> str:
    """One finding as :func:`to_github` shows it (``live``: without its count)."""
    entry = found[f.entry_id]
    counted = "" if live else f" ({f.count} line(s))"
    message = f"{entry.title}{counted}. Fix: {entry.fix}"
    level = "error"
    if f.entry_id in verdicts:
        message += f" Your versions: {verdict_text(verdicts[f.entry_id])}"
        if status(verdicts[f.entry_id]) == "not-your-versions":
            level = "warning"
    file = f.source if f.source != "<stdin>" else None
    return annotation(level, f"kb: {f.entry_id}", message, file, f.first_line) + "\n"


def summary(report: ScanReport, env: Environment | None) -> str:
    """The lines for stderr: the scan's notes, then what was read and found."""
    lines = [f"kb: {note}" for note in report.notes]
    versions = f"; versions from {env.source}" if env is not None else ""
    stopped = "interrupted after " if report.interrupted else ""
    lines.append(
        f"kb scan: {stopped}{report.lines} lines in {len(report.sources)} source(s), "
        f"{report.signatures} signatures: {len(report.findings)} known failure(s) found" + versions
    )
    return "".join(f"{line}\n" for line in lines)
