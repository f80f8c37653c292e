"""``kb check`` reports as text, JSON and GitHub annotations, and its stderr summary.

Formatting only: every function takes a :class:`~kb.check.CheckReport` (or one of its
verdicts) and returns a string.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from kb.output.github import annotation

if TYPE_CHECKING:
    from kb.check import CheckReport, Verdict


def versions_text(verdict: Verdict) -> str:
    """``flask 2.2.2 (<2.2.5), werkzeug 3.0.1 (>=3.0)``."""
    return ", ".join(
        f"{c.package} {_short(c.version or '?')} ({c.specifier})" for c in verdict.conditions
    )


def _short(version: str, limit: int = 40) -> str:
    """A version as shown in a line of text: a lockfile's may be thousands of digits long."""
    return version if len(version) <= limit else f"{version[: limit - 10]}...({len(version):,})"


def fix_text(verdict: Verdict) -> str:
    """The first fix option, with the release it needs."""
    text = verdict.fix or ""
    if verdict.requires:
        text += f" ({verdict.requires})"
    return text


def to_json(report: CheckReport) -> str:
    """The whole report as JSON."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n"


def to_text(report: CheckReport, show_if_used: bool = False) -> str:
    """What applies, what may, and (with ``show_if_used``) what fails only if used."""
    out: list[str] = []
    for v in report.applies:
        out.append(f"{v.entry_id}\n  {v.title}\n")
        out.append(f"  applies: {versions_text(v)}\n")
        out.append(f"  fix: {fix_text(v)}\n")
        if v.fixed:
            out.append(f"  fixed in: {', '.join(f'{p} {r}' for p, r in v.fixed)}\n")
    for v in report.may_apply:
        out.append(f"{v.entry_id} (may apply)\n  {v.title}\n")
        if v.conditions:
            out.append(f"  versions: {versions_text(v)}\n")
        out.append(f"  unknown: {'; '.join(v.reasons)}\n")
    if show_if_used:
        for v in report.if_used:
            out.append(f"{v.entry_id} (if your code uses it)\n  {v.title}\n")
            out.append(f"  in range: {versions_text(v)}\n  fix: {fix_text(v)}\n")
    for v, ignore in report.ignored:
        until = f" until {ignore.until}" if ignore.until else ""
        out.append(f"{v.entry_id} (ignored{until}: {ignore.reason})\n")
    for ignore in report.expired:
        out.append(
            f"expired ignore: {ignore.id} (until {ignore.until}, {ignore.origin}): "
            f"{ignore.reason}; no longer ignored\n"
        )
    for ignore in report.unknown_ignores:
        out.append(f"unknown ignore: {ignore.id} ({ignore.origin}): no such entry\n")
    return "".join(out)


def to_github(report: CheckReport, file: str | None) -> str:
    """An error per failure that applies, a warning per one that may and per expired ignore."""
    out: list[str] = []
    for v in report.applies:
        message = f"{v.title}. Versions: {versions_text(v)}. Fix: {fix_text(v)}"
        out.append(annotation("error", f"kb: {v.entry_id}", message, file))
    for v in report.may_apply:
        message = f"{v.title}. Unknown: {'; '.join(v.reasons)}"
        out.append(annotation("warning", f"kb: {v.entry_id} may apply", message, file))
    for ignore in report.expired:
        message = f"ignore of {ignore.id} expired on {ignore.until}: {ignore.reason}"
        out.append(annotation("warning", "kb: expired ignore", message, file))
    return "".join(f"{line}\n" for line in out)


def summary(report: CheckReport) -> str:
    """The lines for stderr: notes on the environment, then the counts."""
    env = report.environment
    python = f", python {env.python}" if env.python else ", python unknown"
    lines = [f"kb: {note}" for note in env.notes]
    lines.append(
        f"kb check: {env.source}: {len(env.packages)} packages{python}; "
        f"{report.checked} entries checked: {len(report.applies)} apply, "
        f"{len(report.may_apply)} may apply, {len(report.ignored)} ignored"
        + (f", {len(report.expired)} expired ignore(s)" if report.expired else "")
    )
    if report.if_used:
        lines.append(
            f"kb check: {len(report.if_used)} more in range that fail only where code uses "
            "a removed API (no fixing release); list them with --all"
        )
    return "".join(f"{line}\n" for line in lines)
