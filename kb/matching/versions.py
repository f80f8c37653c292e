"""Versions: does an entry's failure apply where code runs. The one place that decides it.

An entry is affected under one or more alternative *condition sets*; a set holds when each
of its conditions (a package, or ``python`` for the interpreter, inside a PEP 440
specifier) and its PEP 508 marker hold together. Search, check, scan, the site and the
exports all call :func:`evaluate` (or :func:`contains` for a single release), so they
agree on the same entry and versions.

What is known is a :class:`Known`: the versions found, the platform markers when the
source says them, and whether the list of packages is *complete*. In a complete list (an
environment, a lockfile) a package that is absent is not installed, so its condition
does not hold; in a partial one (versions named with ``--with``, read off a traceback) an
absent package is unknown. A version that is not PEP 440, or too long to compare, makes
its condition unknown rather than raising. Pre-releases count as in range.

Pure and quick to import: ``packaging`` is imported on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

from kb.startup import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

# A version longer than this is refused rather than parsed: PEP 440 allows any number of
# digits, and Python's int conversion of thousands of digits raises (or takes seconds).
MAX_VERSION_LENGTH = 128


# NamedTuples rather than dataclasses: search imports this module at start-up, and the
# dataclasses module costs more to import than all of this one.
_NO_PROBLEMS: Mapping[str, str] = MappingProxyType({})


class Applicability(StrEnum):
    """Whether an entry's conditions hold for the versions known."""

    AFFECTED = "affected"
    NOT_AFFECTED = "not-affected"
    UNKNOWN = "unknown"


class ConditionResult(NamedTuple):
    """How one condition fared against the versions known."""

    package: str
    specifier: str
    version: str | None
    holds: bool | None


PYTHON_MINORS = tuple(f"3.{minor}" for minor in range(100))
"""The interpreter versions a traceback's paths show (``.../python3.12/...``)."""
_MINOR_BIT = {version: 1 << minor for minor, version in enumerate(PYTHON_MINORS)}


class Condition(NamedTuple):
    """A package (or ``python``) inside a specifier; ``fixed`` is its first fixed release.

    ``inside``, for a ``python`` condition, says which :data:`PYTHON_MINORS` are inside
    the specifier (bit N for 3.N) when that was decided beforehand (the catalog keeps it:
    see :func:`python_inside`), so that a search judging the interpreter of a traceback
    need not import ``packaging``, which costs more than the rest of the search.
    """

    package: str
    specifier: str
    fixed: str | None = None
    inside: int | None = None


class ConditionSet(NamedTuple):
    """Conditions that must hold together, and the platform marker they need."""

    conditions: tuple[Condition, ...]
    marker: str | None = None

    @classmethod
    def from_data(
        cls, data: Mapping[str, object], python_inside: Mapping[str, int] | None = None
    ) -> ConditionSet:
        """From the plain form kept in index records: ``{"conditions": [...], "marker": ...}``;
        ``python_inside`` maps ``python`` specifiers to what :func:`python_inside` found."""
        raw = data.get("conditions")
        inside = python_inside or {}
        conditions = tuple(
            Condition(
                str(c["package"]),
                str(c["specifier"]),
                c.get("fixed"),
                inside.get(c["specifier"]),
            )
            for c in (raw if isinstance(raw, list) else [])
        )
        marker = data.get("marker")
        return cls(conditions, marker if isinstance(marker, str) else None)

    def to_data(self) -> dict[str, object]:
        """The plain form :meth:`from_data` reads."""
        return {
            "conditions": [
                {"package": c.package, "specifier": c.specifier, "fixed": c.fixed}
                for c in self.conditions
            ],
            "marker": self.marker,
        }


class Known(NamedTuple):
    """What is known of where the code runs.

    ``versions`` maps canonical names (and ``python``) to version strings. ``markers`` is
    the PEP 508 environment (None when the source does not say the platform).
    ``complete`` says that a package missing from ``versions`` is not installed;
    ``problems`` names packages whose version is unknown, and why.
    """

    versions: Mapping[str, str]
    markers: Mapping[str, str] | None = None
    complete: bool = False
    problems: Mapping[str, str] = _NO_PROBLEMS


class SetResult(NamedTuple):
    """How one condition set fared."""

    applies: Applicability
    conditions: list[ConditionResult]
    reasons: list[str]
    not_installed: tuple[str, ...]


class Evaluation(NamedTuple):
    """How an entry fared: affected when any set holds, not affected when none can."""

    applies: Applicability
    sets: list[SetResult]

    @property
    def deciding(self) -> SetResult:
        """The set that decided: the first affected one, else the first unknown, else the first."""
        for wanted in (Applicability.AFFECTED, Applicability.UNKNOWN):
            for result in self.sets:
                if result.applies is wanted:
                    return result
        return self.sets[0]


