"""Version-compatibility tables, derived from an entry's conditions and never typed by hand.

Each condition (a package, or ``python`` for the interpreter) is one dimension whose
releases come from the condition's ``releases``, else from the repository's list of known
releases, else from the versions its specifier and ``fixed`` name. A release is
*affected* when it is inside the condition's specifier, *fixed* when it is at or after the
condition's ``fixed`` release, else *not affected*.

One condition gives a list table. Two give a matrix (rows the first condition's releases,
columns the second's) whose cell is affected only when both releases are in range. With
more than two, the first two form the matrix and each further condition gets its own list
table; the failure needs every table's condition at once. Status is shown as a word, a
symbol and a colour, and every cell carries text naming its row and column for screen
readers.

Cells that ``kb verify`` ran are marked as *verified* (with the outcome it saw, the
interpreter and the date); the others are only *declared*, derived from the ranges.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from kb.matching import at_or_past, contains
from kb.matching.versions import parse_version
from kb.render.markup import escape

if TYPE_CHECKING:
    from packaging.version import Version

    from kb.models import Condition
    from kb.verify.record import RunRecord, Verification


@dataclass(frozen=True, slots=True)
class VerifiedRuns:
    """The conclusive runs of a verification, to look cells up in."""

    runs: tuple[RunRecord, ...]
    interpreter: str
    date: str

    def find(
        self, wanted: Mapping[str, str], status: ReleaseStatus | None = None
    ) -> RunRecord | None:
        """A conclusive run whose releases include ``wanted`` (package -> release; the
        interpreter by minor version), else None. With the cell's ``status``, a run on
        another release of that minor version counts only when the entry expected the same
        of it (3.12.1 does not stand for 3.12.4 when the range starts at 3.12.4)."""
        for run in self.runs:
            versions = dict(run.packages)
            if not all(_same(p, versions.get(p, run.python if p == "python" else None), r)
                       for p, r in wanted.items()):  # fmt: skip
                continue
            other_release = "python" in wanted and run.python != wanted["python"]
            if (
                other_release
                and status is not None
                and (run.expected == "affected") != (status is ReleaseStatus.AFFECTED)
            ):
                continue
            return run
        return None


def _same(package: str, have: str | None, want: str) -> bool:
    if have is None:
        return False
    a, b = _version(have), _version(want)
    if a is None or b is None:
        return have == want
    if package == "python":
        return a.release[:2] == b.release[:2]
    return a == b


def verified_runs(verification: Verification) -> VerifiedRuns:
    """The conclusive runs of ``verification``."""
    runs = tuple(r for r in verification.runs if r.outcome != "inconclusive")
    return VerifiedRuns(runs, verification.interpreter, verification.date)


class ReleaseStatus(StrEnum):
    """Where one release (or combination of releases) stands."""

    AFFECTED = "affected"
    FIXED = "fixed"
    NOT_AFFECTED = "not-affected"
    UNKNOWN = "unknown"

    @property
    def words(self) -> str:
        """How the status reads on the page."""
        return self.value.replace("-", " ")


_SYMBOL = {
    ReleaseStatus.AFFECTED: "✗",
    ReleaseStatus.FIXED: "✓",
    ReleaseStatus.NOT_AFFECTED: "✓",
    ReleaseStatus.UNKNOWN: "?",
}

_VERSION_IN_SPEC = re.compile(r"[0-9][0-9A-Za-z.!+*-]*")


@dataclass(frozen=True, slots=True)
class Dimension:
    """One condition with the releases to show for it."""

    package: str
    specifier: str
    fixed: str | None
    releases: tuple[str, ...]

    @property
    def label(self) -> str:
        """``Python`` for the interpreter, else the package name."""
        return "Python" if self.package == "python" else self.package

    def status(self, release: str) -> ReleaseStatus:
        """Status of one release of this dimension on its own."""
        inside = contains(self.specifier, release)
        if inside is None:
            return ReleaseStatus.UNKNOWN
        if inside:
            return ReleaseStatus.AFFECTED
        if self.fixed is not None:
            after = at_or_past(release, self.fixed)
            if after is None:
                return ReleaseStatus.UNKNOWN
            if after:
                return ReleaseStatus.FIXED
        return ReleaseStatus.NOT_AFFECTED


def _version(text: str) -> Version | None:
    from packaging.version import InvalidVersion

    try:
        return parse_version(text)
    except InvalidVersion:
        return None


def _sorted_releases(releases: Sequence[str]) -> tuple[str, ...]:
    unique = list(dict.fromkeys(r.strip() for r in releases if r.strip()))
    parsed = [(v, r) for r in unique if (v := _version(r)) is not None]
    good = [r for _, r in sorted(parsed)]
    bad = [r for r in unique if _version(r) is None]
    return (*good, *bad)


def dimensions(
    conditions: Sequence[Condition], known: Mapping[str, Sequence[str]] | None = None
) -> list[Dimension]:
    """The dimensions of an entry's tables, one per condition, in the entry's order."""
    out = []
    for cond in conditions:
        releases: Sequence[str] = cond.releases
        if not releases and known:
            releases = known.get(cond.package, ())
        if not releases:
            named = _VERSION_IN_SPEC.findall(cond.specifier)
            releases = [*named, *([cond.fixed] if cond.fixed else [])]
        out.append(Dimension(cond.package, cond.specifier, cond.fixed, _sorted_releases(releases)))
    return out


def combined(statuses: Sequence[ReleaseStatus]) -> ReleaseStatus:
    """Status of a combination of releases: affected only when every condition holds."""
    if all(s is ReleaseStatus.AFFECTED for s in statuses):
        return ReleaseStatus.AFFECTED
    if any(s is ReleaseStatus.FIXED for s in statuses):
        return ReleaseStatus.FIXED
    if any(s is ReleaseStatus.NOT_AFFECTED for s in statuses):
        return ReleaseStatus.NOT_AFFECTED
    return ReleaseStatus.UNKNOWN


def _cell(status: ReleaseStatus, context: str, run: RunRecord | None = None) -> str:
    if run is None:
        return (
            f'<td class="kb-cell kb-cell--{status.value}" data-status="{status.value}">'
            f'<span class="kb-symbol" aria-hidden="true">{_SYMBOL[status]}</span> '
            f"{status.words}"
            f'<span class="kb-sr-only"> ({escape(context)})</span></td>'
        )
    seen = run.outcome.replace("-", " ")
    agrees = (run.outcome == "affected") == (status is ReleaseStatus.AFFECTED)
    mark = "verified" if agrees else f"kb verify saw: {seen}"
    title = f"kb verify ran this combination on Python {run.python}: {seen}"
    return (
        f'<td class="kb-cell kb-cell--{status.value} kb-verified" data-status="{status.value}" '
        f'data-verified="{escape(run.outcome)}" title="{escape(title)}">'
        f'<span class="kb-symbol" aria-hidden="true">{_SYMBOL[status]}</span> '
        f'{status.words} <span class="kb-verified-mark">({escape(mark)})</span>'
        f'<span class="kb-sr-only"> ({escape(context)}; {escape(title)})</span></td>'
    )


def _spec_text(dim: Dimension) -> str:
    fixed = f", fixed in {dim.fixed}" if dim.fixed else ""
    return f"{dim.label} {dim.specifier}{fixed}"


def _run(
    runs: VerifiedRuns | None, wanted: Mapping[str, str], status: ReleaseStatus
) -> RunRecord | None:
    return runs.find(wanted, status) if runs is not None else None


def list_table(dim: Dimension, runs: VerifiedRuns | None = None) -> str:
    """One condition: a row per release with its status."""
    rows = "".join(
        f'<tr><th scope="row">{escape(dim.label)} {escape(r)}</th>'
        f"{_cell(dim.status(r), f'{dim.label} {r}', _run(runs, {dim.package: r}, dim.status(r)))}"
        "</tr>"
        for r in dim.releases
    )
    return (
        f'<table class="kb-compat" data-kind="list" data-package="{escape(dim.package)}">'
        f"<caption>{escape(dim.label)} releases (affected: {escape(_spec_text(dim))})</caption>"
        f'<thead><tr><th scope="col">Release</th><th scope="col">Status</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def matrix_table(rows_dim: Dimension, cols_dim: Dimension, runs: VerifiedRuns | None = None) -> str:
    """Two conditions together: rows one's releases, columns the other's."""
    head = "".join(
        f'<th scope="col">{escape(cols_dim.label)} {escape(c)}</th>' for c in cols_dim.releases
    )
    body = []
    for r in rows_dim.releases:
        row_status = rows_dim.status(r)
        statuses = {c: combined([row_status, cols_dim.status(c)]) for c in cols_dim.releases}
        cells = "".join(
            _cell(
                statuses[c],
                f"{rows_dim.label} {r} with {cols_dim.label} {c}",
                _run(runs, {rows_dim.package: r, cols_dim.package: c}, statuses[c]),
            )
            for c in cols_dim.releases
        )
        body.append(f'<tr><th scope="row">{escape(rows_dim.label)} {escape(r)}</th>{cells}</tr>')
    corner = f"{escape(rows_dim.label)} \\ {escape(cols_dim.label)}"
    return (
        f'<table class="kb-compat kb-matrix" data-kind="matrix" '
        f'data-rows="{escape(rows_dim.package)}" data-cols="{escape(cols_dim.package)}">'
        f"<caption>{escape(rows_dim.label)} × {escape(cols_dim.label)}: affected only when both "
        f"hold ({escape(_spec_text(rows_dim))}; {escape(_spec_text(cols_dim))})</caption>"
        f'<thead><tr><th scope="col">{corner}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def tables(dims: Sequence[Dimension], runs: VerifiedRuns | None = None) -> list[str]:
    """The HTML tables for an entry's dimensions (see the module docstring for the layout);
    cells that ``runs`` covers are marked verified."""
    if not dims:
        return []
    if len(dims) == 1:
        return [list_table(dims[0], runs)]
    return [matrix_table(dims[0], dims[1], runs), *(list_table(d, runs) for d in dims[2:])]


def verified_legend(verification: Verification) -> str:
    """What the verified marks mean for this entry: when, on what, and how many cells."""
    conclusive = sum(1 for r in verification.runs if r.outcome != "inconclusive")
    if verification.not_run:
        return (
            '<p class="kb-legend kb-verified-legend">Declared only: kb verify did not run the '
            f"reproduction ({escape(verification.not_run)}).</p>"
        )
    return (
        '<p class="kb-legend kb-verified-legend"><span class="kb-verified-mark">(verified)</span>: '
        "kb verify installed these releases and ran the reproduction on "
        f"{escape(_interpreters(verification))} ({escape(verification.platform)}) on "
        f"{escape(verification.date)}, and the entry's signatures agreed "
        f"({conclusive} of {len(verification.runs)} runs conclusive); other cells are declared "
        "from the ranges above.</p>"
    )


def _interpreters(verification: Verification) -> str:
    """``CPython 3.9.18, 3.11.7``: the interpreter releases of the conclusive runs (the one
    running kb verify when none was)."""
    implementation = verification.interpreter.split(" ", 1)[0]
    releases = {r.python for r in verification.runs if r.outcome != "inconclusive"}
    if not releases:
        return verification.interpreter
    ordered = sorted(releases, key=lambda v: (_version(v) is None, _version(v) or v))
    return f"{implementation} {', '.join(ordered)}"


LEGEND = (
    '<p class="kb-legend">'
    '<span class="kb-cell--affected"><span aria-hidden="true">✗</span> affected</span>: '
    "the failure occurs; "
    '<span class="kb-cell--fixed"><span aria-hidden="true">✓</span> fixed</span>: '
    "at or after the release that fixed it; "
    '<span class="kb-cell--not-affected"><span aria-hidden="true">✓</span> not affected</span>: '
    "outside the affected range.</p>"
)
