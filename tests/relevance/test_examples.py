"""Every shipped entry is found, first and with high confidence, from its own real error text.

The examples are verbatim reports (a line and a whole traceback at least); a search for
any of them must land on the entry that carries it.
"""

from __future__ import annotations

import pytest

from kb.loader import load_tree
from kb.search import HIGH, Searcher, open_index, understand
from tests.conftest import ENTRIES

LOADED = load_tree([ENTRIES])
CASES = [
    pytest.param(le.entry.id, ex.text, id=f"{le.entry.id}[{i}]")
    for le in LOADED.entries
    for i, ex in enumerate(le.entry.examples)
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    return Searcher(open_index(ENTRIES, tmp_path_factory.mktemp("cache")))


def test_shipped_entries_load_clean() -> None:
    assert LOADED.problems == []
    assert len(LOADED.entries) >= 40


@pytest.mark.parametrize(("entry_id", "text"), CASES)
def test_example_finds_its_entry(searcher: Searcher, entry_id: str, text: str) -> None:
    hits = searcher.search(understand(text), limit=3).hits
    assert hits, "no hit"
    assert (hits[0].id, hits[0].confidence) == (entry_id, HIGH)
