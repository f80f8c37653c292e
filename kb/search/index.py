"""Opening the index of an entries directory, building or refreshing it as needed.

:func:`open_index` is what search calls: when every entry file is unchanged it only opens
the catalog (no YAML, no pydantic, no Whoosh, no record it does not need); otherwise it
re-indexes just the changed entries under the writer lock.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

from kb.errors import display_path
from kb.search import store
from kb.search.store import Catalog, Progress, State


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
    """The open index of one entries directory."""

    def __init__(
        self, root: Path, directory: Path | None, state: State | Catalog, cache: Path | None = None
    ) -> None:
        self.root = root
        self.directory = directory
        self.state = state
        self.cache = cache
        self._ix: Any = None
        self._reader: Any = None

    @property
    def in_memory(self) -> bool:
        return self.directory is None

    def reader(self) -> Any:
        """A Whoosh reader (imports Whoosh).

        A writer in another process may be replacing segment files at this very moment, so
        opening is retried briefly; an index that still cannot be opened is damaged and is
        rebuilt from the entries.
        """
        if self._reader is None:
            from kb.search import backend

            for attempt in range(3):
                try:
                    if self._ix is None:
                        assert self.directory is not None
                        self._ix = backend.open_existing(self.directory / self.state.whoosh)
                    self._reader = backend.Reader(self._ix)
                    break
                except Exception:  # damaged, or replaced by a writer since the state was read
                    self._ix = None
                if attempt < 2:
                    time.sleep(0.05 * (attempt + 1))
                    assert self.directory is not None
                    newer = store.read_state(self.directory, self.state.root)
                    if newer is not None:
                        self.state = newer
            else:
                self._rebuild()
                self._reader = backend.Reader(self._ix)
        return self._reader

    def reopen(self) -> Any:
        """Drop the current reader and open a fresh one."""
        self.close()
        self._ix = None if self.directory is not None else self._ix
        return self.reader()

    def _rebuild(self) -> None:
        fresh = open_index(self.root, self.cache, rebuild=True)
        self.directory, self.state, self._ix = fresh.directory, fresh.state, fresh._ix

    def close(self) -> None:
        if self._reader is not None:
            with contextlib.suppress(Exception):
                self._reader.close()
            self._reader = None


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
    state: State | Catalog | None = None
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
            loaded = state.load() if isinstance(state, Catalog) else state
            fresh, ix = _refresh(
                root, directory, loaded, stats, rebuild=rebuild, progress=progress, report=report
            )
            store.write_state(directory, fresh)
            state = fresh
    except OSError as exc:
        # the cache is only a cache: whatever keeps it from being written (read-only,
        # full, not a directory), search goes on with an index in memory
        report.warnings.append(
            f"{display_path(directory)}: cannot write the index cache "
            f"({exc.strerror or exc}); "
            "searching with an index built in memory for this run"
        )
        memory, ix = _refresh(
            root, None, None, stats, rebuild=True, progress=progress, report=report
        )
        index = Index(root, None, memory, cache)
        index._ix = ix
        return index
    index = Index(root, directory, state, cache)
    index._ix = ix
    return index


def _refresh(
    root: Path,
    directory: Path | None,
    state: State | None,
    stats: dict[str, tuple[int, int]],
    *,
    rebuild: bool,
    progress: Progress | None,
    report: RefreshReport,
) -> tuple[State, Any]:
    """Bring ``state`` and the Whoosh index up to date with ``stats``; returns both."""
    import secrets

    from kb.search import backend

    ix = None
    if state is not None and directory is not None and not rebuild:
        try:
            ix = backend.open_existing(directory / state.whoosh)
            if int(ix.latest_generation()) != state.generation:
                ix = None
        except Exception:  # a damaged or half-written index is rebuilt from the entries
            ix = None

    if ix is None or state is None:
        report.rebuilt = state is not None or rebuild
        state = State(root=str(root.resolve()), whoosh=store.WHOOSH_PREFIX + secrets.token_hex(6))
        ix = backend.create(directory / state.whoosh if directory is not None else None)
    from kb.loader import gc_paused

    with gc_paused():
        remove_paths, docs = _apply_changes(root, state, stats, progress, report)
    if remove_paths or docs or state.generation < 0:
        state.generation = backend.update(ix, remove_paths, docs)
        store.compute_anchors(state)
    return state, ix


def _apply_changes(
    root: Path,
    state: State,
    stats: dict[str, tuple[int, int]],
    progress: Progress | None,
    report: RefreshReport,
) -> tuple[list[str], list[dict[str, str]]]:
    """Update ``state`` for changed and removed files; returns what Whoosh must drop and add."""

    changed: list[str] = []
    for rel, (mtime, size) in stats.items():
        known = state.files.get(rel)
        if known is not None and known["mtime_ns"] == mtime and known["size"] == size:
            report.unchanged += 1
            continue
        changed.append(rel)
    removed = sorted(set(state.files) - set(stats))

    remove_paths: list[str] = list(removed)
    docs: list[dict[str, str]] = []
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
            remove_paths.append(rel)
            report.updated += 1
        else:
            report.added += 1
        entry_id, doc, problems = _index_one(root, rel, raw, state)
        state.files[rel] = _file_info(mtime, size, digest, entry_id, problems)
        if doc is not None:
            docs.append(doc)
    return remove_paths, docs


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
    from kb.loader import parse_entry
    from kb.search.records import document_of, record_of

    shown = display_path(root / rel)
    _, entry, problems = parse_entry(raw, shown)
    if entry is None:
        return None, None, [str(p) for p in problems]
    existing = state.records.get(entry.id)
    if existing is not None and existing["path"] != rel:
        return None, None, [f"{shown}: duplicate id {entry.id!r} (also {existing['path']})"]
    record = record_of(entry, rel)
    record["anchor_words"] = store.signature_words(record)
    state.records[entry.id] = record
    return entry.id, document_of(entry, rel), []
