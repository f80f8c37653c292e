"""``kb scan``: which known failures occur in a log.

:func:`scan` streams any number of logs through one literal prefilter and the shared
signature matcher; :func:`signatures_of` compiles the signatures of a catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kb.matching import CompiledSignature, compile_signature
from kb.scan.report import Finding, ScanReport, SourceStats
from kb.scan.scanner import scan

if TYPE_CHECKING:
    from kb.catalog.cache import SignatureRow

__all__ = [
    "Finding",
    "ScanReport",
    "SourceStats",
    "scan",
    "signatures_of",
    "signatures_of_catalog",
]


def signatures_of(entries: Iterable[object]) -> tuple[list[CompiledSignature], list[str]]:
    """Compiled signatures of loaded entries (``kb.loader.LoadedEntry``); a signature whose
    regular expression does not compile is left out and named in the notes."""
    from kb.loader import LoadedEntry

    compiled: list[CompiledSignature] = []
    notes: list[str] = []
    for loaded in entries:
        assert isinstance(loaded, LoadedEntry)
        entry = loaded.entry
        for index, sig in enumerate(entry.signatures):
            try:
                compiled.append(
                    compile_signature(
                        entry.id, index, sig.kind.value, sig.text, sig.regex, sig.exception
                    )
                )
            except re.error as exc:
                where = loaded.location("signatures", index, "regex")
                notes.append(f"{where}: regex does not compile ({exc}); signature skipped")
    return compiled, notes


def signatures_of_catalog(
    rows: Iterable[SignatureRow],
) -> tuple[list[CompiledSignature], list[dict[str, Any]], list[str]]:
    """The signatures of a catalog (:meth:`kb.catalog.cache.CatalogFile.signatures`), ready
    to match, what the catalog kept of each (for :class:`~kb.scan.prefilter.Prefilter`),
    and notes on those left out: the same signatures as :func:`signatures_of` gives,
    without loading a YAML file or compiling a regex that no line calls for."""
    from kb.matching import from_prepared

    compiled: list[CompiledSignature] = []
    prepared: list[dict[str, Any]] = []
    notes: list[str] = []
    untrusted: set[str] = set()
    for row in rows:
        if not row.trusted:
            if row.entry_id not in untrusted:
                untrusted.add(row.entry_id)
                notes.append(f"{row.path}: fails lint; its signatures are not used")
            continue
        if row.data is None:
            notes.append(
                f"{row.path}: signatures[{row.index}].regex does not compile; signature skipped"
            )
            continue
        compiled.append(
            from_prepared(row.entry_id, row.index, row.kind, row.text, row.exception, row.data)
        )
        prepared.append(row.data)
    return compiled, prepared, notes
