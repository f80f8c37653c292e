"""A real CI log (pip install, pytest with 2100 tests) holding two known failures."""

from __future__ import annotations

from kb.catalog.loaded import load_catalog
from kb.check import verdict
from kb.environment import from_file
from kb.matching import Applicability
from kb.scan import scan, signatures_of
from tests.conftest import ROOT

LOGS = ROOT / "tests" / "fixtures" / "logs"
ENTRIES = ROOT / "tests" / "fixtures" / "scan" / "entries"


def test_the_two_known_failures_are_found_among_thousands_of_lines() -> None:
    catalog, _ = load_catalog(ENTRIES)
    signatures, notes = signatures_of(catalog)
    assert notes == []
    with (LOGS / "ci-pytest.log").open("rb") as stream:
        report = scan([("ci-pytest.log", stream)], signatures)
    assert report.lines > 2000
    assert [(f.entry_id, f.first_line, f.count) for f in report.findings] == [
        ("fixture-flask-werkzeug-url-quote", 2236, 1),
        ("fixture-openai-httpx-proxies", 2261, 1),
    ]
    assert report.findings[0].first_text.startswith(
        "E   ImportError: cannot import name 'url_quote'"
    )
    env = from_file(LOGS / "ci-freeze.txt")
    for finding in report.findings:
        assert verdict(catalog.by_id[finding.entry_id], env).applies is Applicability.AFFECTED
