"""Search quality on the shipped entries: recall@1 and no confident false positives.

Every shipped entry has realistic queries in ``queries/<id>.yaml`` written differently
from the entry (other paths, line numbers, noise); ``negatives/*.yaml`` hold errors that
kb does not know, near-misses of shipped entries among them (a file per family of entries).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kb.search import HIGH, Searcher, open_index, understand
from tests.conftest import ENTRIES

HERE = Path(__file__).resolve().parent
RECALL_AT_1 = 0.97


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


QUERY_FILES = sorted((HERE / "queries").glob("*.yaml"))
NEGATIVES = [
    negative
    for path in sorted((HERE / "negatives").glob("*.yaml"))
    for negative in _load(path)["negatives"]
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    index = open_index(ENTRIES, tmp_path_factory.mktemp("cache"))
    return Searcher(index)


def shipped_ids() -> set[str]:
    return {p.stem for p in ENTRIES.rglob("*.yaml")}


def test_every_shipped_entry_has_at_least_three_queries() -> None:
    covered: dict[str, int] = {}
    for path in QUERY_FILES:
        data = _load(path)
        assert data["entry"] == path.stem, f"{path}: 'entry' must equal the file name"
        covered[data["entry"]] = len(data["queries"])
    missing = sorted(shipped_ids() - set(covered))
    assert missing == []
    assert {e: n for e, n in covered.items() if n < 3} == {}
    assert len(NEGATIVES) >= 60


def test_recall_at_1(searcher: Searcher) -> None:
    total = 0
    misses: list[str] = []
    for path in QUERY_FILES:
        data = _load(path)
        for query in data["queries"]:
            total += 1
            result = searcher.search(understand(query["text"]), limit=3)
            top = result.hits[0].id if result.hits else None
            if top != data["entry"] or result.hits[0].confidence == "low":
                misses.append(f"{data['entry']} / {query['name']}: got {top}")
    assert total > 0
    recall = 1 - len(misses) / total
    assert recall >= RECALL_AT_1, "\n".join(misses)


@pytest.mark.parametrize("negative", NEGATIVES, ids=[n["name"] for n in NEGATIVES])
def test_negatives_get_no_high_confidence_hit(searcher: Searcher, negative: dict[str, str]) -> None:
    result = searcher.search(understand(negative["text"]), limit=3)
    assert [h.id for h in result.hits if h.confidence == HIGH] == []
