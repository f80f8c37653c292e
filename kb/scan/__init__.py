"""``kb scan``: which known failures occur in a log.

:func:`scan` streams any number of logs through one literal prefilter and the shared
signature matcher; :func:`signatures_of` compiles the signatures of a catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, overload

from kb.matching import CompiledSignature, compile_signature
from kb.scan.prefilter import Prefilter
from kb.scan.report import Finding, ScanReport, SourceStats
from kb.scan.scanner import scan

if TYPE_CHECKING:
    from kb.catalog.cache import Catalog

__all__ = [
    "Finding",
    "ScanReport",
    "SourceStats",
    "prefilter_of_catalog",
    "scan",
    "signatures_of",
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


def prefilter_of_catalog(catalog: Catalog) -> tuple[Prefilter, list[str]]:
    """The prefilter of a catalog's signatures, with the fragments the catalog chose for
    them, and notes on the signatures left out (entries that fail lint, regexes that do
    not compile). Each signature is built from what the catalog kept of it only when a
    line calls for it, so a scan reads no YAML and compiles nothing it does not need."""
    rows = catalog.scan_rows()
    lazy = _Signatures([r[:6] for r in rows])
    return Prefilter(lazy, [r[6] for r in rows]), catalog.scan_notes()


class _Signatures(Sequence[CompiledSignature]):
    """Signatures built on first access from ``(id, index, kind, text, exception, data)``."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows
        self._built: dict[int, CompiledSignature] = {}

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> CompiledSignature: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[CompiledSignature]: ...
    def __getitem__(self, index: int | slice) -> CompiledSignature | Sequence[CompiledSignature]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        found = self._built.get(index)
        if found is None:
            from kb.catalog.cache import decode
            from kb.matching import from_prepared

            entry_id, position, kind, text, exception, data = self._rows[index]
            found = from_prepared(entry_id, position, kind, text, exception, decode(data))
            self._built[index] = found
        return found
