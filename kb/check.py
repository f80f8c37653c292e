"""Which known failures apply to an environment: every condition, the interpreter and the
platform marker must hold together.

Pure: takes a catalog, an :class:`~kb.environment.Environment` and ignores, returns a
:class:`CheckReport`. A package absent from the environment is not installed, so its
condition does not hold; a package whose version is unknown (not pinned, not PEP 440,
several versions) makes the entry *may apply* rather than guessed either way.

Only entries that versions decide are reported as applying: those with a release that
fixes them (``fixed`` on a condition), so that being in range means running a known
broken combination. An entry without one, such as an API a release removed for good,
fails only where code calls that API; versions in its range are listed apart
(``if_used``) and do not count as applying.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.catalog.records import EntrySummary
from kb.catalog.refresh import Index

if TYPE_CHECKING:
    from kb.loader import LoadedEntry
from kb.environment import Environment, EnvironmentReadError
from kb.errors import Location, UsageError, display_path
from kb.matching import (
    Applicability,
    ConditionResult,
    Known,
    at_or_past,
    canonical,
    evaluate,
)

_IGNORE = re.compile(
    r"^(?P<id>[a-z0-9][a-z0-9-]*[a-z0-9])(?:@(?P<until>\d{4}-\d{2}-\d{2}))?:(?P<reason>.*)$"
)


@dataclass(frozen=True, slots=True)
class Ignore:
    """An entry to leave out, why, and until when (after that it counts again)."""

    id: str
    reason: str
    until: dt.date | None = None
    origin: str = "--ignore"

    def expired(self, today: dt.date) -> bool:
        """True once ``today`` is past ``until``."""
        return self.until is not None and today > self.until


@dataclass(frozen=True, slots=True)
class Verdict:
    """How one entry fared against the environment."""

    entry_id: str
    title: str
    applies: Applicability
    conditions: list[ConditionResult]
    reasons: list[str]
    fix: str | None
    requires: str | None
    fixed: list[tuple[str, str]]
    regression: bool = False
    not_installed: tuple[str, ...] = ()

    @property
    def decided_by_versions(self) -> bool:
        """True when a release fixes it: being in range is then a known failure."""
        return bool(self.fixed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.entry_id,
            "title": self.title,
            "applies": self.applies.value,
            "versions": [
                {
                    "package": c.package,
                    "version": c.version,
                    "specifier": c.specifier,
                    "holds": c.holds,
                }
                for c in self.conditions
            ],
            "reasons": self.reasons,
            "fix": self.fix,
            "requires": self.requires,
            "fixed_in": [{"package": p, "version": v} for p, v in self.fixed],
            "possible_regression": self.regression,
            "not_installed": list(self.not_installed),
        }


@dataclass(slots=True)
class CheckReport:
    """Entries that apply, that may apply, that were ignored, and ignores that expired."""

    environment: Environment
    applies: list[Verdict] = field(default_factory=list)
    may_apply: list[Verdict] = field(default_factory=list)
    if_used: list[Verdict] = field(default_factory=list)
    ignored: list[tuple[Verdict, Ignore]] = field(default_factory=list)
    expired: list[Ignore] = field(default_factory=list)
    unknown_ignores: list[Ignore] = field(default_factory=list)
    checked: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        env = self.environment
        return {
            "environment": {
                "source": env.source,
                "python": env.python,
                "platform": env.markers.get("sys_platform"),
                "packages": len(env.packages),
                "problems": dict(sorted(env.problems.items())),
                "notes": env.notes,
            },
            "checked": self.checked,
            "applies": [v.to_dict() for v in self.applies],
            "may_apply": [v.to_dict() for v in self.may_apply],
            "if_used": [v.to_dict() for v in self.if_used],
            "ignored": [{**v.to_dict(), "ignore": _ignore_dict(i)} for v, i in self.ignored],
            "expired_ignores": [_ignore_dict(i) for i in self.expired],
            "unknown_ignores": [_ignore_dict(i) for i in self.unknown_ignores],
        }


def _ignore_dict(ignore: Ignore) -> dict[str, Any]:
    return {
        "id": ignore.id,
        "reason": ignore.reason,
        "until": ignore.until.isoformat() if ignore.until else None,
        "origin": ignore.origin,
    }


def known_of(env: Environment) -> Known:
    """What an environment says: its list of packages is complete (absent = not installed)."""
    return Known(
        versions=env.versions(),
        markers=env.markers or None,
        complete=True,
        problems=env.problems,
    )


def summary_of(entry: LoadedEntry | EntrySummary) -> EntrySummary:
    """The summary of a loaded entry (a summary is returned as it is)."""
    if isinstance(entry, EntrySummary):
        return entry
    return EntrySummary.from_entry(entry.entry, entry.display)


def verdict(entry: LoadedEntry | EntrySummary, env: Environment) -> Verdict:
    """Whether one entry applies to ``env``, with the versions that decide it."""
    summary = summary_of(entry)
    known = known_of(env)
    evaluation = evaluate(summary.sets, known)
    deciding = evaluation.deciding
    fixed = summary.fixed
    return Verdict(
        entry_id=summary.id,
        title=summary.title,
        applies=evaluation.applies,
        conditions=[
            r for r in deciding.conditions if r.version is not None or r.package in env.problems
        ],
        reasons=deciding.reasons,
        fix=summary.fix,
        requires=summary.requires,
        fixed=fixed,
        regression=evaluation.applies is Applicability.NOT_AFFECTED
        and _at_or_past_fix(fixed, known),
        not_installed=deciding.not_installed,
    )


def _at_or_past_fix(fixed: list[tuple[str, str]], known: Known) -> bool:
    """True when the environment runs a release at or after one that fixed the failure."""
    return any(
        at_or_past(version, release) is True
        for package, release in fixed
        if (version := known.versions.get(canonical(package))) is not None
    )


def applicable(
    catalog: Iterable[LoadedEntry | EntrySummary],
    environment: Environment,
    ignores: Iterable[Ignore] = (),
    today: dt.date | None = None,
    *,
    everything: Collection[str] | None = None,
) -> CheckReport:
    """Every entry of ``catalog`` that applies (or may) to ``environment``, sorted by id.

    ``catalog`` may be just the candidates (see :func:`candidates`); ``everything`` then
    holds the ids of every entry, which the count and unknown ignores are judged by.
    """
    today = today or dt.date.today()
    report = CheckReport(environment)
    active: dict[str, Ignore] = {}
    for ignore in ignores:
        if ignore.expired(today):
            report.expired.append(ignore)
        else:
            active.setdefault(ignore.id, ignore)
    seen: set[str] = set()
    for summary in sorted((summary_of(e) for e in catalog), key=lambda e: e.id):
        report.checked += 1
        seen.add(summary.id)
        result = verdict(summary, environment)
        if result.applies is Applicability.NOT_AFFECTED:
            continue
        active_ignore = active.get(result.entry_id)
        if active_ignore is not None:
            report.ignored.append((result, active_ignore))
        elif not result.decided_by_versions:
            report.if_used.append(result)
        elif result.applies is Applicability.AFFECTED:
            report.applies.append(result)
        else:
            report.may_apply.append(result)
    known_ids: Collection[str] = seen if everything is None else everything
    report.unknown_ignores = [i for i in active.values() if i.id not in known_ids]
    report.checked = len(known_ids)
    return report


def candidates(index: Index, env: Environment) -> list[EntrySummary]:
    """The entries of an open catalog that can apply to ``env``: those involving a package
    it has (or has a problem with) or the interpreter. Every other entry needs a package
    that is not installed, so none of its condition sets can hold."""
    names = {*env.packages, *env.problems, "python"}
    ids = index.state.ids_with_packages(names)
    return [EntrySummary.from_record(data) for data in index.state.summaries(ids)]


def parse_ignore(text: str) -> Ignore:
    """``ID[@YYYY-MM-DD]:REASON`` from the command line."""
    match = _IGNORE.match(text.strip())
    if match is None or not match.group("reason").strip():
        raise UsageError(
            f"--ignore {text!r}: expected ID:REASON or ID@YYYY-MM-DD:REASON (a reason is required)"
        )
    until = None
    if match.group("until"):
        try:
            until = dt.date.fromisoformat(match.group("until"))
        except ValueError:
            raise UsageError(f"--ignore {text!r}: {match.group('until')} is not a date") from None
    return Ignore(match.group("id"), match.group("reason").strip(), until)


def ignores_from_pyproject(path: Path) -> list[Ignore]:
    """``[tool.kb] ignore = [{id, reason, until}]`` from a ``pyproject.toml``."""
    from kb.environment._records import load_toml

    data = load_toml(path)
    tool = data.get("tool", {})
    table = tool.get("kb", {}) if isinstance(tool, dict) else {}
    items = table.get("ignore", []) if isinstance(table, dict) else []
    shown = display_path(path)
    if not isinstance(items, list):
        raise EnvironmentReadError("[tool.kb] ignore must be a list of tables", Location(shown))
    out = []
    for number, item in enumerate(items, start=1):
        where = f"[tool.kb] ignore #{number}"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise EnvironmentReadError(f"{where}: needs an 'id' string", Location(shown))
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise EnvironmentReadError(f"{where} ({item['id']}): needs a 'reason'", Location(shown))
        until = item.get("until")
        if isinstance(until, str):
            try:
                until = dt.date.fromisoformat(until)
            except ValueError:
                raise EnvironmentReadError(
                    f"{where} ({item['id']}): until {until!r} is not a date", Location(shown)
                ) from None
        if isinstance(until, dt.datetime):
            until = until.date()
        if until is not None and not isinstance(until, dt.date):
            raise EnvironmentReadError(
                f"{where} ({item['id']}): until must be a date", Location(shown)
            )
        out.append(Ignore(item["id"], reason.strip(), until, f"{shown} [tool.kb]"))
    return out


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None
