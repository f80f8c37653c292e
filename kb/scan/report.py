"""What a scan found: per entry, where its signatures occur, in order of first occurrence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_LINES_KEPT = 1000
"""Line numbers kept per finding; the count goes on past it, so memory stays bounded."""
MAX_SHOWN = 500
"""Characters of the first matching line kept for display."""


@dataclass(slots=True)
class Finding:
    """One entry whose signatures occur in the scanned text."""

    entry_id: str
    source: str
    first_line: int
    first_text: str
    order: tuple[int, int]
    count: int = 0
    lines: list[tuple[str, int]] = field(default_factory=list)
    signatures: set[int] = field(default_factory=set)

    def add(self, source: str, line: int, signature: int) -> None:
        """One more matching line."""
        self.count += 1
        self.signatures.add(signature)
        if len(self.lines) < MAX_LINES_KEPT:
            self.lines.append((source, line))


@dataclass(slots=True)
class SourceStats:
    """What was read from one file or stream."""

    name: str
    lines: int = 0
    bytes: int = 0
    long_lines: int = 0
    first_long_line: int | None = None
    binary: bool = False
    _last_long: int = 0

    def mark_long(self, line: int) -> None:
        """Line ``line`` is too long to hold whole and is read in windows."""
        if line != self._last_long:
            self.long_lines += 1
            self._last_long = line
            if self.first_long_line is None:
                self.first_long_line = line


@dataclass(slots=True)
class ScanReport:
    """Every finding, ordered by first occurrence, with what was read and any notes."""

    findings: list[Finding]
    sources: list[SourceStats]
    signatures: int
    unfiltered: int
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False
    """True when Ctrl-C ended the scan: the report covers what was read until then."""

    @property
    def lines(self) -> int:
        """Lines read over all sources."""
        return sum(s.lines for s in self.sources)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (no absolute paths other than those given on the command line)."""
        return {
            "findings": [
                {
                    "id": f.entry_id,
                    "count": f.count,
                    "first": {"source": f.source, "line": f.first_line, "text": f.first_text},
                    "lines": [{"source": s, "line": n} for s, n in f.lines],
                    "lines_truncated": f.count > len(f.lines),
                }
                for f in self.findings
            ],
            "sources": [
                {
                    "name": s.name,
                    "lines": s.lines,
                    "bytes": s.bytes,
                    "long_lines": s.long_lines,
                    "binary": s.binary,
                }
                for s in self.sources
            ],
            "signatures": self.signatures,
            "notes": self.notes,
            "interrupted": self.interrupted,
        }
