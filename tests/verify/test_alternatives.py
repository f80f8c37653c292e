"""An entry with alternative condition sets: every set is planned, run and judged by all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kb.cli import main
from kb.models import Entry
from kb.verify.core import Settings, plan, runnable
from kb.verify.envs import Installer
from tests.lint.factory import write
from tests.verify.conftest import ENTRY_ID, acme_entry

NO_SUCH_MACHINE = 'sys_platform == "no-such-platform"'


def _two_sets(marker: str | None = None, alt_marker: str | None = None) -> dict[str, Any]:
    """acme-lint from 3.0 with acme-app before 1.4, written as two sets: acme-lint 3.0 and
    3.1 in the conditions, 3.2 and later in the alternative."""
    data = acme_entry()
    data["affected"] = {
        "conditions": [
            {"package": "acme-lint", "specifier": ">=3.0,<3.2", "releases": ["2.9", "3.0", "3.1"]},
            {
                "package": "acme-app",
                "specifier": "<1.4",
                "fixed": "1.4",
                "releases": ["1.3", "1.4"],
            },
        ],
        "alternatives": [
            {
                "conditions": [
                    {"package": "acme-lint", "specifier": ">=3.2", "releases": ["3.2"]},
                    {"package": "acme-app", "specifier": "<1.4", "releases": ["1.3", "1.4"]},
                ]
            }
        ],
    }
    if marker:
        data["affected"]["marker"] = marker
    if alt_marker:
        data["affected"]["alternatives"][0]["marker"] = alt_marker
    return data


def _plan(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    settings = Settings(installer=Installer(use_uv=False), python="3.11.7")
    combos = plan(Entry.model_validate(data), settings)
    return [(dict(c.packages)["acme-app"], dict(c.packages)["acme-lint"], c.expected.value)
            for c in combos]  # fmt: skip


def test_both_sets_are_planned_and_each_combination_judged_by_every_set() -> None:
    assert _plan(_two_sets()) == [
        ("1.3", "2.9", "not-affected"),
        ("1.3", "3.0", "affected"),
        ("1.3", "3.1", "affected"),
        # outside the first set's range, inside the alternative's
        ("1.3", "3.2", "affected"),
        ("1.4", "3.1", "not-affected"),
        # planned only for the alternative: its fixed side
        ("1.4", "3.2", "not-affected"),
    ]


def test_a_set_whose_marker_fails_here_is_not_planned() -> None:
    assert _plan(_two_sets(marker=NO_SUCH_MACHINE)) == [
        ("1.3", "3.2", "affected"),
        ("1.4", "3.2", "not-affected"),
    ]
    assert runnable(Entry.model_validate(_two_sets(marker=NO_SUCH_MACHINE))) is None
    neither = Entry.model_validate(_two_sets(marker=NO_SUCH_MACHINE, alt_marker=NO_SUCH_MACHINE))
    assert runnable(neither) == f"needs a machine where {NO_SUCH_MACHINE}"


def test_verify_runs_both_sets_and_agrees_with_check(
    tmp_path: Path, wheels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "entries"
    write(root, _two_sets())
    args = ["verify", "--entries", str(root), "--no-index", "--find-links", str(wheels), "-q"]
    assert main(args) == 0
    data = json.loads((root / "acme-lint" / f"{ENTRY_ID}.verified.json").read_text())
    runs = [(r["packages"]["acme-app"], r["packages"]["acme-lint"], r["expected"], r["outcome"])
            for r in data["runs"]]  # fmt: skip
    assert runs == [
        ("1.3", "2.9", "not-affected", "not-affected"),
        ("1.3", "3.0", "affected", "affected"),
        ("1.3", "3.1", "affected", "affected"),
        ("1.3", "3.2", "affected", "affected"),
        ("1.4", "3.1", "not-affected", "not-affected"),
        ("1.4", "3.2", "not-affected", "not-affected"),
    ]
    assert "contradiction" not in capsys.readouterr().out
    assert main(["verify", "--entries", str(root), "--check"]) == 0


def test_bisect_a_package_against_every_set(
    tmp_path: Path, wheels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "entries"
    write(root, _two_sets())
    code = main([
        "verify", "--entries", str(root), "--no-index", "--find-links", str(wheels),
        "--quiet", "--json", "--bisect", "acme-lint", ENTRY_ID,
    ])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    # the first set alone says 3.2 is not affected; with the alternative, the entry agrees
    assert (data["first_affected"], data["first_fixed"]) == ("3.0", None)
    assert data["agrees"] is True and code == 0


def test_a_changed_alternative_makes_the_verification_stale() -> None:
    from kb.verify.record import entry_hash

    data = _two_sets()
    before = entry_hash(Entry.model_validate(data))
    data["affected"]["alternatives"][0]["conditions"][0]["specifier"] = ">=3.3"
    assert entry_hash(Entry.model_validate(data)) != before
    data["affected"]["alternatives"][0]["marker"] = NO_SUCH_MACHINE
    assert entry_hash(Entry.model_validate(data)) != before


def test_no_alternatives_hash_as_before_alternatives_counted() -> None:
    from kb.verify.record import entry_hash

    data = acme_entry()
    data["affected"].pop("alternatives", None)
    # an empty list adds nothing to the hash, so files verified before stay fresh
    assert entry_hash(Entry.model_validate(data)) == entry_hash(
        Entry.model_validate({**data, "affected": {**data["affected"], "alternatives": []}})
    )
