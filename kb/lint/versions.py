"""KB5xx: version facts must parse (PEP 440/508) and agree with each other and the status."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from kb.errors import shorten
from kb.lint.context import EntryContext
from kb.lint.registry import Finding, Scope, declare
from kb.matching import contains
from kb.matching.versions import parse_version
from kb.models import Condition, ReferenceKind, Status


@lru_cache(maxsize=8192)
def _specifier(text: str) -> SpecifierSet | str:
    try:
        spec = SpecifierSet(text)
    except InvalidSpecifier as exc:
        return str(exc)
    for item in spec:
        if item.operator == "===":  # arbitrary equality compares strings
            continue
        # packaging parses a specifier's version only when it compares, and a huge number
        # then raises ValueError: each is read here once, as search and check will
        try:
            parse_version(item.version.removesuffix(".*"))
        except InvalidVersion as exc:
            return f"{item.operator}{shorten(item.version)}: {exc}"
    return spec


@lru_cache(maxsize=8192)
def _version(text: str) -> Version | str:
    try:
        return parse_version(text)
    except InvalidVersion as exc:
        return str(exc)


def _conditions(ctx: EntryContext) -> Iterator[tuple[tuple[str | int, ...], Condition]]:
    """Every condition of every condition set, with where it is in the file."""
    for where, conditions in ctx.loaded.entry.affected.sets():
        for i, cond in enumerate(conditions.conditions):
            yield (*where, "conditions", i), cond


@declare("KB501", "invalid-specifier", "An affected range is not a PEP 440 specifier.", Scope.ENTRY)
def invalid_specifier(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    `affected.conditions[].specifier` (or an alternative's) does not parse as a PEP 440
    version specifier.

    ## Why
    `kb check` decides whether an environment is affected by testing installed versions
    against the specifier; one that does not parse can never answer.

    ## Example
    ```yaml
    specifier: "< 2.2.5, >= 2.0, 3.x"   # "3.x" is not a specifier
    ```
    """
    for where, cond in _conditions(ctx):
        if isinstance(_specifier(cond.specifier), str):
            yield (
                ctx.location(*where, "specifier"),
                f"{cond.specifier!r} is not a PEP 440 version specifier",
            )


