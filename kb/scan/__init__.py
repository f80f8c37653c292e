"""``kb scan``: which known failures occur in a log.

:func:`scan` streams any number of logs through one literal prefilter and the shared
signature matcher; :func:`signatures_of` compiles the signatures of a catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from kb.matching import CompiledSignature, compile_signature
from kb.scan.report import Finding, ScanReport, SourceStats
from kb.scan.scanner import scan

__all__ = [
    "Finding",
    "ScanReport",
    "SourceStats",
    "scan",
    "signatures_of",
    "signatures_of_records",
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


def signatures_of_records(
    records: Mapping[str, Mapping[str, Any]],
) -> tuple[list[CompiledSignature], list[str]]:
    """Compiled signatures of the search index's records (``kb.catalog.cache.State.records``):
    the same signatures as :func:`signatures_of` gives, without loading a YAML file."""
    from kb.catalog.records import compile_record_signature

    compiled: list[CompiledSignature] = []
    notes: list[str] = []
    for entry_id in sorted(records):
        record = records[entry_id]
        if record.get("lint"):
            notes.append(f"{record['path']}: fails lint; its signatures are not used")
            continue
        for index in range(len(record["signatures"])):
            try:
                compiled.append(compile_record_signature(record, index))
            except re.error as exc:
                notes.append(
                    f"{record['path']}: signatures[{index}].regex does not compile ({exc}); "
                    "signature skipped"
                )
    return compiled, notes
