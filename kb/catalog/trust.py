"""Which signatures search and scan may trust: those of entries whose signatures pass lint.

An entry whose signatures fail lint (a regex that does not compile, a signature that
misses its own examples or matches its near misses, one too generic to identify a
failure, a regex shape that backtracks) could send users to the wrong fix at full
confidence. The index records each entry's signature problems when it indexes the entry;
search and scan then leave those signatures out and say so, as they skip invalid entries.
"""

from __future__ import annotations

from collections.abc import Mapping

from kb.errors import Problem
from kb.startup import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from kb.lint.context import EntryContext
    from kb.loader import LoadedEntry

SIGNATURE_RULES = ("KB401", "KB402", "KB403", "KB404", "KB405", "KB407")
"""The lint rules that decide whether an entry's signatures can be trusted."""


def signature_problems(loaded: LoadedEntry, ctx: EntryContext | None = None) -> list[str]:
    """The signature rules' findings on one entry, as ``path:line:col: CODE message``
    (``ctx``: the lint context of that entry, when the caller has one)."""
    from kb.lint.context import EntryContext
    from kb.lint.rules import BY_CODE

    ctx = ctx if ctx is not None else EntryContext(loaded)
    found: list[str] = []
    for code in SIGNATURE_RULES:
        check = BY_CODE[code].check
        assert check is not None
        found.extend(str(Problem(code, message, where)) for where, message in check(ctx))
    return found


def trusted(record: Mapping[str, Any]) -> bool:
    """True when the record's signatures passed the signature rules when it was indexed."""
    return not record.get("lint")


def untrusted_warnings(skipped: Mapping[str, list[str]]) -> list[str]:
    """One warning naming how many entries' signatures were left out, and the first reason;
    ``skipped`` maps their ids to their signature problems."""
    flagged = [skipped[i] for i in sorted(skipped) if skipped[i]]
    if not flagged:
        return []
    count = len(flagged)
    which = "entry fails" if count == 1 else "entries fail"
    return [
        f"{count} {which} lint; their signatures are not used "
        f"(run 'kb lint' for details): {flagged[0][0]}"
    ]
