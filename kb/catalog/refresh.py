"""Opening the index of an entries directory, building or refreshing it as needed.

:func:`open_index` is what search, scan and show call: when every entry file is unchanged
it only opens the catalog (no YAML, no pydantic, no Whoosh, no record it does not need);
otherwise it re-indexes just the changed entries under the writer lock. The Whoosh index
is an add-on of the full-text path (:mod:`kb.search.fulltext`), built from the documents
the catalog keeps the first time a query needs it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from kb.catalog import cache as store
from kb.catalog.cache import CatalogFile, Progress, State
from kb.errors import display_path


class RefreshReport:
    """What a refresh did; ``problems`` lists the entry files that could not be indexed."""

    __slots__ = ("added", "problems", "rebuilt", "removed", "unchanged", "updated", "warnings")

    def __init__(self) -> None:
        self.added = 0
        self.updated = 0
        self.removed = 0
        self.unchanged = 0
        self.rebuilt = False
        self.warnings: list[str] = []
        self.problems: list[str] = []

    def __repr__(self) -> str:
        return (
            f"RefreshReport(added={self.added}, updated={self.updated}, removed={self.removed}, "
            f"unchanged={self.unchanged}, rebuilt={self.rebuilt})"
        )


class Index:
    """The open catalog of one entries directory.

    ``state`` answers records, anchors and problems; the full-text path of search keeps
    its Whoosh index and reader on it (:func:`kb.search.fulltext.reader`)."""

    def __init__(
        self,
        root: Path,
        directory: Path | None,
        state: State | CatalogFile,
        cache: Path | None = None,
    ) -> None:
        self.root = root
        self.directory = directory
        self.state = state
        self.cache = cache
        self.fulltext: Any = None
        self.fulltext_reader: Any = None

    @property
    def in_memory(self) -> bool:
        return self.directory is None

    def close(self) -> None:
        """Close what was opened on this index (the full-text reader, if any)."""
        if self.fulltext_reader is not None:
            with contextlib.suppress(Exception):
                self.fulltext_reader.close()
            self.fulltext_reader = None
        self.fulltext = None


def open_index(
    root: Path,
    cache: Path | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    report: RefreshReport | None = None,
) -> Index:
    """The index of ``root``, refreshed so that it reflects the files on disk now."""
    report = report if report is not None else RefreshReport()
    root_key = str(root.resolve())
    directory = store.index_dir(root, cache)
    stats, walk_problems = store.scan_files(root)
    report.warnings.extend(str(p) for p in walk_problems)
    state: State | CatalogFile | None = None
    if not rebuild:
        state = store.read_state(directory, root_key)
        if state is not None and store.is_fresh(state, stats):
            report.unchanged = len(stats)
            return Index(root, directory, state, cache)
    try:
        with store.locked(directory):
            # another process may have refreshed the index while this one waited
            if not rebuild and (state is None or store.state_changed(directory, state)):
                state = store.read_state(directory, root_key)
            if state is not None and store.is_fresh(state, stats):
                report.unchanged = len(stats)
                return Index(root, directory, state, cache)
            loaded = state.load() if isinstance(state, CatalogFile) else None
            fresh = _refresh(root, loaded, stats, rebuild=rebuild, progress=progress, report=report)
            store.write_state(directory, fresh)
            # searches read the catalog as stored: open what was written
            state = store.read_state(directory, root_key)
            if state is None:
                raise OSError(f"{directory}: the catalog just written cannot be read")
    except OSError as exc:
        # the cache is only a cache: whatever keeps it from being written (read-only,
        # full, not a directory), search goes on with an index in memory
        report.warnings.append(
            f"{display_path(directory)}: cannot write the index cache "
            f"({exc.strerror or exc}); "
            "searching with an index built in memory for this run"
        )
        memory = _refresh(root, None, stats, rebuild=True, progress=progress, report=report)
        return Index(root, None, memory, cache)
    return Index(root, directory, state, cache)


def _refresh(
    root: Path,
    state: State | None,
    stats: dict[str, tuple[int, int]],
    *,
    rebuild: bool,
    progress: Progress | None,
    report: RefreshReport,
) -> State:
    """Bring ``state`` (None: start empty) up to date with ``stats`` and return it."""
    from kb.loader import gc_paused

    if state is None or rebuild:
        report.rebuilt = state is not None or rebuild
        state = State(root=str(root.resolve()))
    with gc_paused():
        _apply_changes(root, state, stats, progress, report)
    store.compute_anchors(state)
    return state


def _apply_changes(
    root: Path,
    state: State,
    stats: dict[str, tuple[int, int]],
    progress: Progress | None,
    report: RefreshReport,
) -> None:
    """Update ``state`` for changed and removed files (new documents go to ``state.docs``)."""

    changed: list[str] = []
    for rel, (mtime, size) in stats.items():
        known = state.files.get(rel)
        if known is not None and known["mtime_ns"] == mtime and known["size"] == size:
            report.unchanged += 1
            continue
        changed.append(rel)
    removed = sorted(set(state.files) - set(stats))

    ids_by_path = {rel: info.get("id") for rel, info in state.files.items()}
    for rel in removed:
        _drop(state, rel, ids_by_path)
        report.removed += 1
    total = len(changed)
    for done, rel in enumerate(sorted(changed), 1):
        if progress is not None:
            progress(done, total)
        mtime, size = stats[rel]
        try:
            raw = (root / rel).read_bytes()
        except OSError as exc:
            state.files[rel] = _file_info(mtime, size, "", None, [f"{rel}: cannot read: {exc}"])
            continue
        digest = store.content_hash(raw)
        known = state.files.get(rel)
        if known is not None and known.get("sha256") == digest:
            known["mtime_ns"], known["size"] = mtime, size
            report.unchanged += 1
            continue
        if known is not None:
            _drop(state, rel, ids_by_path)
            report.updated += 1
        else:
            report.added += 1
        entry_id, doc, problems = _index_one(root, rel, raw, state)
        state.files[rel] = _file_info(mtime, size, digest, entry_id, problems)
        if entry_id is not None and doc is not None:
            state.docs[entry_id] = (digest, doc)


def _file_info(
    mtime: int, size: int, digest: str, entry_id: str | None, problems: list[str]
) -> dict[str, Any]:
    return {"mtime_ns": mtime, "size": size, "sha256": digest, "id": entry_id, "problems": problems}


def _drop(state: State, rel: str, ids_by_path: dict[str, Any]) -> None:
    entry_id = ids_by_path.get(rel)
    if entry_id is not None and state.records.get(entry_id, {}).get("path") == rel:
        del state.records[entry_id]
    state.files.pop(rel, None)


def _index_one(
    root: Path, rel: str, raw: bytes, state: State
) -> tuple[str | None, dict[str, str] | None, list[str]]:
    """Validate one entry; returns its id, its Whoosh document and its problems."""
    from kb.catalog.records import document_of, prepare_signatures, record_of
    from kb.catalog.trust import signature_problems
    from kb.loader import LoadedEntry, parse_entry

    shown = display_path(root / rel)
    doc, entry, problems = parse_entry(raw, shown)
    if entry is None or doc is None:
        return None, None, [str(p) for p in problems]
    existing = state.records.get(entry.id)
    if existing is not None and existing["path"] != rel:
        return None, None, [f"{shown}: duplicate id {entry.id!r} (also {existing['path']})"]
    record = record_of(entry, rel)
    record["match"] = prepare_signatures(record)
    record["lint"] = signature_problems(LoadedEntry(entry, root / rel, shown, doc))
    state.records[entry.id] = record
    return entry.id, document_of(entry, rel), []
