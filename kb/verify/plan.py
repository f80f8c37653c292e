"""Which releases to test for one list of conditions, and what each combination should show.

Pure: works on plain values, so it can be tested without installing anything.
:func:`combinations` plans one list of conditions; :func:`combinations_of_sets` plans an
entry's conditions and each of its alternatives and lets one judge (the matching module's
evaluation of every set) say what each combination should show.

For every package of the conditions it picks the releases that carry information (the
listed ``releases``, the fixed release and the one before it, each bound of the specifier
and the release just below it), then builds the combinations that matter: every package
at its *anchor* (a release inside its range) is the affected combination, and each
package is varied alone across its picks while the others stay at their anchors (the
fixed pair, each side out of range alone). The interpreter is one more dimension: package
combinations run on this machine's Python; the interpreter releases are tried with the
packages at their anchors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from kb.matching import canonical, contains

if TYPE_CHECKING:
    from kb.models import Entry

PYTHON = "python"
"""The condition package that names the interpreter."""


class Expected(StrEnum):
    """What the entry's conditions say a combination shows."""

    AFFECTED = "affected"
    NOT_AFFECTED = "not-affected"


@dataclass(frozen=True, slots=True)
class Condition:
    """The parts of an entry condition that decide what to test."""

    package: str
    specifier: str
    fixed: str | None = None
    releases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Combination:
    """One set of releases to install together, on one interpreter, and what it should show."""

    packages: tuple[tuple[str, str], ...]
    """``(canonical name, version)`` pairs, sorted by name; the interpreter is not among them."""
    python: str
    """The interpreter release the combination asks for."""
    expected: Expected

    def key(self) -> tuple[tuple[tuple[str, Version], ...], Version]:
        """Sort key: by package name, then by version (numerically), then by interpreter."""
        return tuple((n, _version(v)) for n, v in self.packages), _version(self.python)

    def label(self) -> str:
        """``flask==2.2.3 werkzeug==3.0.0`` (with ``python==3.12.4`` when it asks for one)."""
        parts = [f"{n}=={v}" for n, v in self.packages]
        return " ".join(parts) if parts else f"python=={self.python}"


ReleaseSource = Callable[[str], Sequence[str]]
"""Package name -> its published releases (any order); used to find a bound's neighbours."""


def conditions_of(raw: Iterable[object]) -> list[Condition]:
    """:class:`Condition` values from entry conditions (anything with the same attributes)."""
    out = []
    for c in raw:
        out.append(
            Condition(
                package=str(getattr(c, "package")),  # noqa: B009 - duck-typed models
                specifier=str(getattr(c, "specifier")),  # noqa: B009
                fixed=getattr(c, "fixed", None),
                releases=tuple(getattr(c, "releases", ()) or ()),
            )
        )
    return out


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")


