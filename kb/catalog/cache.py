"""The catalog on disk: where it lives, whether it is fresh, reading it and changing it.

The cache directory (``$KB_CACHE_DIR``, else ``$XDG_CACHE_HOME/kb``, else ``~/.cache/kb``)
holds, per entries directory, a catalog: one SQLite database (standard library) with the
entry files' stats and content hashes, the records hits are shown from, every signature
prepared for matching with the word it is anchored on, the full-text documents and the
packages each entry involves. A search opens it without reading it: it looks up only the
signatures anchored on its own words and loads only the records of its matches, so its
start-up does not grow with the KB.

Freshness: the catalog keeps the modification time of every directory it walked; a file
added, removed or replaced by a rename changes its directory's, so comparing them costs
one ``stat`` per directory and no listing. A catalog of at most :data:`FULL_CHECK_LIMIT`
files also compares a ``stat`` of each of its files (an entry rewritten in place). A
bigger one does not, so that the check does not grow with the number of entries: an entry
file rewritten in place is then caught when it is a hit (search checks its hits' own
files) or by ``kb index``, which always compares every file.

Changes are made in place, under the writer lock, in one SQLite transaction: a one-entry
change rewrites that entry's rows and nothing else. The database is in WAL mode, so a
search reading it while a writer works sees the catalog before or after the change, never
half of one, and a writer killed mid-way leaves nothing behind (its transaction never
happened). A catalog that cannot be read (a damaged disk, another format) is rebuilt;
when the cache cannot be written (read-only), the catalog is built in memory for this run
and a warning says so.
"""

from __future__ import annotations

import binascii
import contextlib
import marshal
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from kb import __version__
from kb.errors import Problem
from kb.files import entry_file_stats
from kb.normalize import NORMALIZER_VERSION
from kb.startup import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

INDEX_FORMAT = 18
STATE_NAME = "catalog.sqlite"
WHOOSH_PREFIX = "whoosh-"
LOCK_NAME = "lock"

RACY_NS = 20_000_000
"""A file or directory whose modification time is this close to the start of the refresh
that read it (or later) may change again within the same timestamp tick (local Linux,
macOS and Windows filesystems keep the time of a change to within a few milliseconds)
without its stamp changing: the catalog stores :data:`RACY` for it instead, so that the
next refresh reads it again (git's "racy git" rule)."""

RACY = -1
"""The stamp stored for a racy file or directory: it equals no real one."""

FULL_CHECK_LIMIT = 2000
"""Catalogs of at most this many entry files are checked file by file on every open."""

UNANCHORED = ""
"""The anchor of a signature that has no certain word (tried on every query)."""

Progress = Callable[[int, int], None]


