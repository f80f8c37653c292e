"""Find a package's first affected and first fixed release with O(log n) runs.

The other packages of the entry stay at their anchors (releases inside their ranges) and
the interpreter is this machine's. The walk starts from the release the entry's own plan
takes as affected; below it, it looks for the first release that is affected (outcomes
are assumed to change once: not affected, then affected), above it for the first one that
is not (the fix). An inconclusive release is stepped over to its nearest conclusive
neighbour inside the interval, so a few broken installs cost a few runs, not the walk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from kb.errors import UsageError
from kb.matching import canonical
from kb.verify.plan import PYTHON, Combination, Expected, conditions_of, expected_of
from kb.verify.releases import final_releases
from kb.verify.runner import Outcome

if TYPE_CHECKING:
    from kb.models import Entry
    from kb.verify.core import Settings


@dataclass(slots=True)
class Bisection:
    """What a bisection found, and the specifier it proposes."""

    entry: str
    package: str
    declared: str
    declared_fixed: str | None
    tested: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Release -> (outcome, matched line or reason), for every release that was run."""
    first_affected: str | None = None
    first_fixed: str | None = None
    proposed: str | None = None
    note: str | None = None
    """Why nothing could be proposed."""
    caveats: list[str] = field(default_factory=list)
    """Where inconclusive releases leave a boundary uncertain."""
    expected: dict[str, str] = field(default_factory=dict)
    """Release -> what the entry's condition sets (all of them) say it should show."""

    @property
    def agrees(self) -> bool:
        """True when the entry classifies every conclusive run as it came out (by all its
        condition sets, else by the declared range)."""
        if self.note is not None:
            return False
        spec = SpecifierSet(self.declared)
        for version, (outcome, _) in self.tested.items():
            if outcome == Outcome.INCONCLUSIVE.value:
                continue
            if version in self.expected:
                inside = self.expected[version] == Expected.AFFECTED.value
            else:
                inside = spec.contains(version, prereleases=True)
            if inside != (outcome == Outcome.AFFECTED.value):
                return False
        return True


Probe = Callable[[str], Outcome]


def bisect(
    entry: Entry,
    package: str,
    settings: Settings,
    progress: Callable[[str, str], None] | None = None,
) -> Bisection:
    """Bisect ``package``'s releases (from ``settings.releases``) for ``entry``."""
    from kb.verify.core import _signatures, packages_python, plan, run_one, runnable

    name = canonical(package)
    conds = [c for _, s in entry.affected.sets() for c in conditions_of(s.conditions)]
    mine = [c for c in conds if canonical(c.package) == name]
    if name == PYTHON:
        raise UsageError("--bisect: the interpreter cannot be installed; bisect a package")
    if not mine:
        raise UsageError(f"--bisect: {entry.id} has no condition on {package!r}")
    why = runnable(entry)
    if why is not None:
        raise UsageError(f"--bisect: {entry.id} cannot run here: {why}")
    assert settings.releases is not None
    releases = final_releases(list(settings.releases(name)))
    if not releases:
        raise UsageError(f"--bisect: no releases of {package!r} found")
    result = Bisection(entry.id, name, mine[0].specifier, mine[0].fixed)
    python = packages_python(entry, settings)
    combos = [c for c in plan(entry, settings) if c.python == python]
    combos = [c for c in combos if name in dict(c.packages)] or combos
    affected = [c for c in combos if c.expected is Expected.AFFECTED]
    base = dict((affected or combos)[0].packages) if (affected or combos) else {}
    sigs = _signatures(entry)

    def probe(version: str) -> Outcome:
        versions = {**base, name: version}
        packages = tuple(sorted(versions.items()))
        want = expected_of(entry, packages, python)
        combo = Combination(packages, python, want)
        result.expected[version] = want.value
        outcome = run_one(entry, sigs, combo, settings)
        result.tested[version] = (outcome.outcome.value, outcome.matched or outcome.reason)
        if progress is not None:
            progress(version, outcome.outcome.value)
        return outcome.outcome

    walk(releases, base.get(name), probe, result)
    return result


def walk(releases: list[str], start: str | None, probe: Probe, result: Bisection) -> None:
    """The search itself, over ``releases`` (oldest first) with ``probe`` deciding each."""
    seen: dict[int, Outcome] = {}

    def at(i: int) -> Outcome:
        if i not in seen:
            seen[i] = probe(releases[i])
        return seen[i]

    index = {Version(v): i for i, v in enumerate(releases)}
    begin = index.get(Version(start)) if start is not None else None
    if begin is None or at(begin) is not Outcome.AFFECTED:
        begin = _find_affected(releases, at)
    if begin is None:
        result.note = "no tested release was affected; nothing to bisect"
        return
    first = 0 if at(0) is Outcome.AFFECTED else _boundary(releases, 0, begin, at, result)
    last = len(releases) - 1
    fixed = None if at(last) is Outcome.AFFECTED else _boundary(releases, begin, last, at, result)
    result.first_affected = releases[first]
    result.first_fixed = releases[fixed] if fixed is not None else None
    parts = []
    if first > 0:
        parts.append(f">={releases[first]}")
    if fixed is not None:
        parts.append(f"<{releases[fixed]}")
    result.proposed = ",".join(parts) if parts else ">=0"


def _find_affected(releases: list[str], at: Callable[[int], Outcome]) -> int | None:
    """An affected release when the start is not one: the newest, then the oldest."""
    for i in (len(releases) - 1, 0):
        if at(i) is Outcome.AFFECTED:
            return i
    return None


def _boundary(
    releases: list[str], lo: int, hi: int, at: Callable[[int], Outcome], result: Bisection
) -> int:
    """The first index in ``(lo, hi]`` whose outcome is ``at(hi)``'s, given that ``at(lo)``
    differs. When only inconclusive releases are left between them, the boundary is taken
    at ``hi`` and a caveat says where it may lie instead."""
    want = at(hi)
    while hi - lo > 1:
        mid = _conclusive(lo, hi, at)
        if mid is None:
            result.caveats.append(
                f"{releases[lo + 1]} to {releases[hi - 1]} were inconclusive; the change "
                f"may lie among them rather than at {releases[hi]}"
            )
            return hi
        if at(mid) is want:
            hi = mid
        else:
            lo = mid
    return hi


def _conclusive(lo: int, hi: int, at: Callable[[int], Outcome]) -> int | None:
    """The index nearest the middle of ``(lo, hi)`` with a conclusive outcome."""
    mid = (lo + hi) // 2
    for step in range(hi - lo):
        for i in (mid + step, mid - step):
            if lo < i < hi and at(i) is not Outcome.INCONCLUSIVE:
                return i
    return None