def _spec(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def holds(cond: Condition, version: str) -> bool:
    """True when ``version`` is inside the condition's range (pre-releases count), by the
    one version-matching module; a version or range that does not parse does not hold."""
    return contains(cond.specifier, version) is True


def expected(conditions: Sequence[Condition], versions: Mapping[str, str]) -> Expected:
    """Affected when every condition holds for ``versions`` (canonical names and ``python``)."""
    for cond in conditions:
        version = versions.get(_name(cond.package))
        if version is None or not holds(cond, version):
            return Expected.NOT_AFFECTED
    return Expected.AFFECTED


def _name(package: str) -> str:
    return PYTHON if package.lower() == PYTHON else canonical(package)


def picks(cond: Condition, available: Sequence[str] | None = None) -> list[str]:
    """The releases of one condition worth testing, in version order, one spelling each.

    ``available`` (the package's published releases) lets the release just below each
    bound and below the fixed release be the real previous release rather than the
    nearest one listed in ``releases``.
    """
    listed = [r for r in cond.releases if _valid(r)]
    pool = sorted({*listed, *(available or ())}, key=_version) if available else listed
    chosen: dict[Version, str] = {}

    def add(text: str) -> None:
        if _valid(text):
            chosen.setdefault(Version(text), text)

    for r in listed:
        add(r)
    bounds: list[str] = []
    if cond.fixed:
        bounds.append(cond.fixed)
    spec = _spec(cond.specifier)
    for clause in spec or ():
        if clause.operator in (">=", ">", "<", "<=", "==", "~=") and "*" not in clause.version:
            bounds.append(clause.version)
    for bound in bounds:
        add(_real(bound, pool))
        below = [r for r in pool if _valid(r) and _version(r) < _version(bound)]
        if below:
            add(max(below, key=_version))
    return [chosen[v] for v in sorted(chosen)]


def _real(bound: str, pool: Sequence[str]) -> str:
    """The spelling of ``bound`` among the known releases (``3.0`` -> ``3.0.0``), else itself."""
    if not _valid(bound):
        return bound
    target = Version(bound)
    for r in pool:
        if _valid(r) and Version(r) == target:
            return r
    return bound


def _valid(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def anchor(cond: Condition, candidates: Sequence[str]) -> str | None:
    """The release that stands for the affected side: the newest candidate inside the range."""
    inside = [v for v in candidates if holds(cond, v)]
    return max(inside, key=_version) if inside else None


def combinations(
    conditions: Sequence[Condition],
    python: str,
    releases: ReleaseSource | None = None,
    interpreters: Mapping[str, str] | None = None,
) -> list[Combination]:
    """The combinations to test for one list of conditions, sorted, without duplicates.

    ``python`` is this machine's interpreter version: package combinations run on it, and
    each interpreter release of a ``python`` condition is tried with the packages at their
    anchors, on the interpreter of its minor version in ``interpreters`` (minor version
    to full version; by default only ``python``'s). A release of a minor version this machine
    lacks stays in the plan as it is; the runner reports it inconclusive. ``releases``
    supplies published releases for the bounds' neighbours.
    """
    if interpreters is None:
        interpreters = {minor(python): python}
    packages = [c for c in conditions if _name(c.package) != PYTHON]
    on_python = [c for c in conditions if _name(c.package) == PYTHON]
    choice: dict[str, list[str]] = {}
    anchors: dict[str, str] = {}
    for cond in packages:
        name = _name(cond.package)
        available = list(releases(name)) if releases is not None else None
        found = picks(cond, available)
        choice.setdefault(name, [])
        choice[name] = sorted({*choice[name], *found}, key=_version)
    for name, found in choice.items():
        conds = [c for c in packages if _name(c.package) == name]
        inside = [v for v in found if all(holds(c, v) for c in conds)]
        best = max(inside, key=_version) if inside else (found[-1] if found else None)
        if best is not None:
            anchors[name] = best
    seen: dict[tuple[tuple[str, str], ...], Combination] = {}
    runs: list[tuple[dict[str, str], str]] = []
    for name, found in choice.items():
        for version in found:
            runs.append(({**anchors, name: version}, python))
    if not choice:
        runs.append(({}, python))
    for cond in on_python:
        for version in picks(cond):
            runs.append((dict(anchors), interpreters.get(minor(version), version)))
    out: list[Combination] = []
    for versions, interpreter in runs:
        pairs = tuple(sorted(versions.items()))
        key = (*pairs, (PYTHON, interpreter))
        if key in seen:
            continue
        combo = Combination(
            pairs, interpreter, expected(conditions, {**versions, PYTHON: interpreter})
        )
        seen[key] = combo
        out.append(combo)
    out.sort(key=Combination.key)
    return out


def expected_of(entry: Entry, packages: Iterable[tuple[str, str]], python: str) -> Expected:
    """What the entry's condition sets (all of them) say ``packages`` on ``python`` should
    show, by the one version-matching module: the environment holds exactly the packages
    installed for it, so an alternative's package that was not installed does not hold."""
    from packaging.markers import default_environment

    from kb.matching import Applicability, Known, evaluate

    versions = {**dict(packages), PYTHON: python}
    markers = {k: str(v) for k, v in default_environment().items()}
    # the run's interpreter, which need not be the one running kb
    markers.update(python_version=minor(python), python_full_version=python)
    known = Known(versions, markers, complete=True)
    applies = evaluate(entry.affected.matching_sets(), known).applies
    return Expected.AFFECTED if applies is Applicability.AFFECTED else Expected.NOT_AFFECTED


Judge = Callable[[tuple[tuple[str, str], ...], str], Expected]
"""What the entry expects of a combination's packages on an interpreter release."""


def combinations_of_sets(
    sets: Sequence[Sequence[Condition]],
    python: str,
    judge: Judge,
    releases: ReleaseSource | None = None,
    interpreters: Mapping[str, str] | None = None,
) -> list[Combination]:
    """The combinations of every condition set (an entry's conditions and each of its
    alternatives), each once, sorted; ``judge`` (every set at once) decides what each
    should show, since a combination planned for one set may fall inside another.
    ``interpreters`` as for :func:`combinations`."""
    seen: dict[tuple[tuple[tuple[str, str], ...], str], Combination] = {}
    for conditions in sets:
        for combo in combinations(conditions, python, releases, interpreters):
            seen.setdefault((combo.packages, combo.python), combo)
    out = [Combination(c.packages, c.python, judge(c.packages, c.python)) for c in seen.values()]
    out.sort(key=Combination.key)
    return out


def minor(version: str) -> str:
    """``3.12.4`` -> ``3.12``."""
    release = _version(version).release
    return ".".join(str(p) for p in release[:2])
