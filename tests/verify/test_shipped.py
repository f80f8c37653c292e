"""The shipped verification files: well formed, fresh, and contradicting only where known.

``kb verify --check`` fails on a contradiction, as it should; the shipped entries carry a
few that their maintainers have yet to decide (a range or a reproduction to change), listed
here so that CI stays green for them and fails on any new one, or on one that went away
(then remove it from the list).
"""

from __future__ import annotations

from kb.loader import load_tree
from kb.verify.check import check
from kb.verify.core import runnable
from kb.verify.record import fresh
from tests.conftest import ENTRIES

KNOWN_CONTRADICTIONS = {
    # black 18.6b3 calls patch_click() only under `python -m black`; the console script
    # the reproduction runs does not reach it.
    ("black-2964-click-unicodefun-removed", "black==18.6b3 click==8.1.7"),
    # The reproduction's second line (the removed JWS serializer) fails with any Flask.
    ("itsdangerous-289-json-jws-removed", "flask==2.0.0 itsdangerous==2.2.0"),
    ("itsdangerous-289-json-jws-removed", "flask==2.0.3 itsdangerous==2.2.0"),
}


def test_shipped_verification_files_are_fresh_and_contradict_only_where_known() -> None:
    loaded = load_tree([ENTRIES]).entries
    findings = check(loaded, roots=[ENTRIES])
    assert [f for f in findings if f.kind not in ("contradiction",)] == []
    seen = set()
    for f in findings:
        entry_id = f.path.rsplit("/", 1)[-1].removesuffix(".verified.json")
        releases = f.message.split(" on Python", 1)[0]
        seen.add((entry_id, releases))
    assert seen == KNOWN_CONTRADICTIONS


def test_every_runnable_shipped_entry_has_verified_cells_or_says_why() -> None:
    for item in load_tree([ENTRIES]).entries:
        verification = fresh(item.entry, item.path)
        assert verification is not None, item.entry.id
        if runnable(item.entry) is not None:
            assert verification.not_run, item.entry.id
            continue
        conclusive = [r for r in verification.runs if r.outcome != "inconclusive"]
        reasons = [r.reason for r in verification.runs if r.outcome == "inconclusive"]
        assert conclusive or all(reasons), item.entry.id
