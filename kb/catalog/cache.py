"""The search index on disk: where it lives, whether it is fresh, and keeping it so.

The cache directory (``$KB_CACHE_DIR``, else ``$XDG_CACHE_HOME/kb``, else ``~/.cache/kb``)
holds, per entries directory, a catalog (an SQLite database of the standard library: file
stats and content hashes, the records hits are shown from, the signature anchors of the
exact-match path) and the Whoosh index. A search opens the catalog without reading it:
it compares the stats of the entry files with one stored fingerprint, looks up only the
anchors of its own words and loads only the records of its candidates, so its start-up
does not grow with the records the KB holds. When files changed, only those are read,
hashed and, if their content changed, re-validated and re-indexed. Removed files drop
out; a new normalizer version or catalog format rebuilds everything.

Writers take a lock and write a new catalog file that replaces the old one atomically,
so a concurrent search sees the old or the new catalog, never half of one (readers open
it immutable: the file they opened is never changed in place). A catalog or Whoosh index
that cannot be read (a killed writer, a damaged disk) is detected and rebuilt. When the
cache cannot be written (read-only), the index is built in memory for this run and a
warning says so.
"""

from __future__ import annotations

import binascii
import contextlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from kb import __version__
from kb.errors import Problem
from kb.files import entry_file_stats
from kb.normalize import NORMALIZER_VERSION

INDEX_FORMAT = 5
STATE_NAME = "catalog.sqlite"
WHOOSH_PREFIX = "whoosh-"
LOCK_NAME = "lock"

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
    # is worth here, and the state file records the root, so a collision only rebuilds
    key = binascii.crc32(str(resolved).encode()) & 0xFFFFFFFF
    name = "".join(c if c.isalnum() else "-" for c in resolved.parent.name + "-" + resolved.name)
    return (cache or cache_root()) / f"index-{name[-40:]}-{key:08x}"


