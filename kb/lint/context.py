"""What rule functions receive: one file, one entry, or the whole run.

An :class:`EntryContext` compiles the entry's signatures once and normalizes each example
once, so that every signature rule shares the work. The run keeps only a small
:class:`Record` per entry for the cross-entry rules (documents are large and are dropped
as soon as an entry's own rules have run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kb import yamlio
from kb.errors import Location
from kb.loader import LoadedEntry
from kb.matching import CompiledSignature, compile_signature


@dataclass(slots=True)
class FileContext:
    """A file that parsed as YAML: its path, raw bytes and document (valid entry or not)."""

    path: Path
    display: str
    raw: bytes
    document: yamlio.Document

    def location(self, *loc: str | int) -> Location:
        """Where the key at ``loc`` is in the file."""
        return yamlio.location(self.display, self.document, loc)


@dataclass
class EntryContext:
    """A valid entry with its signatures compiled once."""

    loaded: LoadedEntry
    raw: bytes = b""
    regex_errors: dict[int, re.error] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """The file as the user should see it."""
        return self.loaded.display

    def location(self, *loc: str | int) -> Location:
        """Where the key at ``loc`` is in the file."""
        return self.loaded.location(*loc)

    @cached_property
    def signatures(self) -> list[CompiledSignature]:
        """The entry's signatures; one whose regex does not compile keeps only its text."""
        entry = self.loaded.entry
        out = []
        for i, sig in enumerate(entry.signatures):
            try:
                compiled = compile_signature(
                    entry.id, i, sig.kind, sig.text, sig.regex, sig.exception
                )
            except re.error as exc:
                self.regex_errors[i] = exc
                compiled = compile_signature(entry.id, i, sig.kind, sig.text, None, sig.exception)
            out.append(compiled)
        return out


@dataclass(frozen=True, slots=True)
class Record:
    """What the cross-entry rules need to know about one valid entry."""

    id: str
    display: str
    id_location: Location
    signatures: tuple[tuple[str, Location], ...]
    related: tuple[tuple[str, Location], ...]


@dataclass(slots=True)
class Corpus:
    """Every entry of the run, for the rules that compare entries."""

    records: list[Record] = field(default_factory=list)
    other_ids: set[str] = field(default_factory=set)
    """Ids of files that failed validation: they exist, so ``related`` may name them."""
    roots: list[Path] = field(default_factory=list)
    """Entries directories the run's files belong to, for ids outside the linted files."""
