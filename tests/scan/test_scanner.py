"""The streaming scanner: line numbers, counts, order, and logs that are big, binary or broken."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kb.matching import CompiledSignature, compile_signature
from kb.scan import scan
from kb.scan.scanner import BLOCK, MAX_LINE

URL_QUOTE = "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'"
PROXIES = "TypeError: Client.__init__() got an unexpected keyword argument 'proxies'"


def _sigs() -> list[CompiledSignature]:
    return [
        compile_signature(
            "url-quote",
            0,
            "exception",
            URL_QUOTE,
            r"cannot import name '(?:url_quote|url_parse)' from 'werkzeug\.urls'",
            "ImportError",
        ),
        compile_signature("proxies", 0, "exception", PROXIES, None, "TypeError"),
        compile_signature("hang", 0, "symptom", "the worker hangs forever", None, None),
    ]


def _scan(*logs: bytes) -> dict[str, object]:
    report = scan([(f"log{i}", io.BytesIO(b)) for i, b in enumerate(logs)], _sigs())
    return report.to_dict()


def test_findings_have_line_numbers_counts_and_the_first_line() -> None:
    log = (
        b"collecting\n"
        b"E   TypeError: Client.__init__() got an unexpected keyword argument 'proxies'\n"
        b"ok\n"
        b"E   ImportError: cannot import name 'url_parse' from 'werkzeug.urls' (/x/urls.py)\n"
        b"again: TypeError: Client.__init__() got an unexpected keyword argument 'proxies'\n"
    )
    data = _scan(log)
    findings = data["findings"]
    assert isinstance(findings, list)
    assert [f["id"] for f in findings] == ["proxies", "url-quote"]  # by first occurrence
    assert findings[0]["count"] == 2
    assert [ln["line"] for ln in findings[0]["lines"]] == [2, 5]
    assert findings[0]["first"]["line"] == 2
    assert findings[1]["first"]["text"].startswith(
        "E   ImportError: cannot import name 'url_parse'"
    )
    assert data["sources"] == [
        {"name": "log0", "lines": 5, "bytes": len(log), "long_lines": 0, "binary": False}
    ]


def test_matching_ignores_case_of_the_prefilter_but_not_the_signature() -> None:
    # the normalized text matches whatever the case; the prefilter must not drop such lines
    log = b"IMPORTERROR: CANNOT IMPORT NAME 'URL_QUOTE' FROM 'WERKZEUG.URLS'\n"
    assert [f["id"] for f in _scan(log)["findings"]] == ["url-quote"]  # type: ignore[index]


def test_text_that_merely_shares_the_fragment_is_not_a_finding() -> None:
    log = b"ImportError: cannot import name 'something_else' from 'werkzeug.urls'\n" * 3
    assert _scan(log)["findings"] == []


def test_symptom_signatures_are_not_matched_against_logs() -> None:
    assert _scan(b"the worker hangs forever\n")["findings"] == []


def test_several_sources_are_ordered_and_each_line_counted_once() -> None:
    line = (URL_QUOTE + " " + URL_QUOTE + "\n").encode()
    data = _scan(b"nothing\n", b"x\n" + line, line)
    (finding,) = data["findings"]  # type: ignore[misc]
    assert finding["count"] == 2
    assert finding["first"]["source"] == "log1"
    assert finding["lines"] == [{"source": "log1", "line": 2}, {"source": "log2", "line": 1}]


def test_a_line_across_a_block_boundary_is_found_with_its_number() -> None:
    filler = b"x" * 99 + b"\n"
    head = filler * (BLOCK // len(filler)) + b"y" * 30
    log = head + PROXIES.encode() + b"\nend\n"
    data = _scan(log)
    (finding,) = data["findings"]  # type: ignore[misc]
    assert finding["first"]["line"] == BLOCK // len(filler) + 1


def test_crlf_invalid_utf8_and_nul_bytes_give_a_normal_result() -> None:
    log = (
        b"\xff\xfe\x00\x00 garbage \x80\x81\r\n"
        + URL_QUOTE.encode()
        + b" caf\xe9\r\n"
        + b"\x00" * 100
        + b"\n"
        + PROXIES.encode()
    )
    report = scan([("weird", io.BytesIO(log))], _sigs())
    assert [(f.entry_id, f.first_line) for f in report.findings] == [
        ("url-quote", 2),
        ("proxies", 4),
    ]
    assert report.sources[0].binary
    assert any("binary data" in n for n in report.notes)
    assert report.sources[0].lines == 4


class _Endless(io.RawIOBase):
    """``size`` bytes with no newline, then a signature; never held in memory at once."""

    def __init__(self, size: int, tail: bytes) -> None:
        self.left = size
        self.tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.left > 0:
            n = min(len(buffer), self.left)
            buffer[:n] = b"a" * n
            self.left -= n
            return n
        n = min(len(buffer), len(self.tail))
        buffer[:n] = self.tail[:n]
        self.tail = self.tail[n:]
        return n


@pytest.mark.slow
def test_a_100_mb_line_without_newline_is_read_in_windows() -> None:
    stream = io.BufferedReader(_Endless(100 * 1024 * 1024, b" " + URL_QUOTE.encode()))
    report = scan([("huge", stream)], _sigs())
    assert [(f.entry_id, f.first_line) for f in report.findings] == [("url-quote", 1)]
    assert report.sources[0].lines == 1
    assert report.sources[0].long_lines == 1
    assert any(f"longer than {MAX_LINE} bytes" in n for n in report.notes)
    shown = report.findings[0].first_text
    assert len(shown) <= 500
    assert "cannot import name 'url_quote'" in shown


def test_a_signature_on_a_window_edge_of_a_long_line_is_found() -> None:
    pad = b"a" * (BLOCK - 10)  # the signature straddles the first window's end
    report = scan([("edge", io.BytesIO(pad + PROXIES.encode() + b"\n"))], _sigs())
    assert [f.entry_id for f in report.findings] == ["proxies"]


def test_signatures_without_a_literal_are_tried_on_every_line() -> None:
    short = compile_signature("short", 0, "log", "E: 42 Go", r"E: \d+ Go", None)
    report = scan([("log", io.BytesIO(b"one\nE: 7 Go\n"))], [short])
    assert report.unfiltered == 1
    assert [(f.entry_id, f.first_line) for f in report.findings] == [("short", 2)]
    assert any("no literal fragment" in n for n in report.notes)


def test_an_empty_log(tmp_path: Path) -> None:
    report = scan([("empty", io.BytesIO(b""))], _sigs())
    assert report.findings == []
    assert report.lines == 0


def test_a_long_line_is_verified_around_each_fragment() -> None:
    words = b" ".join(b"word%d" % i for i in range(3000))
    log = b"start\n" + words + b" " + URL_QUOTE.encode() + b" " + words + b"\nend\n"
    report = scan([("long", io.BytesIO(log))], _sigs())
    assert [(f.entry_id, f.first_line) for f in report.findings] == [("url-quote", 2)]
    assert report.findings[0].first_text.startswith("...")


def test_a_line_full_of_fragments_stops_verifying_and_says_so() -> None:
    # every occurrence is a candidate that fails verification: the work per line is capped
    near = b"from 'werkzeug.urls' " * 20_000
    report = scan([("dense", io.BytesIO(near + b"\n" + URL_QUOTE.encode() + b"\n"))], _sigs())
    assert [(f.entry_id, f.first_line) for f in report.findings] == [("url-quote", 2)]
    assert any(n.startswith("dense:1: more than") for n in report.notes)