class State:
    """The catalog in memory, for a writer: records, anchors, file stats, new documents.

    ``token`` is new at every save (the full-text index records the token it was brought
    up to date with); ``stamp`` is ``(mtime_ns, size)`` of the catalog file when it was
    read, and ``source`` that file.
    """

    __slots__ = (
        "anchors", "docs", "files", "records", "root", "source", "stamp", "token", "unanchored",
    )  # fmt: skip

    def __init__(
        self,
        root: str,
        *,
        files: dict[str, dict[str, Any]] | None = None,
        records: dict[str, dict[str, Any]] | None = None,
        anchors: dict[str, list[list[Any]]] | None = None,
        unanchored: list[list[Any]] | None = None,
        token: str = "",
        stamp: tuple[int, int] | None = None,
        source: Path | None = None,
    ) -> None:
        self.root = root
        self.files = files if files is not None else {}
        self.records = records if records is not None else {}
        self.anchors = anchors if anchors is not None else {}
        self.unanchored = unanchored if unanchored is not None else []
        # the full-text documents of the entries (re)indexed since ``source`` was read;
        # the others are carried over from that catalog file when this state is saved
        self.docs: dict[str, tuple[str, dict[str, str]]] = {}
        self.token = token
        self.stamp = stamp
        self.source = source

    def problems(self) -> list[str]:
        """Messages of the entry files that could not be indexed, sorted by path."""
        return [p for rel in sorted(self.files) for p in self.files[rel].get("problems", [])]

    def meta(self) -> dict[str, Any]:
        """What decides whether a stored catalog can be used as it is."""
        return {
            "format": INDEX_FORMAT,
            "normalizer": NORMALIZER_VERSION,
            "kb": __version__,
            "root": self.root,
            "token": self.token,
            "unanchored": self.unanchored,
        }

    def save(self, path: Path) -> None:
        """Write the catalog to a new SQLite file at ``path`` (which must not exist).

        The full-text documents of unchanged entries are copied from the catalog this
        state was read from, inside SQLite, so a one-entry change does not rebuild them.
        """
        import secrets
        import sqlite3

        self.token = secrets.token_hex(8)
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.executescript(_SCHEMA)
            if self.source is not None:
                db.execute("ATTACH DATABASE ? AS old", (f"file:{self.source}?mode=ro",))
            db.execute("BEGIN")
            db.execute(
                "INSERT INTO meta VALUES ('state', ?), ('fingerprint', ?)",
                (_dumps(self.meta()), fingerprint(self.stats())),
            )
            db.executemany(
                "INSERT INTO files VALUES (?, ?)",
                ((rel, _dumps(info)) for rel, info in sorted(self.files.items())),
            )
            db.executemany(
                "INSERT INTO records VALUES (?, ?)",
                ((entry_id, _dumps(rec)) for entry_id, rec in sorted(self.records.items())),
            )
            db.executemany(
                "INSERT INTO anchors VALUES (?, ?, ?)",
                (
                    (word, entry_id, index)
                    for word, found in self.anchors.items()
                    for entry_id, index in found
                ),
            )
            db.execute("CREATE INDEX anchors_word ON anchors (word)")
            db.executemany(
                "INSERT INTO sigs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        entry_id,
                        rec["path"],
                        index,
                        sig["kind"],
                        sig["text"],
                        sig["exception"],
                        _dumps(data) if data is not None else None,
                        int(not rec.get("lint")),
                    )
                    for entry_id, rec in sorted(self.records.items())
                    for index, (sig, data) in enumerate(
                        zip(rec["signatures"], rec["match"], strict=True)
                    )
                ),
            )
            db.executemany(
                "INSERT INTO packages VALUES (?, ?)",
                (
                    (package, entry_id)
                    for entry_id, rec in sorted(self.records.items())
                    for package in sorted(record_packages(rec))
                ),
            )
            db.execute("CREATE INDEX packages_package ON packages (package)")
            db.executemany(
                "INSERT INTO docs VALUES (?, ?, ?)",
                ((i, digest, _dumps(doc)) for i, (digest, doc) in sorted(self.docs.items())),
            )
            if self.source is not None:
                db.execute(
                    "INSERT OR IGNORE INTO docs SELECT * FROM old.docs "
                    "WHERE id IN (SELECT id FROM records)"
                )
            db.execute("COMMIT")
        finally:
            db.close()

    def signatures(self) -> Iterator[SignatureRow]:
        """Every signature of every entry, by entry id and position."""
        return _record_rows(self.records)

    def ids_with_packages(self, names: Iterable[str]) -> list[str]:
        """Ids of the entries that involve one of the packages ``names``, sorted."""
        wanted = set(names)
        return sorted(i for i, rec in self.records.items() if record_packages(rec) & wanted)

    def stats(self) -> dict[str, tuple[int, int]]:
        """``{relative path: (mtime_ns, size)}`` of the files this state describes."""
        return {rel: (info["mtime_ns"], info["size"]) for rel, info in self.files.items()}


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, info TEXT NOT NULL);
CREATE TABLE records (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE anchors (word TEXT NOT NULL, id TEXT NOT NULL, idx INTEGER NOT NULL);
CREATE TABLE docs (id TEXT PRIMARY KEY, hash TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE packages (package TEXT NOT NULL, id TEXT NOT NULL);
CREATE TABLE sigs (
    id TEXT NOT NULL, path TEXT NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL,
    text TEXT NOT NULL, exception TEXT, data TEXT, trusted INTEGER NOT NULL
);
"""


class SignatureRow(NamedTuple):
    """One signature as the catalog keeps it, for a reader of them all (scan)."""

    entry_id: str
    path: str
    index: int  # type: ignore[assignment]  # shadows tuple.index; callers use the field
    kind: str
    text: str
    exception: str | None
    data: dict[str, Any] | None  # what kb.matching.prepare kept; None: regex does not compile
    trusted: bool  # False: the entry's signatures fail lint


def _record_rows(records: Mapping[str, Mapping[str, Any]]) -> Iterator[SignatureRow]:
    for entry_id in sorted(records):
        rec = records[entry_id]
        for index, (sig, data) in enumerate(zip(rec["signatures"], rec["match"], strict=True)):
            yield SignatureRow(
                entry_id, rec["path"], index, sig["kind"], sig["text"], sig["exception"],
                data, not rec.get("lint"),
            )  # fmt: skip


def record_packages(record: Mapping[str, Any]) -> set[str]:
    """The entry's package and the packages of all its condition sets."""
    sets = [record["affected"], *(alt["conditions"] for alt in record.get("alternatives", ()))]
    return {record["package"], *(c["package"] for conditions in sets for c in conditions)}


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def fingerprint(stats: dict[str, tuple[int, int]]) -> str:
    """Every entry file's path, mtime and size as one string: equal when nothing changed."""
    return "\n".join(f"{rel}\t{mtime}\t{size}" for rel, (mtime, size) in sorted(stats.items()))


class CatalogFile:
    """A stored catalog opened for reading: records and anchors are read when asked for.

    It answers what :class:`State` answers (``records``, ``anchors``, ``unanchored``,
    ``problems()``) without reading the whole file; :meth:`load` reads all of it for a
    writer that will change it.
    """

    def __init__(
        self, db: Any, root: str, meta: dict[str, Any], stamp: tuple[int, int], path: Path
    ) -> None:
        self._db = db
        self.root = root
        self.token = str(meta["token"])
        self.unanchored: list[list[Any]] = list(meta["unanchored"])
        self.stamp = stamp
        self.path = path
        self.records = _Records(db)
        self.anchors = _Anchors(db)

    def is_fresh(self, stats: dict[str, tuple[int, int]]) -> bool:
        """True when no entry file was added, removed or touched since it was written."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        return row is not None and row[0] == fingerprint(stats)

    def problems(self) -> list[str]:
        """Messages of the entry files that could not be indexed, sorted by path."""
        rows = self._db.execute(
            "SELECT info FROM files WHERE info NOT LIKE '%\"problems\":[]%' ORDER BY path"
        )
        return [p for (info,) in rows for p in json.loads(info).get("problems", [])]

    def load(self) -> State:
        """The whole catalog in memory, for a writer."""
        files = {rel: json.loads(info) for rel, info in self._db.execute("SELECT * FROM files")}
        records = {i: json.loads(d) for i, d in self._db.execute("SELECT * FROM records")}
        anchors: dict[str, list[list[Any]]] = {}
        for word, entry_id, index in self._db.execute("SELECT * FROM anchors ORDER BY rowid"):
            anchors.setdefault(word, []).append([entry_id, index])
        return State(
            self.root,
            files=files,
            records=records,
            anchors=anchors,
            unanchored=self.unanchored,
            token=self.token,
            stamp=self.stamp,
            source=self.path,
        )

    def ids_with_packages(self, names: Iterable[str]) -> list[str]:
        """Ids of the entries that involve one of the packages ``names``, sorted."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (package TEXT PRIMARY KEY)")
        self._db.execute("DELETE FROM wanted")
        self._db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((n,) for n in names))
        rows = self._db.execute(
            "SELECT DISTINCT id FROM packages WHERE package IN (SELECT package FROM wanted) "
            "ORDER BY id"
        )
        return [i for (i,) in rows]

    def signatures(self) -> Iterator[SignatureRow]:
        """Every signature of every entry, by entry id and position, in one read."""
        rows = self._db.execute("SELECT * FROM sigs ORDER BY id, idx")
        for entry_id, path, index, kind, text, exception, data, trusted in rows:
            yield SignatureRow(
                entry_id, path, index, kind, text, exception,
                json.loads(data) if data is not None else None, bool(trusted),
            )  # fmt: skip

    def doc_hashes(self) -> dict[str, str]:
        """``{entry id: content hash}`` of every full-text document."""
        return dict(self._db.execute("SELECT id, hash FROM docs"))

    def docs(self, ids: Iterable[str] | None = None) -> Iterator[tuple[str, dict[str, str]]]:
        """``(content hash, document)`` of the given entries (all when None)."""
        if ids is None:
            for digest, data in self._db.execute("SELECT hash, data FROM docs ORDER BY id"):
                yield digest, json.loads(data)
            return
        for entry_id in sorted(ids):
            row = self._db.execute(
                "SELECT hash, data FROM docs WHERE id = ?", (entry_id,)
            ).fetchone()
            if row is not None:
                yield row[0], json.loads(row[1])


