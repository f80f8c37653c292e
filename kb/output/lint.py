"""Turn a :class:`~kb.lint.runner.LintReport` into text, JSON or GitHub annotations (strings)."""

from __future__ import annotations

import json

from kb.errors import Problem
from kb.lint.rules import BY_CODE
from kb.lint.runner import LintReport
from kb.output.github import annotation

FORMATS = ("text", "json", "github")


def render(report: LintReport, fmt: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`); empty when there are no findings."""
    if fmt == "json":
        return render_json(report)
    if fmt == "github":
        return render_github(report)
    return render_text(report)


def render_text(report: LintReport) -> str:
    """``path:line:col: CODE message``, one finding per line."""
    return "".join(f"{p}\n" for p in report.findings)


def render_json(report: LintReport) -> str:
    """A JSON array of findings: code, rule name, message, path, line, column."""
    items = [
        {
            "code": p.code,
            "name": BY_CODE[p.code].name if p.code in BY_CODE else None,
            "severity": severity(p.code),
            "message": p.message,
            "path": p.location.path,
            "line": p.location.line,
            "col": p.location.col,
        }
        for p in report.findings
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command: ``::error file=F,line=L,col=C,title=CODE::message``."""
    loc = problem.location
    return annotation(
        severity(problem.code),
        problem.code,
        f"{problem.code} {problem.message}",
        loc.path,
        loc.line,
        loc.col,
    )


def severity(code: str) -> str:
    """``error`` or ``warning``: only errors make ``kb lint`` fail."""
    rule = BY_CODE.get(code)
    return rule.severity.value if rule is not None else "error"


def errors(report: LintReport) -> list[Problem]:
    """The findings that fail the run (warnings left out)."""
    return [p for p in report.findings if severity(p.code) == "error"]


def render_github(report: LintReport) -> str:
    """One workflow annotation per finding."""
    return "".join(github_annotation(p) + "\n" for p in report.findings)


def render_statistics(report: LintReport) -> str:
    """Findings per rule, most frequent first: ``count  CODE  name``."""
    lines = []
    for code, count in report.statistics():
        name = BY_CODE[code].name if code in BY_CODE else ""
        lines.append(f"{count:>6}  {code}  {name}")
    return "".join(f"{line}\n" for line in lines)


def summary(report: LintReport) -> str:
    """One line for stderr: how many problems in how many files, of how many checked."""
    checked = f"{report.files} file{'s' if report.files != 1 else ''} checked"
    n = len(report.findings)
    if not n:
        return f"All checks passed ({checked})."
    files = report.files_with_findings
    warned = n - len(errors(report))
    note = f", {warned} of them warnings" if warned else ""
    return (
        f"Found {n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''} "
        f"({checked}{note})."
    )
