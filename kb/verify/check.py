"""Re-read verification files without running anything: are they well formed, fresh, agreed?

``kb verify --check`` (for CI) and lint both use :func:`contradictions`. A run
contradicts its entry when it was affected where the entry's conditions say not affected
(the entry claims a fix or a range that the reproduction disproves), or not affected
inside the range. Inconclusive runs never contradict anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import display_path
from kb.verify import record
from kb.verify.plan import expected_of
from kb.verify.record import Malformed, RunRecord, Verification

if TYPE_CHECKING:
    from kb.loader import LoadedEntry
    from kb.models import Entry


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem with one verification file."""

    path: str
    kind: str
    """``malformed``, ``stale``, ``contradiction``, ``orphan`` or ``missing``."""
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.kind}: {self.message}"


FAILING = frozenset({"malformed", "stale", "contradiction", "orphan"})
"""Kinds that make ``kb verify --check`` fail; a missing file is only reported."""


def expectation(entry: Entry, run: RunRecord) -> str:
    """What the entry's condition sets say the run's releases should show."""
    return expected_of(entry, run.packages, run.python).value


def contradictions(entry: Entry, verification: Verification) -> list[tuple[RunRecord, str]]:
    """Runs whose outcome disagrees with the entry, each with a message that says how."""
    out = []
    for run in verification.runs:
        want = expectation(entry, run)
        if run.outcome in ("inconclusive", want):
            continue
        releases = describe(run)
        if run.outcome == "affected":
            message = (
                f"{releases}: affected (output: {run.matched!r}), "
                "but the entry's conditions say not affected"
            )
        else:
            message = f"{releases}: not affected, but the entry's conditions say affected"
        out.append((run, message))
    return out


def describe(run: RunRecord) -> str:
    """``flask==2.2.3 werkzeug==3.0.0 on Python 3.11.7``."""
    parts = [f"{n}=={v}" for n, v in run.packages]
    return " ".join([*parts, f"on Python {run.python}"])


def check(loaded: Iterable[LoadedEntry], roots: Iterable[Path] = ()) -> list[Finding]:
    """Every problem with the verification files of ``loaded`` (and orphans under ``roots``)."""
    from kb.verify.core import runnable

    found: list[Finding] = []
    known: set[Path] = set()
    for item in loaded:
        path = record.path_for(item.path)
        known.add(path.resolve())
        shown = display_path(path)
        try:
            verification = record.read(path)
        except Malformed as exc:
            found.append(Finding(shown, "malformed", str(exc)))
            continue
        if verification is None:
            if runnable(item.entry) is None:
                found.append(Finding(shown, "missing", "the entry has a runnable reproduction"))
            continue
        found.extend(_check_one(item.entry, verification, shown))
    for root in roots:
        for path in sorted(root.rglob(f"*{record.SUFFIX}")):
            if path.resolve() not in known and not path.with_name(_yaml(path)).exists():
                found.append(Finding(display_path(path), "orphan", "no entry file beside it"))
    return found


def _yaml(path: Path) -> str:
    return path.name.removesuffix(record.SUFFIX) + ".yaml"


def _check_one(entry: Entry, verification: Verification, shown: str) -> list[Finding]:
    if verification.entry != entry.id:
        return [Finding(shown, "malformed", f"entry: {verification.entry!r} is not {entry.id!r}")]
    if verification.hash != record.entry_hash(entry):
        return [
            Finding(
                shown,
                "stale",
                "the entry's reproduction, conditions or signatures changed since "
                f"{verification.date}; run kb verify {entry.id}",
            )
        ]
    return [Finding(shown, "contradiction", msg) for _, msg in contradictions(entry, verification)]