class _Records(Mapping[str, dict[str, Any]]):
    """Records by id, read from the catalog on demand (and kept once read)."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self._cache: dict[str, dict[str, Any] | None] = {}

    def get(self, entry_id: str, default: Any = None) -> Any:
        if entry_id not in self._cache:
            row = self._db.execute("SELECT data FROM records WHERE id = ?", (entry_id,)).fetchone()
            self._cache[entry_id] = json.loads(row[0]) if row is not None else None
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


class _Anchors:
    """Signatures by anchor word, read from the catalog on demand."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def get(self, word: str, default: Any = None) -> Any:
        rows = self._db.execute(
            "SELECT id, idx FROM anchors WHERE word = ? ORDER BY rowid", (word,)
        ).fetchall()
        return [list(r) for r in rows] if rows else default


def read_state(directory: Path, root: str) -> CatalogFile | None:
    """The catalog in ``directory``, or None when missing, unreadable or out of date."""
    import sqlite3

    path = directory / STATE_NAME
    try:
        st = path.stat()
        # immutable: writers never change a catalog file, they replace it
        db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except (OSError, sqlite3.Error):
        return None
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
        data = json.loads(row[0]) if row is not None else None
        if not isinstance(data, dict) or (
            data.get("format") != INDEX_FORMAT
            or data.get("normalizer") != NORMALIZER_VERSION
            or data.get("kb") != __version__
            or data.get("root") != root
        ):
            db.close()
            return None
        return CatalogFile(db, root, data, (st.st_mtime_ns, st.st_size), path)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        db.close()
        return None


