"""Stream logs through the prefilter and the signature matcher with bounded memory.

Input is read in blocks of :data:`BLOCK` bytes and cut at the last newline; a line
longer than :data:`MAX_LINE` bytes is never held whole: the text read so far is
processed in windows (overlapping by :data:`OVERLAP` bytes so that a signature on a
window's edge is still seen) and the report says the line was long. Bytes are decoded
as UTF-8 with replacement only for lines that are candidates, so invalid UTF-8 and
binary data give a normal result.

On a line longer than :data:`VERIFY_LIMIT` bytes a signature is verified within
:data:`VERIFY_MARGIN` bytes either side of each occurrence of its fragment, at most
:data:`MAX_WINDOWS_PER_LINE` times per line: normalizing costs more than linear time on
long unbroken runs of characters, and a signature is one line of ordinary length.
Signatures without a fragment are tried on the first :data:`VERIFY_LIMIT` bytes of
each line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO

from kb.matching import CompiledSignature
from kb.normalize import normalize
from kb.scan.prefilter import Prefilter
from kb.scan.report import MAX_SHOWN, Finding, ScanReport, SourceStats

BLOCK = 1 << 20
MAX_LINE = 64 * 1024
OVERLAP = 4096
VERIFY_LIMIT = 2048
VERIFY_MARGIN = 1024
MAX_WINDOWS_PER_LINE = 256


class _Matcher:
    """Matches candidate lines and records findings across all sources."""

    def __init__(
        self, prefilter: Prefilter, on_finding: Callable[[Finding], None] | None = None
    ) -> None:
        self.prefilter = prefilter
        self.on_finding = on_finding
        self.sigs = prefilter.signatures
        self.findings: dict[str, Finding] = {}
        self._last: dict[str, tuple[int, int]] = {}
        self.source_index = 0
        self.source = ""
        self.capped: dict[str, int] = {}
        self._budget_key = (-1, -1)
        self._budget = 0

    def line(self, raw: bytes, lowered: bytes, number: int) -> None:
        """Match one line (or one window of a long line) against its candidate signatures."""
        if len(raw) <= VERIFY_LIMIT:
            self._match(raw, number, self.prefilter.candidates(lowered))
            return
        key = (self.source_index, number)
        if self._budget_key != key:
            self._budget_key, self._budget = key, MAX_WINDOWS_PER_LINE
        for fragment, start, end in self.prefilter.occurrences(lowered):
            owners = [
                i
                for i in self.prefilter.owners(fragment)
                if self._last.get(self.sigs[i].entry_id) != key
            ]
            if not owners:
                continue
            if self._budget <= 0:
                self.capped.setdefault(self.source, number)
                return
            self._budget -= 1
            low, high = max(0, start - VERIFY_MARGIN), end + VERIFY_MARGIN
            self._match(raw[low:high], number, owners)

    def _match(self, raw: bytes, number: int, candidates: Iterable[int]) -> None:
        if not candidates:
            return
        text = raw.decode("utf-8", "replace").rstrip("\r")
        normalized = normalize(text)
        for index in candidates:
            sig = self.sigs[index]
            if sig.matches(text, normalized):
                self._record(sig, index, text, number)

    def unfiltered(self, block: bytes, first_line: int) -> None:
        """Try the signatures that have no literal fragment on every line of a block."""
        if not self.prefilter.unfiltered:
            return
        text = block.decode("utf-8", "replace")
        for offset, line in enumerate(text.split("\n")):
            line = line.rstrip("\r")[:VERIFY_LIMIT]
            if not line:
                continue
            normalized = normalize(line)
            for index in self.prefilter.unfiltered:
                sig = self.sigs[index]
                if sig.matches(line, normalized):
                    self._record(sig, index, line, first_line + offset)

    def _record(self, sig: CompiledSignature, index: int, text: str, number: int) -> None:
        key = (self.source_index, number)
        if self._last.get(sig.entry_id) == key:
            return
        self._last[sig.entry_id] = key
        finding = self.findings.get(sig.entry_id)
        if finding is None:
            shown = _excerpt(text.strip(), self.prefilter.fragment_of[index])
            finding = Finding(sig.entry_id, self.source, number, shown, key)
            self.findings[sig.entry_id] = finding
            finding.add(self.source, number, index)
            if self.on_finding is not None:
                self.on_finding(finding)
            return
        finding.add(self.source, number, index)


def _block(matcher: _Matcher, block: bytes, first_line: int) -> None:
    """Process a block of whole lines (the last one may be part of a long line)."""
    lowered = block.lower()
    last_start = -1
    line_no = first_line
    counted_to = 0
    for _, start, end in matcher.prefilter.hits(lowered):
        line_start = lowered.rfind(b"\n", 0, start) + 1
        if line_start <= last_start:
            continue
        line_no += lowered.count(b"\n", counted_to, line_start)
        counted_to = line_start
        line_end = lowered.find(b"\n", end)
        if line_end < 0:
            line_end = len(lowered)
        last_start = line_start
        matcher.line(block[line_start:line_end], lowered[line_start:line_end], line_no)
    matcher.unfiltered(block, first_line)


def scan_stream(matcher: _Matcher, stream: BinaryIO, stats: SourceStats) -> None:
    """Read one stream to its end in blocks.

    A pipe is read as data comes (``read1``: what is there, up to a block), so that
    ``tail -f build.log | kb scan -`` reports each line soon after it is written.
    """
    read = getattr(stream, "read1", None) or stream.read
    pending = b""
    line_no = 1
    first = True
    while True:
        data = read(BLOCK)
        if first:
            stats.binary = b"\x00" in data[:8192]
            first = False
        if not data:
            break
        stats.bytes += len(data)
        pending += data
        cut = pending.rfind(b"\n")
        if cut >= 0:
            block, pending = pending[: cut + 1], pending[cut + 1 :]
            stats.lines = line_no - 1 + block.count(b"\n")  # read so far, if interrupted
            _block(matcher, block, line_no)
            line_no += block.count(b"\n")
        if len(pending) > MAX_LINE:
            # no newline for a long stretch: process what we have, keep the overlap
            stats.mark_long(line_no)
            window, pending = pending, pending[-OVERLAP:]
            _block(matcher, window, line_no)
    if pending:
        _block(matcher, pending, line_no)
        line_no += 1
    stats.lines = line_no - 1


def build_prefilter(signatures: Sequence[CompiledSignature]) -> Prefilter:
    """The prefilter of the signatures a log can show (symptoms have no text to match)."""
    return Prefilter([s for s in signatures if s.kind != "symptom"])


def scan(
    streams: Iterable[tuple[str, BinaryIO]],
    signatures: Sequence[CompiledSignature],
    prefilter: Prefilter | None = None,
    on_finding: Callable[[Finding], None] | None = None,
) -> ScanReport:
    """Scan every ``(name, binary stream)`` for every signature; findings in order of first
    occurrence (source order, then line). ``prefilter``, when given, must have been built
    by :func:`build_prefilter` from the same signatures, or from the catalog's choice of
    fragments (:func:`kb.scan.prefilter_of_catalog`), and is then used as it is.

    ``on_finding`` is called with each known failure when it is first seen, while the scan
    goes on (its count grows afterwards). Ctrl-C ends the scan cleanly: the report covers
    what was read and says it was interrupted.
    """
    prefilter = prefilter or build_prefilter(signatures)
    matcher = _Matcher(prefilter, on_finding)
    sources: list[SourceStats] = []
    interrupted = False
    try:
        for index, (name, stream) in enumerate(streams):
            matcher.source_index, matcher.source = index, name
            stats = SourceStats(name)
            sources.append(stats)
            scan_stream(matcher, stream, stats)
    except KeyboardInterrupt:
        interrupted = True
    findings = sorted(matcher.findings.values(), key=lambda f: (f.order, f.entry_id))
    report = ScanReport(findings, sources, len(prefilter.signatures), len(prefilter.unfiltered))
    report.interrupted = interrupted
    for stats in sources:
        if stats.binary:
            report.notes.append(f"{stats.name}: binary data (NUL bytes); scanned as text")
        if stats.long_lines:
            report.notes.append(
                f"{stats.name}:{stats.first_long_line}: line longer than {MAX_LINE} bytes; "
                f"matched in overlapping windows ({stats.long_lines} such line(s))"
            )
    for name, number in matcher.capped.items():
        report.notes.append(
            f"{name}:{number}: more than {MAX_WINDOWS_PER_LINE} candidate places on one line; "
            "the rest of the line was not verified"
        )
    if prefilter.unfiltered:
        report.notes.append(
            f"{len(prefilter.unfiltered)} signature(s) have no literal fragment and were "
            f"tried on the first {VERIFY_LIMIT} bytes of every line"
        )
    return report


def _excerpt(text: str, fragment: str | None) -> str:
    """At most :data:`MAX_SHOWN` characters of a line, around the fragment when it is long."""
    if len(text) <= MAX_SHOWN:
        return text
    at = text.lower().find(fragment) if fragment else -1
    start = max(0, at - MAX_SHOWN // 5) if at >= 0 else 0
    piece = text[start : start + MAX_SHOWN - 6]
    return ("..." if start else "") + piece + "..."
