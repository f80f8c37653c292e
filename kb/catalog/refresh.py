"""Opening the index of an entries directory, building or refreshing it as needed.

:func:`open_index` is what search, scan and show call: when every entry file is unchanged
it only opens the catalog (no YAML, no pydantic, no Whoosh, no record it does not need);
otherwise it re-indexes just the changed entries under the writer lock. The Whoosh index
is an add-on of the full-text path (:mod:`kb.search.fulltext`), built from the documents
the catalog keeps the first time a query needs it.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from kb.catalog import cache as store
from kb.catalog.cache import Catalog, FileInfo, Indexed, Progress
from kb.errors import display_path
from kb.startup import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


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

    ``state`` answers records, signatures and problems; the full-text path of search
    keeps its Whoosh index and reader on it (:func:`kb.search.fulltext.reader`).
    ``quick`` is True when freshness was judged by directory stamps only (a big catalog):
    an entry file rewritten in place may then be newer than its record, which
    :meth:`changed` tells for the files a caller is about to show.
    """

    def __init__(
        self,
        root: Path,
        directory: Path | None,
        state: Catalog,
        cache: Path | None = None,
        *,
        quick: bool = False,
    ) -> None:
        self.root = root
        self.directory = directory
        self.state = state
        self.cache = cache
        self.quick = quick
        self.fulltext: Any = None
        self.fulltext_reader: Any = None

    @property
    def in_memory(self) -> bool:
        return self.directory is None

    def changed(self, paths: Iterable[str]) -> bool:
        """True when one of ``paths`` (relative to the root) changed since it was indexed
        and freshness was judged by directory stamps only."""
        return self.quick and bool(self.state.changed_files(self.root, paths))

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
    full_check: bool = False,
    progress: Progress | None = None,
    report: RefreshReport | None = None,
) -> Index:
    """The index of ``root``, refreshed so that it reflects the files on disk now
    (with ``full_check``, every file is compared even in a big catalog)."""
    report = report if report is not None else RefreshReport()
    root_key = str(root.resolve())
    directory = store.index_dir(root, cache)
    catalog = None if rebuild else store.read_catalog(directory, root_key)
    if catalog is not None and not full_check and catalog.quick_fresh(root):
        report.unchanged = catalog.file_count
        return Index(root, directory, catalog, cache, quick=catalog.big)
    # a big catalog walks only the directories that changed; anything else walks all
    started = time.time_ns()
    scope: list[str] | None = None
    if catalog is not None and not full_check and catalog.big:
        scope = catalog.changed_dirs(root)
        stats, dirs, walk_problems = store.scan_dirs(root, scope, catalog.stored_dirs())
    else:
        stats, dirs, walk_problems = store.scan_files(root)
    report.warnings.extend(str(p) for p in walk_problems)
    if scope is None and catalog is not None and catalog.is_fresh(stats, dirs):
        report.unchanged = len(stats)
        return Index(root, directory, catalog, cache)
    if catalog is not None:
        catalog.close()
    import sqlite3

    from kb.loader import gc_paused

    try:
        with store.locked(directory):
            writer, empty = store.open_writer(directory, root_key, rebuild=rebuild)
            writer.racy_after = started - store.RACY_NS
            try:
                report.rebuilt = rebuild
                with gc_paused():
                    _apply_changes(root, writer, stats, progress, report, scope=scope)
                writer.commit(dirs, rebuilt=empty)
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.close()
            catalog = store.read_catalog(directory, root_key)
            if catalog is None:
                raise OSError(f"{directory}: the catalog just written cannot be read")
    except (OSError, sqlite3.Error) as exc:
        # the cache is only a cache: whatever keeps it from being written (read-only,
        # full, not a directory), search goes on with a catalog in memory
        reason = getattr(exc, "strerror", None) or exc
        report.warnings.append(
            f"{display_path(directory)}: cannot write the index cache ({reason}); "
            "searching with an index built in memory for this run"
        )
        if scope is not None:  # the walk covered the changed directories only
            stats, dirs, _ = store.scan_files(root)
        fresh = RefreshReport()
        memory, _ = store.open_writer(None, root_key, rebuild=True)
        with gc_paused():
            _apply_changes(root, memory, stats, progress, fresh)
        memory.commit(dirs, rebuilt=True)
        report.problems = fresh.problems
        return Index(root, None, memory, cache)
    return Index(root, directory, catalog, cache)


