"""The loaded knowledge base: entries sorted by id, looked up by id and by package."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.loader import LoadedEntry, LoadResult, load_tree


@dataclass(slots=True)
class Catalog:
    """Valid entries of a tree, sorted by id; duplicates keep the first file in path order."""

    entries: list[LoadedEntry]
    by_id: dict[str, LoadedEntry] = field(init=False)
    by_package: dict[str, list[LoadedEntry]] = field(init=False)

    def __post_init__(self) -> None:
        self.entries = sorted(self.entries, key=lambda e: (e.entry.id, e.display))
        self.by_id = {}
        for loaded in self.entries:
            self.by_id.setdefault(loaded.entry.id, loaded)
        packages: dict[str, list[LoadedEntry]] = defaultdict(list)
        for loaded in self.entries:
            packages[loaded.entry.package].append(loaded)
        self.by_package = dict(sorted(packages.items()))

    def __iter__(self) -> Iterator[LoadedEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def load_catalog(root: Path) -> tuple[Catalog, LoadResult]:
    """Load ``root`` and return the catalog of its valid entries with the load result."""
    result = load_tree([root])
    return Catalog(result.entries), result
