"""Every rule fires on its failing fixture, at the right line, and not on its passing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.lint.rules import RULES
from tests.lint.cases import CASES
from tests.lint.factory import BASE, codes, entry, line_of, lint, write


def test_every_rule_has_a_failing_and_a_passing_fixture() -> None:
    assert sorted(CASES) == [r.code for r in RULES]


@pytest.mark.parametrize("code", sorted(CASES))
def test_failing_fixture_gets_the_finding(code: str, tmp_path: Path) -> None:
    root = tmp_path / "entries"
    root.mkdir()
    path, needle = CASES[code].bad(root)
    report = lint(root)
    hits = [p for p in report.findings if p.code == code]
    assert hits, f"{code} not reported; got {[str(p) for p in report.findings]}"
    shown = str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
    assert any(p.location.path == shown for p in hits), [str(p) for p in hits]
    if needle is not None:
        hit = next(p for p in hits if p.location.path == shown)
        assert hit.location.line == line_of(path, needle), str(hit)
        assert hit.location.col >= 1


@pytest.mark.parametrize("code", sorted(CASES))
def test_passing_fixture_is_clean_of_the_rule(code: str, tmp_path: Path) -> None:
    root = tmp_path / "entries"
    root.mkdir()
    CASES[code].good(root)
    report = lint(root)
    assert code not in codes(report), [str(p) for p in report.findings]
    # the passing fixture is clean of every other rule too, so it shows what is right
    assert report.findings == [], [str(p) for p in report.findings]


@pytest.mark.parametrize("code", sorted(CASES))
def test_ignoring_a_rule_drops_its_findings(code: str, tmp_path: Path) -> None:
    root = tmp_path / "entries"
    root.mkdir()
    CASES[code].bad(root)
    assert code not in codes(lint(root, ignore=[code]))
    selected = lint(root, select=[code])
    assert set(codes(selected)) == {code}


def test_a_bad_reproduction_requirement_is_reported_at_its_line(tmp_path: Path) -> None:
    root = tmp_path / "entries"
    root.mkdir()
    reproduction = dict(BASE["reproduction"], requirements=["acme-plugin==1.0", "acme plugin 2"])
    path = write(root, entry(reproduction=reproduction))
    hits = [p for p in lint(root).findings if p.code == "KB503"]
    assert [h.location.line for h in hits] == [line_of(path, "acme plugin 2")]