@declare(
    "KB502", "invalid-version", "A release or fixed version is not a PEP 440 version.", Scope.ENTRY
)
def invalid_version(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    A `fixed` release or a `releases` item of a condition is not a PEP 440 version.

    ## Why
    Versions are compared with the affected range to draw the compatibility table and to
    tell users the first good release; text that is not a version cannot be compared.

    ## Example
    ```yaml
    fixed: "v2.3 (next)"   # write 2.3
    ```
    """
    for where, cond in _conditions(ctx):
        if cond.fixed is not None and isinstance(_version(cond.fixed), str):
            yield (
                ctx.location(*where, "fixed"),
                f"fixed release {cond.fixed!r} is not a PEP 440 version",
            )
        for j, rel in enumerate(cond.releases):
            if isinstance(_version(rel), str):
                yield (
                    ctx.location(*where, "releases", j),
                    f"release {rel!r} is not a PEP 440 version",
                )


@declare(
    "KB503",
    "invalid-requirement",
    "A fix's `requires` or a reproduction requirement is not a PEP 508 requirement.",
    Scope.ENTRY,
)
def invalid_requirement(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    `fixes[].requires` or an item of `reproduction.requirements` does not parse as a PEP 508
    requirement (`name` plus an optional specifier and marker).

    ## Why
    The requirement is what a user copies into a requirements file, what tools read to
    suggest the fix, and what `kb verify` installs; it must be exactly right.

    ## Example
    ```yaml
    requires: flask 2.2.5 or later   # write flask>=2.2.5
    ```
    """
    entry = ctx.loaded.entry
    located: list[tuple[tuple[str | int, ...], str]] = [
        (("fixes", i, "requires"), fix.requires)
        for i, fix in enumerate(entry.fixes)
        if fix.requires is not None
    ]
    if entry.reproduction is not None:
        located += [
            (("reproduction", "requirements", i), requirement)
            for i, requirement in enumerate(entry.reproduction.requirements)
        ]
    for path, requirement in located:
        why = requirement_problem(requirement)
        if why is not None:
            yield (
                ctx.location(*path),
                f"{requirement!r} is not a PEP 508 requirement: {why}",
            )


_VERSION = r"\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?"
_CLAUSE = rf"\s*(?:(?:>=|<=|>|<|~=|!=)\s*{_VERSION}|(?:==|!=)\s*{_VERSION}(?:\.\*)?)\s*"
_SIMPLE_REQUIREMENT = re.compile(
    rf"\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:{_CLAUSE}(?:,{_CLAUSE})*)?"
)


@lru_cache(maxsize=8192)
def requirement_problem(text: str) -> str | None:
    """Why ``text`` is not a PEP 508 requirement, or None when it is."""
    # The common shapes (name, comparisons with plain versions) need no full parse.
    if _SIMPLE_REQUIREMENT.fullmatch(text):
        return None
    try:
        Requirement(text)
    except InvalidRequirement as exc:
        return str(exc).splitlines()[0]
    return None


@declare(
    "KB504",
    "fixed-in-affected-range",
    "A condition's fixed release falls inside its own affected range.",
    Scope.ENTRY,
)
def fixed_in_affected_range(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    The `fixed` release of a condition is matched by the condition's own `specifier`: the
    entry says the release is both fixed and affected.

    ## Why
    One of the two facts is wrong, and users would be told to upgrade to a release that
    the same entry calls broken.

    ## Example
    ```yaml
    specifier: "<=2.3"
    fixed: "2.3"   # the range should be <2.3
    ```
    """
    for where, cond in _conditions(ctx):
        if cond.fixed is not None and contains(cond.specifier, cond.fixed):
            yield (
                ctx.location(*where, "fixed"),
                f"fixed release {cond.fixed} is inside the affected range {cond.specifier!r}",
            )


@declare(
    "KB505",
    "fixed-upstream-unsupported",
    "Status fixed-upstream without a fix reference and a fixed release.",
    Scope.ENTRY,
)
def fixed_upstream_unsupported(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    An entry with `status: fixed-upstream` must name the fix: a reference of kind `fix`
    or `commit`, and a `fixed` release on at least one condition.

    ## Why
    "Fixed upstream" is a claim users act on by upgrading. Without the fix and the release
    that ships it, nobody can check the claim or know which version to install.

    ## Example
    ```yaml
    status: fixed-upstream
    affected:
      conditions:
        - package: flask
          specifier: "<2.2.5"   # add fixed: "2.2.5"
    ```
    """
    entry = ctx.loaded.entry
    if entry.status is not Status.FIXED_UPSTREAM:
        return
    missing = []
    kinds = {ref.kind for ref in entry.evidence.references}
    if not kinds & {ReferenceKind.FIX, ReferenceKind.COMMIT}:
        missing.append("a reference of kind fix or commit")
    if not any(cond.fixed for _, cond in _conditions(ctx)):
        missing.append("a fixed release on a condition")
    if missing:
        yield ctx.location("status"), "status fixed-upstream needs " + " and ".join(missing)


@declare("KB506", "invalid-marker", "The affected marker is not a PEP 508 marker.", Scope.ENTRY)
def invalid_marker(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    `affected.marker` (or an alternative's) does not parse as a PEP 508 environment marker.

    ## Why
    The marker limits the failure to a platform or interpreter; `kb check` evaluates it,
    and a marker that does not parse cannot be evaluated.

    ## Example
    ```yaml
    marker: "windows only"   # write: sys_platform == "win32"
    ```
    """
    for where, conditions in ctx.loaded.entry.affected.sets():
        marker = conditions.marker
        if marker is None:
            continue
        try:
            Marker(marker)
        except InvalidMarker as exc:
            why = str(exc).splitlines()[0]
            yield ctx.location(*where, "marker"), f"{marker!r} is not a PEP 508 marker: {why}"