def _apply_changes(
    root: Path,
    writer: Catalog,
    stats: dict[str, tuple[int, int]],
    progress: Progress | None,
    report: RefreshReport,
    *,
    scope: list[str] | None = None,
) -> None:
    """Bring the catalog's files and entries in line with ``stats`` (the files below the
    directories ``scope`` only, when given)."""
    known = writer.files(scope)
    changed: list[str] = []
    for rel, (mtime, size) in stats.items():
        info = known.get(rel)
        if info is not None and info.mtime == mtime and info.size == size:
            report.unchanged += 1
            continue
        changed.append(rel)
    for rel in sorted(set(known) - set(stats)):
        writer.drop_file(rel)
        report.removed += 1
    total = len(changed)
    jobs = [(rel, known[rel].sha256 if rel in known else None) for rel in sorted(changed)]
    for done, (rel, outcome) in enumerate(_read_all(root, jobs), 1):
        if progress is not None:
            progress(done, total)
        mtime, size = stats[rel]
        info = known.get(rel)
        if isinstance(outcome, str):  # the file could not be read
            writer.drop_file(rel)
            writer.record_file(rel, FileInfo(mtime, size, "", None), [outcome])
            continue
        digest, indexed, problems = outcome
        if indexed is None and not problems:  # content unchanged: new stats only
            writer.touch(rel, mtime, size)
            report.unchanged += 1
            continue
        if info is not None:
            writer.drop_file(rel)
            report.updated += 1
        else:
            report.added += 1
        if indexed is not None:
            owner = writer.owner(indexed.record["id"])
            if owner is not None and owner != rel:
                shown = display_path(root / rel)
                problems = [f"{shown}: duplicate id {indexed.record['id']!r} (also {owner})"]
                indexed = None
            else:
                writer.put(rel, indexed)
        writer.record_file(
            rel,
            FileInfo(mtime, size, digest, indexed.record["id"] if indexed else None),
            problems,
        )


PARALLEL_MIN = 400
"""Below this many changed files, entries are indexed in this process only."""

_Outcome = str | tuple[str, Indexed | None, list[str]]


def _read_all(root: Path, jobs: list[tuple[str, str | None]]) -> Iterator[tuple[str, _Outcome]]:
    """Read and index the files ``jobs`` names (with the content hash the catalog has of
    each), in order; many of them are shared among worker processes, one per core."""
    import multiprocessing
    import threading

    workers = min(os.cpu_count() or 1, 8)
    # a daemonic process (a worker of someone else's pool) may not start processes, and
    # forking a process that runs other threads can leave a lock held in the child
    alone = threading.active_count() == 1 and not multiprocessing.current_process().daemon
    if len(jobs) < PARALLEL_MIN or workers < 2 or not alone:
        for rel, known in jobs:
            yield rel, _read_one(root, rel, known)
        return
    # fork: the workers start with kb imported and never touch the open catalog; the
    # writer lock is a POSIX lock, which a forked worker does not hold. A Pool forks its
    # workers before it starts its own threads, and they end when this process does.
    chunk = max(16, len(jobs) // (workers * 8))
    batches = [(root, jobs[i : i + chunk]) for i in range(0, len(jobs), chunk)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for batch in pool.imap(_read_chunk, batches):
            yield from batch


def _read_chunk(args: tuple[Path, list[tuple[str, str | None]]]) -> list[tuple[str, _Outcome]]:
    root, jobs = args
    return [(rel, _read_one(root, rel, known)) for rel, known in jobs]


def _read_one(root: Path, rel: str, known: str | None) -> _Outcome:
    """One file read, hashed and, when its content is new, validated: its hash, what the
    catalog stores of it (None when unchanged or invalid) and its problems; or, when it
    cannot be read, the message that says so."""
    try:
        raw = (root / rel).read_bytes()
    except OSError as exc:
        return f"{rel}: cannot read: {exc}"
    digest = store.content_hash(raw)
    if digest == known:
        return digest, None, []
    indexed, problems = _index_one(root, rel, raw, digest)
    return digest, indexed, problems


@lru_cache(maxsize=4)
def _shown_root(root: Path) -> Path:
    """The entries directory as messages show it, worked out once per build."""
    return Path(display_path(root))


def _index_one(root: Path, rel: str, raw: bytes, digest: str) -> tuple[Indexed | None, list[str]]:
    """Validate one entry; returns what the catalog stores of it, or its problems."""
    from kb.catalog.records import document_of, record_of
    from kb.catalog.trust import signature_problems
    from kb.lint.context import EntryContext
    from kb.loader import LoadedEntry, parse_entry
    from kb.matching import prepare

    shown = str(_shown_root(root) / rel)
    doc, entry, problems = parse_entry(raw, shown)
    if entry is None or doc is None:
        return None, [str(p) for p in problems]
    record = record_of(entry, rel)
    loaded = LoadedEntry(entry, root / rel, shown, doc)
    # the signature rules and the catalog share one compilation of the signatures
    ctx = EntryContext(loaded)
    record["lint"] = signature_problems(loaded, ctx)
    prepared = [
        None if index in ctx.regex_errors else prepare(sig)
        for index, sig in enumerate(ctx.signatures)
    ]
    return Indexed(record, prepared, document_of(entry, rel), digest), []
