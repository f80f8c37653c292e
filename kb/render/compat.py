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


def _cell(status: ReleaseStatus, context: str) -> str:
    return (
        f'<td class="kb-cell kb-cell--{status.value}" data-status="{status.value}">'
        f'<span class="kb-symbol" aria-hidden="true">{_SYMBOL[status]}</span> '
        f"{status.words}"
        f'<span class="kb-sr-only"> ({escape(context)})</span></td>'
    )


def _spec_text(dim: Dimension) -> str:
    fixed = f", fixed in {dim.fixed}" if dim.fixed else ""
    return f"{dim.label} {dim.specifier}{fixed}"


def list_table(dim: Dimension) -> str:
    """One condition: a row per release with its status."""
    rows = "".join(
        f'<tr><th scope="row">{escape(dim.label)} {escape(r)}</th>'
        f"{_cell(dim.status(r), f'{dim.label} {r}')}</tr>"
        for r in dim.releases
    )
    return (
        f'<table class="kb-compat" data-kind="list" data-package="{escape(dim.package)}">'
        f"<caption>{escape(dim.label)} releases (affected: {escape(_spec_text(dim))})</caption>"
        f'<thead><tr><th scope="col">Release</th><th scope="col">Status</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def matrix_table(rows_dim: Dimension, cols_dim: Dimension) -> str:
    """Two conditions together: rows one's releases, columns the other's."""
    head = "".join(
        f'<th scope="col">{escape(cols_dim.label)} {escape(c)}</th>' for c in cols_dim.releases
    )
    body = []
    for r in rows_dim.releases:
        row_status = rows_dim.status(r)
        cells = "".join(
            _cell(
                combined([row_status, cols_dim.status(c)]),
                f"{rows_dim.label} {r} with {cols_dim.label} {c}",
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


def tables(dims: Sequence[Dimension]) -> list[str]:
    """The HTML tables for an entry's dimensions (see the module docstring for the layout)."""
    if not dims:
        return []
    if len(dims) == 1:
        return [list_table(dims[0])]
    return [matrix_table(dims[0], dims[1]), *(list_table(d) for d in dims[2:])]


LEGEND = (
    '<p class="kb-legend">'
    '<span class="kb-cell--affected"><span aria-hidden="true">✗</span> affected</span>: '
    "the failure occurs; "
    '<span class="kb-cell--fixed"><span aria-hidden="true">✓</span> fixed</span>: '
    "at or after the release that fixed it; "
    '<span class="kb-cell--not-affected"><span aria-hidden="true">✓</span> not affected</span>: '
    "outside the affected range.</p>"
)
