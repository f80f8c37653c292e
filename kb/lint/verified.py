"""KB507, KB701, KB702: the entry against its verification file (``kb verify``'s evidence).

These rules read ``<id>.verified.json`` beside the entry; they never run anything. A
contradiction is an error; a missing or old verification is a warning, which ``kb lint``
reports without failing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from kb.lint.context import EntryContext
from kb.lint.registry import Finding, Scope, Severity, declare
from kb.verify import record
from kb.verify.check import contradictions
from kb.verify.record import Malformed, Verification

MAX_AGE_MONTHS = 12
"""A verification older than this many months is reported by KB702: releases move on."""


def _verification(ctx: EntryContext) -> Verification | Malformed | None:
    try:
        return record.read(record.path_for(ctx.loaded.path))
    except Malformed as exc:
        return exc


def _months_between(earlier: dt.date, later: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


@declare(
    "KB507",
    "verified-contradiction",
    "A verified outcome contradicts the affected range or the fixed release.",
    Scope.ENTRY,
)
def verified_contradiction(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    `kb verify` ran the reproduction with releases for which the entry's conditions say one
    thing and the entry's own signatures saw another: affected where the entry says fixed
    or not affected, or not affected inside the affected range. Only a verification of
    the entry as it is now counts (an older one is KB702's business).

    ## Why
    The compatibility tables are promises. When running the reproduction disproves one,
    the range, the fixed release or the reproduction is wrong, and readers would pin or
    upgrade on a false fact.

    ## Example
    ```yaml
    # werkzeug-2789-url-quote-removed.verified.json shows
    #   flask==2.2.4 werkzeug==3.0.0: affected (ImportError: cannot import name 'url_quote' ...)
    - package: flask
      specifier: "<2.2.4"
      fixed: "2.2.4"          # the run says 2.2.4 still fails: check the fix release
    ```
    """
    found = _verification(ctx)
    entry = ctx.loaded.entry
    if not isinstance(found, Verification) or found.hash != record.entry_hash(entry):
        return
    for _, message in contradictions(entry, found):
        yield ctx.location("affected", "conditions"), f"kb verify saw {message}"


@declare(
    "KB701",
    "verification-missing",
    "An entry that says it was reproduced has no verification file.",
    Scope.ENTRY,
    Severity.WARNING,
)
def verification_missing(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    The entry says it was reproduced (`evidence.reproduced.done: true`) and has a reproduction
    kb can run (Python or shell, with nothing it cannot install), but there is no
    `<id>.verified.json` beside it, or the file there cannot be read. A warning.

    ## Why
    "Reproduced" written by hand is a claim; the verification file is the evidence: the
    outcome of each tested release, judged by the entry's own signatures. `kb verify ID`
    writes it.

    ## Example
    ```text
    entries/httpx/httpx-838-asyncclient-eager-ssl-context.yaml
    entries/httpx/httpx-838-asyncclient-eager-ssl-context.verified.json   # missing: run kb verify
    ```
    """
    from kb.verify.core import runnable

    entry = ctx.loaded.entry
    if not entry.evidence.reproduced.done or runnable(entry) is not None:
        return
    found = _verification(ctx)
    if found is None:
        yield ctx.location("reproduction"), f"no verification file; run kb verify {entry.id}"
    elif isinstance(found, Malformed):
        name = record.path_for(ctx.loaded.path).name
        yield ctx.location("reproduction"), f"{name} is malformed: {found}"


@declare(
    "KB702",
    "verification-outdated",
    f"The verification is older than {MAX_AGE_MONTHS} months, or the entry changed since.",
    Scope.ENTRY,
    Severity.WARNING,
)
def verification_outdated(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    The entry's `<id>.verified.json` was written more than `MAX_AGE_MONTHS` (12) months
    ago, or the reproduction, conditions or signatures changed after it was written (the
    hash it stores no longer matches). A warning.

    ## Why
    New releases appear and old ones get yanked; an entry that changed since it was
    verified is no longer backed by its evidence. Re-running `kb verify ID` refreshes both.

    ## Example
    ```json
    {"date": "2024-01-10", "hash": "sha256:...", "entry": "httpx-838-..."}
    ```
    """
    found = _verification(ctx)
    if not isinstance(found, Verification):
        return
    entry = ctx.loaded.entry
    where = ctx.location("reproduction") if entry.reproduction else ctx.location("id")
    if found.hash != record.entry_hash(entry):
        yield (
            where,
            (f"the entry changed since it was verified on {found.date}; run kb verify {entry.id}"),
        )
        return
    try:
        when = dt.date.fromisoformat(found.date)
    except ValueError:
        return
    age = _months_between(when, dt.date.today())
    if age >= MAX_AGE_MONTHS:
        yield where, f"verified {found.date}, {age} months ago; run kb verify {entry.id}"
