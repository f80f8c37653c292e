"""The shipped verification files: well formed, fresh, and contradicting only where known.

``kb verify --check`` fails on a contradiction, as it should; the shipped entries carry a
few that their maintainers have yet to decide (a range or a reproduction to change), listed
here so that CI stays green for them and fails on any new one, or on one that went away
(then remove it from the list).

Entries not verified yet are listed, each with the reason, in ``unverified.txt``: a new
entry without a verification file fails the test until it is verified or listed, and a
listed entry that has been verified must leave the list.
"""

from __future__ import annotations

from pathlib import Path

from kb.loader import load_tree
from kb.verify.check import Finding, check
from kb.verify.core import runnable
from kb.verify.record import fresh
from tests.conftest import ENTRIES

KNOWN_CONTRADICTIONS: set[tuple[str, str]] = set()

UNVERIFIED = Path(__file__).with_name("unverified.txt")


def unverified() -> dict[str, str]:
    """``{entry id: why it is not verified yet}`` from ``unverified.txt``."""
    out = {}
    for line in UNVERIFIED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            entry_id, _, why = line.partition(" ")
            out[entry_id] = why.strip()
    return out


def test_shipped_verification_files_are_fresh_and_contradict_only_where_known() -> None:
    loaded = load_tree([ENTRIES]).entries
    listed = unverified()

    def entry_id(finding: Finding) -> str:
        return finding.path.rsplit("/", 1)[-1].removesuffix(".verified.json")

    # a missing file is fine only for the entries unverified.txt names
    findings = [
        f
        for f in check(loaded, roots=[ENTRIES])
        if not (f.kind == "missing" and entry_id(f) in listed)
    ]
    assert [f for f in findings if f.kind not in ("contradiction",)] == []
    seen = set()
    for f in findings:
        releases = f.message.split(" on Python", 1)[0]
        seen.add((entry_id(f), releases))
    assert seen == KNOWN_CONTRADICTIONS


def test_every_runnable_shipped_entry_has_verified_cells_or_says_why() -> None:
    listed = unverified()
    assert all(listed.values()), "each line of unverified.txt: ID REASON"
    for item in load_tree([ENTRIES]).entries:
        if item.entry.id in listed:
            assert not item.path.with_suffix(".verified.json").exists(), (
                f"{item.entry.id} is verified now: remove it from unverified.txt"
            )
            continue
        verification = fresh(item.entry, item.path)
        assert verification is not None, item.entry.id
        if runnable(item.entry) is not None:
            assert verification.not_run, item.entry.id
            continue
        conclusive = [r for r in verification.runs if r.outcome != "inconclusive"]
        reasons = [r.reason for r in verification.runs if r.outcome == "inconclusive"]
        assert conclusive or all(reasons), item.entry.id