def state_changed(directory: Path, state: State | CatalogFile) -> bool:
    """True when the state file on disk is not the one ``state`` was read from."""
    try:
        st = (directory / STATE_NAME).stat()
    except OSError:
        return True
    return state.stamp != (st.st_mtime_ns, st.st_size)


def scan_files(root: Path) -> tuple[dict[str, tuple[int, int]], list[Problem]]:
    """``{relative path: (mtime_ns, size)}`` of every entry file under ``root``."""
    problems: list[Problem] = []
    return entry_file_stats(root, problems), problems


def is_fresh(state: State | CatalogFile, stats: dict[str, tuple[int, int]]) -> bool:
    """True when no entry file was added, removed or touched since ``state`` was written."""
    if isinstance(state, CatalogFile):
        return state.is_fresh(stats)
    return state.stats() == stats


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the index's writer lock (blocking) while the body runs."""
    import fcntl

    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_NAME, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def compute_anchors(state: State) -> None:
    """Give every signature the rarest word it is certain to contain, for exact lookups.

    A text that matches a signature contains all the words of its required literals;
    the rarest of them across the KB is its anchor, so a query only verifies signatures
    anchored on one of its own words.
    """
    per_sig: list[tuple[str, int, list[str]]] = []
    df: Counter[str] = Counter()
    for entry_id in sorted(state.records):
        record = state.records[entry_id]
        for index, data in enumerate(record["match"]):
            if data is None:  # a regex that does not compile: never tried
                continue
            candidates = data["words"]
            per_sig.append((entry_id, index, candidates))
            df.update(set(candidates))
    anchors: dict[str, list[list[Any]]] = {}
    unanchored: list[list[Any]] = []
    for entry_id, index, candidates in per_sig:
        if not candidates:
            unanchored.append([entry_id, index])
            continue
        anchor = min(candidates, key=lambda w: (df[w], -len(w), w))
        anchors.setdefault(anchor, []).append([entry_id, index])
    state.anchors = anchors
    state.unanchored = unanchored


def content_hash(raw: bytes) -> str:
    """The content hash that decides whether an entry changed."""
    import hashlib

    return hashlib.sha256(raw).hexdigest()


def write_state(directory: Path, state: State) -> None:
    """Replace the catalog atomically.

    A search that opened the previous catalog goes on reading it: on POSIX its open file
    stays readable after the rename.
    """
    import tempfile

    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{STATE_NAME}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        os.unlink(tmp)
        state.save(Path(tmp))
        os.replace(tmp, directory / STATE_NAME)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