def cache_root() -> Path:
    """The directory all kb caches live in."""
    env = os.environ.get("KB_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "kb"


def index_dir(entries_root: Path, cache: Path | None = None) -> Path:
    """The cache directory of the index of ``entries_root``."""
    resolved = entries_root.resolve()
    # crc32 rather than a cryptographic hash: hashlib costs more at start-up than it
    # is worth here, and the catalog records the root, so a collision only rebuilds
    key = binascii.crc32(str(resolved).encode()) & 0xFFFFFFFF
    name = "".join(c if c.isalnum() else "-" for c in resolved.parent.name + "-" + resolved.name)
    return (cache or cache_root()) / f"index-{name[-40:]}-{key:08x}"


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    path TEXT PRIMARY KEY, mtime INTEGER NOT NULL, size INTEGER NOT NULL,
    sha256 TEXT NOT NULL, id TEXT, problems TEXT
);
CREATE INDEX files_problems ON files (path) WHERE problems IS NOT NULL;
CREATE TABLE dirs (path TEXT PRIMARY KEY, mtime INTEGER NOT NULL);
CREATE TABLE records (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, data TEXT NOT NULL, summary TEXT NOT NULL
);
CREATE TABLE sigs (
    id TEXT NOT NULL, idx INTEGER NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,
    text TEXT NOT NULL, exception TEXT, data TEXT, trusted INTEGER NOT NULL, anchor TEXT,
    fragment TEXT, normalized TEXT NOT NULL, branches TEXT, needle TEXT,
    PRIMARY KEY (id, idx)
);
CREATE INDEX sigs_anchor ON sigs (anchor) WHERE anchor IS NOT NULL;
CREATE TABLE words (word TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE scanwords (word TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE docs (id TEXT PRIMARY KEY, hash TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE packages (package TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX packages_package ON packages (package);
CREATE INDEX packages_id ON packages (id);
"""


class SignatureRow(NamedTuple):
    """One signature as the catalog keeps it."""

    entry_id: str
    path: str
    index: int  # type: ignore[assignment]  # shadows tuple.index; callers use the field
    kind: str
    text: str
    exception: str | None
    data: dict[str, Any] | None  # what kb.matching.prepare kept; None: regex does not compile
    trusted: bool  # False: the entry's signatures fail lint


class FileInfo(NamedTuple):
    """What the catalog knows of one entry file."""

    mtime: int
    size: int
    sha256: str
    entry_id: str | None


class Indexed(NamedTuple):
    """One entry as a writer stores it."""

    record: dict[str, Any]
    prepared: list[dict[str, Any] | None]
    document: dict[str, str]
    digest: str


def record_packages(record: Mapping[str, Any]) -> set[str]:
    """The entry's package and the packages of all its condition sets."""
    sets = [record["affected"], *(alt["conditions"] for alt in record.get("alternatives", ()))]
    return {record["package"], *(c["package"] for conditions in sets for c in conditions)}


def encode(value: Any) -> bytes:
    """A stored value: ``marshal`` rather than JSON, because a search then imports no
    ``json`` and decodes faster; the catalog records the interpreter that wrote it."""
    return marshal.dumps(value)


def decode(stored: bytes) -> Any:
    """A value as :func:`encode` stored it."""
    return marshal.loads(stored)


class Catalog:
    """An open catalog: read lazily by searches, changed in place by a writer.

    Readers use ``records``, :meth:`candidates`, :meth:`signatures`, :meth:`problems`,
    :meth:`ids_with_packages` and the full-text documents; a writer, holding the lock,
    uses :meth:`files`, :meth:`put`, :meth:`drop`, :meth:`touch` and :meth:`commit`.
    """

    def __init__(self, db: Any, root: str, meta: dict[str, Any], path: Path | None) -> None:
        self._db = db
        self.root = root
        self.token = str(meta.get("token", ""))
        self.file_count = int(meta.get("files", 0))
        self.path = path
        self.records = _Records(db)
        self._delta: Counter[str] = Counter()
        self._added: list[tuple[str, int, list[str]]] = []
        self._scan_delta: Counter[str] = Counter()
        self._scan_added: list[tuple[str, int, list[str], str | None]] = []
        self._changed = False
        self.racy_after: int | None = None
        """Stamps from this time (nanoseconds since the epoch) on are stored as
        :data:`RACY`; the writer sets it just before it looks at the files."""

    # -- freshness ---------------------------------------------------------------------

    @property
    def big(self) -> bool:
        """True when freshness is judged by directory stamps only (:data:`FULL_CHECK_LIMIT`)."""
        return self.file_count > FULL_CHECK_LIMIT

    def quick_fresh(self, root: Path) -> bool:
        """True when no directory changed (so no entry file was added, removed or renamed)
        and, in a catalog small enough (:data:`FULL_CHECK_LIMIT`), no file either: one
        ``stat`` per directory, plus one per file in a small catalog; no listing."""
        if not self.token or self.changed_dirs(root):  # never committed, or changed
            return False
        if self.big:
            return True
        base = os.path.join(str(root), "")
        try:
            for rel, mtime, size in self._db.execute("SELECT path, mtime, size FROM files"):
                st = os.stat(base + rel)
                if st.st_mtime_ns != mtime or st.st_size != size:
                    return False
        except OSError:
            return False
        return True

    def changed_dirs(self, root: Path) -> list[str]:
        """The directories (relative to ``root``) whose modification time is not the one
        the catalog keeps, outermost only: a refresh needs to walk just these."""
        base = os.path.join(str(root), "")
        changed: list[str] = []
        for rel, mtime in self._db.execute("SELECT path, mtime FROM dirs ORDER BY path"):
            if any(_within(rel, outer) for outer in changed):
                continue
            try:
                if os.stat(base + rel if rel else str(root)).st_mtime_ns == mtime:
                    continue
            except OSError:
                pass
            changed.append(rel)
        return changed

    def stored_dirs(self) -> dict[str, int]:
        """``{relative directory: modification time}`` as the catalog keeps them."""
        return dict(self._db.execute("SELECT path, mtime FROM dirs"))

    def is_fresh(self, stats: Mapping[str, tuple[int, int]], dirs: Mapping[str, int]) -> bool:
        """True when the files and directories on disk are those the catalog describes."""
        if len(stats) != self.file_count:
            return False
        for rel, mtime, size in self._db.execute("SELECT path, mtime, size FROM files"):
            if stats.get(rel) != (mtime, size):
                return False
        return dict(self._db.execute("SELECT path, mtime FROM dirs")) == dict(dirs)

    def changed_files(self, root: Path, paths: Iterable[str]) -> list[str]:
        """Those of ``paths`` (relative to ``root``) whose stat differs from the catalog's."""
        out: list[str] = []
        for rel in paths:
            row = self._db.execute(
                "SELECT mtime, size FROM files WHERE path = ?", (rel,)
            ).fetchone()
            try:
                st = os.stat(root / rel)
            except OSError:
                out.append(rel)
                continue
            if row is None or (st.st_mtime_ns, st.st_size) != tuple(row):
                out.append(rel)
        return out

    # -- reading -----------------------------------------------------------------------

    def candidates(self, words: Iterable[str], folded: str, normalized: str) -> list[SignatureRow]:
        """The signatures anchored on one of ``words`` (or on none) that a text can match,
        judged by :func:`kb.matching.could_match` (``folded`` and ``normalized``: the text
        case-folded and normalized), and those of entries that fail lint (the caller says
        that they were left out). Most are ruled out inside SQLite (a signature's normalized
        text, or text all the alternatives of its regex have, that the text lacks),
        the others before their data is decoded."""
        from kb.matching import branches_could_match

        wanted = [UNANCHORED, *sorted(set(words) - {UNANCHORED})]
        rows: list[SignatureRow] = []
        for start in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found = self._db.execute(
                "SELECT id, path, idx, kind, text, exception, data, trusted, normalized, branches "
                f"FROM sigs WHERE anchor IN ({marks}) AND (trusted = 0 OR (data IS NOT NULL AND "
                "((normalized != '' AND instr(?, normalized) > 0) OR (branches IS NOT NULL "
                "AND (needle IS NULL OR instr(?, needle) > 0)))))",
                [*chunk, normalized, folded],
            )
            for *row, norm, branches in found:
                trusted = row[-1]
                # SQLite kept it for its normalized text, or for a regex it may match
                by_regex = branches is not None and not (norm and norm in normalized)
                if trusted and by_regex and not branches_could_match(decode(branches), folded):
                    continue
                rows.append(_row(tuple(row)))
        rows.sort(key=lambda r: (r.entry_id, r.index))
        return rows

    def scan_rows(self) -> list[tuple[Any, ...]]:
        """``(id, index, kind, text, exception, data, fragment)`` of every signature a log
        can show (trusted, compiling, not a symptom), by entry id and position; ``data``
        as stored (read it with :func:`decode`), ``fragment`` what the scan prefilter looks
        for (None: none)."""
        rows: list[tuple[Any, ...]] = self._db.execute(
            "SELECT id, idx, kind, text, exception, data, fragment FROM sigs "
            "WHERE trusted = 1 AND data IS NOT NULL AND kind != 'symptom' ORDER BY id, idx"
        ).fetchall()
        return rows

    def scan_notes(self) -> list[str]:
        """Why signatures are left out of a scan: entries that fail lint, bad regexes."""
        notes = [
            f"{path}: fails lint; its signatures are not used"
            for (path,) in self._db.execute(
                "SELECT DISTINCT path FROM sigs WHERE trusted = 0 ORDER BY path"
            )
        ]
        notes += [
            f"{path}: signatures[{index}].regex does not compile; signature skipped"
            for path, index in self._db.execute(
                "SELECT path, idx FROM sigs WHERE trusted = 1 AND data IS NULL ORDER BY path, idx"
            )
        ]
        return notes

    def anchors(self) -> dict[str, list[tuple[str, int]]]:
        """``{anchor word: [(entry id, signature index)]}`` ('' for the unanchored)."""
        out: dict[str, list[tuple[str, int]]] = {}
        rows = self._db.execute(
            "SELECT anchor, id, idx FROM sigs WHERE anchor IS NOT NULL ORDER BY id, idx"
        )
        for anchor, entry_id, index in rows:
            out.setdefault(anchor, []).append((entry_id, index))
        return out

    def problems(self) -> list[str]:
        """Messages of the entry files that could not be indexed, sorted by path."""
        rows = self._db.execute(
            "SELECT problems FROM files WHERE problems IS NOT NULL ORDER BY path"
        )
        return [p for (found,) in rows for p in decode(found)]

    def ids_with_packages(self, names: Iterable[str]) -> list[str]:
        """Ids of the entries that involve one of the packages ``names``, sorted."""
        wanted = sorted(set(names))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                i
                for (i,) in self._db.execute(
                    f"SELECT id FROM packages WHERE package IN ({marks})", chunk
                )
            )
        return sorted(found)

    def summaries(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """What :class:`~kb.catalog.records.EntrySummary` needs of each of the entries
        ``ids`` (the record without its signatures, references and documents), in the
        order of ``ids``; ids the catalog lacks are left out."""
        wanted = list(ids)
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT id, summary FROM records WHERE id IN ({marks})", chunk)
            found.update((i, decode(data)) for i, data in rows)
        return [found[i] for i in wanted if i in found]

    def doc_hashes(self) -> dict[str, str]:
        """``{entry id: content hash}`` of every full-text document."""
        return dict(self._db.execute("SELECT id, hash FROM docs"))

    def docs(self, ids: Iterable[str] | None = None) -> Iterator[tuple[str, dict[str, str]]]:
        """``(content hash, document)`` of the given entries (all when None)."""
        if ids is None:
            for digest, data in self._db.execute("SELECT hash, data FROM docs ORDER BY id"):
                yield digest, decode(data)
            return
        for entry_id in sorted(ids):
            row = self._db.execute(
                "SELECT hash, data FROM docs WHERE id = ?", (entry_id,)
            ).fetchone()
            if row is not None:
                yield row[0], decode(row[1])

    # -- writing (under the lock) ------------------------------------------------------

    def begin(self) -> None:
        """Start the writer's transaction: nothing is visible to readers until commit."""
        self._db.execute("BEGIN IMMEDIATE")

    def files(self, under: Sequence[str] | None = None) -> dict[str, FileInfo]:
        """The entry files the catalog describes (only those below the directories
        ``under``, when given; ``''`` is the root)."""
        query = "SELECT path, mtime, size, sha256, id FROM files"
        if under is None or "" in under:
            rows = self._db.execute(query).fetchall()
        else:
            rows = []
            for rel in under:  # "dir/" up to "dir0": the paths that start with "dir/"
                rows += self._db.execute(
                    query + " WHERE path >= ? AND path < ?", (rel + "/", rel + "0")
                ).fetchall()
        return {rel: FileInfo(m, s, h, i) for rel, m, s, h, i in rows}

    def _stamp(self, mtime: int) -> int:
        racy = self.racy_after is not None and mtime >= self.racy_after
        return RACY if racy else mtime

    def touch(self, rel: str, mtime: int, size: int) -> None:
        """New stats for a file whose content did not change."""
        self._db.execute(
            "UPDATE files SET mtime = ?, size = ? WHERE path = ?", (self._stamp(mtime), size, rel)
        )
        self._changed = True

    def record_file(
        self,
        rel: str,
        info: FileInfo,
        problems: Sequence[str] = (),
    ) -> None:
        """Describe one entry file (its entry, if any, is stored by :meth:`put`)."""
        self._db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
            (
                rel,
                self._stamp(info.mtime),
                info.size,
                info.sha256,
                info.entry_id,
                encode(list(problems)) if problems else None,
            ),
        )
        self._changed = True

    def drop_file(self, rel: str) -> None:
        """Forget one entry file and the entry it held."""
        row = self._db.execute("SELECT id FROM files WHERE path = ?", (rel,)).fetchone()
        if row is not None and row[0] is not None:
            self.drop(row[0], rel)
        self._db.execute("DELETE FROM files WHERE path = ?", (rel,))
        self._changed = True

    def owner(self, entry_id: str) -> str | None:
        """The file that holds entry ``entry_id`` in the catalog, if any."""
        row = self._db.execute("SELECT path FROM records WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else str(row[0])

    def drop(self, entry_id: str, rel: str) -> None:
        """Remove the entry ``entry_id`` when file ``rel`` holds it."""
        if self.owner(entry_id) != rel:
            return
        for (data,) in self._db.execute(
            "SELECT data FROM sigs WHERE id = ? AND data IS NOT NULL", (entry_id,)
        ).fetchall():
            kept = decode(data)
            self._delta.subtract(set(kept["words"]))
            self._scan_delta.subtract(set(kept["scan"]))
        for table in ("records", "sigs", "docs", "packages"):
            self._db.execute(f"DELETE FROM {table} WHERE id = ?", (entry_id,))
        self.records.forget(entry_id)
        self._changed = True

    def put(self, rel: str, indexed: Indexed) -> None:
        """Store one validated entry (its file row is written by :meth:`record_file`)."""
        from kb.matching import needle

        record = indexed.record
        entry_id = record["id"]
        trusted = int(not record.get("lint"))
        self._db.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?)",
            (entry_id, rel, encode(record), encode(_summary(record))),
        )
        self._db.executemany(
            "INSERT INTO sigs VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)",
            (
                (
                    entry_id,
                    index,
                    rel,
                    sig["kind"],
                    sig["text"],
                    sig["exception"],
                    encode(data) if data is not None else None,
                    trusted,
                    data["normalized"] if data is not None else "",
                    encode(data["branches"]) if data is not None and data["engine"] else None,
                    needle(data["branches"]) if data is not None and data["engine"] else None,
                )
                for index, (sig, data) in enumerate(
                    zip(record["signatures"], indexed.prepared, strict=True)
                )
            ),
        )
        for index, data in enumerate(indexed.prepared):
            if data is not None:  # a regex that does not compile is never tried
                self._delta.update(set(data["words"]))
                self._added.append((entry_id, index, data["words"]))
                self._scan_delta.update(set(data["scan"]))
                self._scan_added.append((entry_id, index, data["scan"], data["literal"]))
        self._db.execute(
            "INSERT INTO docs VALUES (?, ?, ?)",
            (entry_id, indexed.digest, encode(indexed.document)),
        )
        self._db.executemany(
            "INSERT INTO packages VALUES (?, ?)",
            ((package, entry_id) for package in sorted(record_packages(record))),
        )
        self._changed = True

    def commit(self, dirs: Mapping[str, int], *, rebuilt: bool) -> None:
        """Anchor the new signatures, record the directory stamps and make it all visible.

        Each new signature is anchored on the rarest of its certain words across the KB
        (after this change). Signatures stored before keep their anchors: any certain word
        is a correct anchor, and a rebuild chooses them all afresh.
        """
        import secrets

        db = self._db
        for table, delta in (("words", self._delta), ("scanwords", self._scan_delta)):
            if delta:
                db.executemany(
                    f"INSERT INTO {table} VALUES (?, ?) "
                    "ON CONFLICT (word) DO UPDATE SET df = df + excluded.df",
                    sorted((w, n) for w, n in delta.items() if n),
                )
                db.execute(f"DELETE FROM {table} WHERE df <= 0")
        if self._scan_added:
            from kb.matching import choose_fragment

            scan_df = (
                self._scan_delta
                if rebuilt
                else self._df({w for _, _, ws, _ in self._scan_added for w in ws}, "scanwords")
            )
            db.executemany(
                "UPDATE sigs SET fragment = ? WHERE id = ? AND idx = ?",
                (
                    (choose_fragment(words, literal, scan_df), entry_id, index)
                    for entry_id, index, words, literal in self._scan_added
                ),
            )
        if self._added:
            df = self._delta if rebuilt else self._df({w for *_, ws in self._added for w in ws})
            db.executemany(
                "UPDATE sigs SET anchor = ? WHERE id = ? AND idx = ?",
                (
                    (
                        min(words, key=lambda w: (df[w], -len(w), w)) if words else UNANCHORED,
                        entry_id,
                        index,
                    )
                    for entry_id, index, words in self._added
                ),
            )
        stored = dict(db.execute("SELECT path, mtime FROM dirs"))
        stamps = {rel: self._stamp(mtime) for rel, mtime in dirs.items()}
        if stored != stamps:
            db.execute("DELETE FROM dirs")
            db.executemany("INSERT INTO dirs VALUES (?, ?)", sorted(stamps.items()))
            self._changed = True
        if self._changed:
            self.token = secrets.token_hex(8)
            (count,) = db.execute("SELECT count(*) FROM files").fetchone()
            self.file_count = int(count)
            meta = _meta(self.root, self.token, self.file_count)
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(meta.items()))
        db.execute("COMMIT")
        self._delta.clear()
        self._added.clear()
        self._scan_delta.clear()
        self._scan_added.clear()
        self._changed = False

    def rollback(self) -> None:
        with contextlib.suppress(Exception):
            self._db.execute("ROLLBACK")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._db.close()

    def _df(self, words: set[str], table: str = "words") -> Counter[str]:
        df: Counter[str] = Counter()
        for word in words:
            row = self._db.execute(f"SELECT df FROM {table} WHERE word = ?", (word,)).fetchone()
            df[word] = int(row[0]) if row is not None else 0
        return df


_TABLES = ("files", "dirs", "records", "sigs", "words", "scanwords", "docs", "packages")

_SUMMARY_KEYS = (
    "id",
    "title",
    "package",
    "path",
    "status",
    "affected",
    "marker",
    "alternatives",
    "python_inside",
)


def _summary(record: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a record an entry summary is made of."""
    out = {k: record[k] for k in _SUMMARY_KEYS if k in record}
    out["fix"] = {"summary": record["fix"]["summary"], "requires": record["fix"]["requires"]}
    return out


def _within(rel: str, outer: str) -> bool:
    """True when directory ``rel`` is ``outer`` or below it (``''`` is the root)."""
    return not outer or rel == outer or rel.startswith(outer + "/")


def _row(row: tuple[Any, ...]) -> SignatureRow:
    entry_id, path, index, kind, text, exception, data, trusted = row
    return SignatureRow(
        entry_id, path, index, kind, text, exception,
        decode(data) if data is not None else None, bool(trusted),
    )  # fmt: skip


def _meta(root: str, token: str, files: int) -> dict[str, str]:
    return {
        "format": str(INDEX_FORMAT),
        "normalizer": str(NORMALIZER_VERSION),
        "kb": __version__,
        "python": sys.implementation.cache_tag,
        "root": root,
        "token": token,
        "files": str(files),
    }


def _compatible(meta: Mapping[str, str], root: str) -> bool:
    return (
        meta.get("format") == str(INDEX_FORMAT)
        and meta.get("normalizer") == str(NORMALIZER_VERSION)
        and meta.get("kb") == __version__
        and meta.get("python") == sys.implementation.cache_tag
        and meta.get("root") == root
    )


class _Records(Mapping[str, "dict[str, Any]"]):
    """Records by id, read from the catalog on demand (and kept once read)."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self._cache: dict[str, dict[str, Any] | None] = {}

    def forget(self, entry_id: str) -> None:
        self._cache.pop(entry_id, None)

    def get(self, entry_id: str, default: Any = None) -> Any:
        if entry_id not in self._cache:
            row = self._db.execute("SELECT data FROM records WHERE id = ?", (entry_id,)).fetchone()
            self._cache[entry_id] = decode(row[0]) if row is not None else None
        found = self._cache[entry_id]
        return default if found is None else found

    def __getitem__(self, entry_id: str) -> dict[str, Any]:
        found: dict[str, Any] | None = self.get(entry_id)
        if found is None:
            raise KeyError(entry_id)
        return found

    def __contains__(self, entry_id: object) -> bool:
        return isinstance(entry_id, str) and self.get(entry_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter([i for (i,) in self._db.execute("SELECT id FROM records ORDER BY id")])

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM records").fetchone()[0])


def sqlite_driver() -> ModuleType:
    """The SQLite driver: the extension module that the standard library's ``sqlite3``
    package re-exports (its ``connect``, ``Connection`` and errors are the same objects).
    The package adds adapters for ``datetime`` values, which the catalog does not store,
    and importing it (with ``datetime``) costs a search of one line more than reading the
    catalog; where the extension is not there under that name, the package."""
    import importlib

    try:
        return importlib.import_module("_sqlite3")
    except ImportError:
        return importlib.import_module("sqlite3")


def read_catalog(directory: Path, root: str) -> Catalog | None:
    """The catalog in ``directory`` opened for reading, or None when it is missing, cannot
    be read or is of another format, kb version or entries directory."""
    sqlite3 = sqlite_driver()

    path = directory / STATE_NAME
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if not _compatible(meta, root):
            db.close()
            return None
        return Catalog(db, root, meta, path)
    except sqlite3.Error:
        db.close()
        return None


def open_writer(directory: Path | None, root: str, *, rebuild: bool) -> tuple[Catalog, bool]:
    """The catalog in ``directory`` opened for writing, its transaction begun (a new one,
    in memory when ``directory`` is None); the flag is True when it starts empty.

    The caller holds the lock. A catalog that cannot be read, or is of another format, is
    replaced by a new one; with ``rebuild`` every row goes, inside the same transaction.
    """
    sqlite3 = sqlite_driver()

    if directory is None:
        return _create(sqlite3.connect(":memory:", isolation_level=None), root, None), True
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / STATE_NAME
    if path.exists():
        try:
            db = sqlite3.connect(path, isolation_level=None, timeout=60)
            meta = dict(db.execute("SELECT key, value FROM meta"))
            if _compatible(meta, root):
                _tune(db)
                catalog = Catalog(db, root, meta, path)
                catalog.begin()
                if rebuild:
                    for table in _TABLES:
                        db.execute(f"DELETE FROM {table}")
                return catalog, rebuild
            db.close()
        except sqlite3.Error:
            with contextlib.suppress(Exception):
                db.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{path}{suffix}")
    db = sqlite3.connect(path, isolation_level=None, timeout=60)
    db.execute("PRAGMA journal_mode = WAL")
    return _create(db, root, path), True


def _create(db: Any, root: str, path: Path | None) -> Catalog:
    """Give a new database the catalog's tables, in the writer's transaction: a writer
    killed before its commit leaves no catalog at all, never an empty one."""
    _tune(db)
    db.execute("BEGIN IMMEDIATE")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    meta = _meta(root, "", 0)
    db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
    return Catalog(db, root, meta, path)


def _tune(db: Any) -> None:
    # a cache: losing the last transaction to a power cut only means re-indexing it
    db.execute("PRAGMA synchronous = NORMAL")


def scan_files(
    root: Path,
) -> tuple[dict[str, tuple[int, int]], dict[str, int], list[Problem]]:
    """``{relative path: (mtime_ns, size)}`` of every entry file under ``root``, the
    modification time of every directory walked, and what could not be read."""
    problems: list[Problem] = []
    dirs: dict[str, int] = {}
    return entry_file_stats(root, problems, dirs), dirs, problems


def scan_dirs(
    root: Path, changed: Sequence[str], stored: Mapping[str, int]
) -> tuple[dict[str, tuple[int, int]], dict[str, int], list[Problem]]:
    """What :func:`scan_files` answers for the subtrees ``changed`` only (relative paths;
    one that no longer exists has no files), and the directory stamps of the whole tree:
    those ``stored`` outside the subtrees, those walked inside them."""
    problems: list[Problem] = []
    stats: dict[str, tuple[int, int]] = {}
    dirs = {rel: m for rel, m in stored.items() if not any(_within(rel, c) for c in changed)}
    for rel in changed:
        top = root / rel if rel else root
        if not top.is_dir():
            continue
        found: dict[str, int] = {}
        below = entry_file_stats(top, problems, found)
        prefix = rel + "/" if rel else ""
        stats.update((prefix + path, stat) for path, stat in below.items())
        dirs.update((prefix + d if d else rel, m) for d, m in found.items())
    return stats, dirs, problems


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the index's writer lock (blocking) while the body runs."""
    import fcntl

    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_NAME, "a+b") as fh:
        # a POSIX lock belongs to this process: worker processes it forks do not hold it,
        # and it goes when this process dies, whatever its children do
        fcntl.lockf(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.lockf(fh.fileno(), fcntl.LOCK_UN)


def content_hash(raw: bytes) -> str:
    """The content hash that decides whether an entry changed."""
    import hashlib

    return hashlib.sha256(raw).hexdigest()