def canonical(name: str) -> str:
    """PEP 503 canonical name (``python`` stays ``python``): runs of ``-``, ``_`` and ``.``
    become one ``-``, in lower case. Written out as PEP 503 gives it (it is what
    ``packaging.utils.canonicalize_name`` does), because importing ``packaging.utils``
    imports ``packaging.tags``, which costs a search more than all of kb's own modules."""
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=4096)
def _specifier(spec: str) -> SpecifierSet:
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(spec)


@lru_cache(maxsize=4096)
def parse_version(text: str) -> Version:
    """A PEP 440 version; raises :class:`packaging.version.InvalidVersion` when it is not one
    or is longer than :data:`MAX_VERSION_LENGTH`."""
    from packaging.version import InvalidVersion, Version

    if len(text) > MAX_VERSION_LENGTH:
        raise InvalidVersion(f"longer than {MAX_VERSION_LENGTH} characters")
    try:
        return Version(text)
    except ValueError as exc:  # int conversion limits on absurd digit runs
        raise InvalidVersion(str(exc)) from None


def contains(spec: str, version: str) -> bool | None:
    """Whether ``version`` is inside ``spec``; None when either does not parse."""
    from packaging.specifiers import InvalidSpecifier
    from packaging.version import InvalidVersion

    try:
        return _specifier(spec).contains(parse_version(version), prereleases=True)
    except (InvalidVersion, InvalidSpecifier, ValueError):  # ValueError: huge specifier numbers
        return None


def at_or_past(version: str, fixed: str) -> bool | None:
    """Whether ``version`` is ``fixed`` or later; None when either does not parse."""
    from packaging.version import InvalidVersion

    try:
        return parse_version(version) >= parse_version(fixed)
    except InvalidVersion:
        return None


@lru_cache(maxsize=4096)
def python_inside(spec: str) -> int | None:
    """Which :data:`PYTHON_MINORS` are inside ``spec``, bit N for 3.N (None when ``spec``
    does not parse)."""
    inside = 0
    for version, bit in _MINOR_BIT.items():
        holds = contains(spec, version)
        if holds is None:
            return None
        if holds:
            inside |= bit
    return inside


def _contains(cond: Condition, version: str) -> bool | None:
    """:func:`contains` for one condition, answered from ``cond.inside`` when it can be."""
    if cond.inside is not None and version in _MINOR_BIT:
        return bool(cond.inside & _MINOR_BIT[version])
    return contains(cond.specifier, version)


def versions_in_range(spec: str, releases: Iterable[str]) -> dict[str, bool]:
    """For each release, whether it falls inside ``spec`` (pre-releases included)."""
    return {r: contains(spec, r) is True for r in releases}


def marker_holds(marker: str, markers: Mapping[str, str] | None) -> tuple[bool | None, str | None]:
    """Whether a PEP 508 marker holds, and why it could not be decided."""
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison

    if markers is None or "sys_platform" not in markers:
        return None, f"platform unknown (marker {marker})"
    try:
        return Marker(marker).evaluate(dict(markers)), None
    except (InvalidMarker, UndefinedComparison) as exc:
        return None, f"marker {marker!r} cannot be evaluated ({exc})"


def _combine(holds: Iterable[bool | None]) -> Applicability:
    values = list(holds)
    if False in values:
        return Applicability.NOT_AFFECTED
    if None in values:
        return Applicability.UNKNOWN
    return Applicability.AFFECTED


def evaluate_set(conditions: ConditionSet, known: Known) -> SetResult:
    """How one condition set fares against ``known``."""
    results: list[ConditionResult] = []
    reasons: list[str] = []
    missing: list[str] = []
    for cond in conditions.conditions:
        name = canonical(cond.package)
        version = known.versions.get(name)
        holds: bool | None = None
        if version is not None:
            holds = _contains(cond, version)
            if holds is None:
                reasons.append(f"{name}: {known.problems.get(name, 'not PEP 440')}")
        elif name == "python":
            reasons.append("interpreter version unknown")
        elif name in known.problems:
            reasons.append(f"{name}: {known.problems[name]}")
        elif known.complete:
            holds = False
            missing.append(name)
        results.append(ConditionResult(name, cond.specifier, version, holds))
    verdict = _combine(r.holds for r in results)
    if conditions.marker and verdict is not Applicability.NOT_AFFECTED:
        holds, why = marker_holds(conditions.marker, known.markers)
        if why is not None:
            reasons.append(why)
        verdict = _combine([*(r.holds for r in results), holds])
    return SetResult(verdict, results, reasons, tuple(missing))


def evaluate(sets: Sequence[ConditionSet], known: Known) -> Evaluation:
    """How an entry with these alternative condition sets fares against ``known``."""
    results = [evaluate_set(s, known) for s in sets]
    states = {r.applies for r in results}
    if Applicability.AFFECTED in states:
        verdict = Applicability.AFFECTED
    elif Applicability.UNKNOWN in states:
        verdict = Applicability.UNKNOWN
    else:
        verdict = Applicability.NOT_AFFECTED
    return Evaluation(verdict, results)
