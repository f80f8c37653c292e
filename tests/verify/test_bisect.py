"""Bisecting a package's releases: few runs, the right first affected and first fixed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from kb.cli import main
from kb.verify.bisect import Bisection, walk
from kb.verify.runner import Outcome
from tests.verify.conftest import ENTRY_ID


def _walk(outcomes: list[Outcome], start: int | None) -> tuple[Bisection, int]:
    releases = [f"1.{i}" for i in range(len(outcomes))]
    calls: list[str] = []

    def probe(version: str) -> Outcome:
        calls.append(version)
        return outcomes[releases.index(version)]

    result = Bisection("x", "pkg", ">=1.0", None)
    walk(releases, releases[start] if start is not None else None, probe, result)
    return result, len(calls)


def test_walk_finds_both_boundaries_in_logarithmic_runs() -> None:
    n = 200
    outcomes = [Outcome.NOT_AFFECTED] * 37 + [Outcome.AFFECTED] * 100 + [Outcome.NOT_AFFECTED] * 63
    result, calls = _walk(outcomes, 60)
    assert (result.first_affected, result.first_fixed) == ("1.37", "1.137")
    assert result.proposed == ">=1.37,<1.137"
    assert calls <= 2 * math.ceil(math.log2(n)) + 3


def test_walk_steps_over_inconclusive_releases() -> None:
    outcomes = [Outcome.NOT_AFFECTED] * 10 + [Outcome.AFFECTED] * 10
    outcomes[9] = outcomes[12] = Outcome.INCONCLUSIVE
    result, _ = _walk(outcomes, 15)
    assert result.first_affected == "1.10"
    assert result.first_fixed is None
    assert result.proposed == ">=1.10"


def test_walk_without_an_affected_release_says_so() -> None:
    result, _ = _walk([Outcome.NOT_AFFECTED] * 5, None)
    assert result.note == "no tested release was affected; nothing to bisect"
    assert not result.agrees


@pytest.mark.parametrize(
    ("package", "first_affected", "first_fixed", "proposed"),
    [("acme-lint", "3.0", None, ">=3.0"), ("acme-app", "1.0", "1.4", "<1.4")],
)
def test_bisect_on_local_wheels(  # noqa: PLR0917 - parametrized
    entries: Path,
    wheels: Path,
    package: str,
    first_affected: str,
    first_fixed: str | None,
    proposed: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main([
        "verify", "--entries", str(entries), "--no-index", "--find-links", str(wheels),
        "--quiet", "--json", "--bisect", package, ENTRY_ID,
    ])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data
    assert (data["first_affected"], data["first_fixed"], data["proposed"]) == (
        first_affected, first_fixed, proposed,
    )  # fmt: skip
    assert data["agrees"] is True


def test_bisect_reads_releases_from_a_file(
    entries: Path, wheels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "releases.txt"
    listing.write_text("# acme-app\n1.2\n1.3\n1.4\n1.5\n")
    code = main([
        "verify", "--entries", str(entries), "--no-index", "--find-links", str(wheels),
        "--quiet", "--bisect", "acme-app", ENTRY_ID, "--releases", str(listing),
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "first fixed: 1.4" in out and "proposed specifier: <1.4" in out
    assert "acme-app==1.0" not in out
