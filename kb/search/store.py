"""The search index on disk: where it lives, whether it is fresh, and keeping it so.

The cache directory (``$KB_CACHE_DIR``, else ``$XDG_CACHE_HOME/kb``, else ``~/.cache/kb``)
holds, per entries directory, a JSON state file (file stats and content hashes, the
records hits are shown from, the signature anchors of the exact-match path) and the
Whoosh index. Each search compares file stats with the state; only changed files are
read, hashed and, if their content changed, re-validated and re-indexed. Removed files
drop out; a new normalizer version or index format rebuilds everything.

Writers take a lock; the state file is replaced atomically, so a concurrent search sees
the old or the new state, never half of one. A state or Whoosh index that cannot be read
(a killed writer, a damaged disk) is detected and rebuilt. When the cache cannot be
written (read-only), the index is built in memory for this run and a warning says so.
"""

from __future__ import annotations

import binascii
import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kb import __version__
from kb.errors import Problem
from kb.files import iter_entry_files
from kb.normalize import NORMALIZER_VERSION, normalize, words

INDEX_FORMAT = 2
STATE_NAME = "state.json"
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
    """Everything search needs without Whoosh: records, anchors, file stats.

    ``whoosh`` names the Whoosh directory this state belongs to (a rebuild writes a new
    one); ``stamp`` is ``(mtime_ns, size)`` of the state file when it was read (not saved).
    """

    __slots__ = (
        "anchors", "files", "generation", "records", "root", "stamp", "unanchored", "whoosh",
    )  # fmt: skip

    def __init__(
        self,
        root: str,
        *,
        files: dict[str, dict[str, Any]] | None = None,
        records: dict[str, dict[str, Any]] | None = None,
        anchors: dict[str, list[list[Any]]] | None = None,
        unanchored: list[list[Any]] | None = None,
        generation: int = -1,
        whoosh: str = "",
        stamp: tuple[int, int] | None = None,
    ) -> None:
        self.root = root
        self.files = files if files is not None else {}
        self.records = records if records is not None else {}
        self.anchors = anchors if anchors is not None else {}
        self.unanchored = unanchored if unanchored is not None else []
        self.generation = generation
        self.whoosh = whoosh
        self.stamp = stamp

    def problems(self) -> list[str]:
        """Messages of the entry files that could not be indexed, sorted by path."""
        return [p for rel in sorted(self.files) for p in self.files[rel].get("problems", [])]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": INDEX_FORMAT,
                "normalizer": NORMALIZER_VERSION,
                "kb": __version__,
                "root": self.root,
                "generation": self.generation,
                "whoosh": self.whoosh,
                "files": self.files,
                "records": self.records,
                "anchors": self.anchors,
                "unanchored": self.unanchored,
            },
            separators=(",", ":"),
            sort_keys=True,
        )


def read_state(directory: Path, root: str) -> State | None:
    """The state in ``directory``, or None when missing, unreadable or out of date."""
    path = directory / STATE_NAME
    try:
        st = path.stat()
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if (
        data.get("format") != INDEX_FORMAT
        or data.get("normalizer") != NORMALIZER_VERSION
        or data.get("kb") != __version__
        or data.get("root") != root
    ):
        return None
    try:
        return State(
            root=root,
            files=dict(data["files"]),
            records=dict(data["records"]),
            anchors=dict(data["anchors"]),
            unanchored=list(data["unanchored"]),
            generation=int(data["generation"]),
            whoosh=str(data["whoosh"]),
            stamp=(st.st_mtime_ns, st.st_size),
        )
    except (KeyError, TypeError, ValueError):
        return None


def state_changed(directory: Path, state: State) -> bool:
    """True when the state file on disk is not the one ``state`` was read from."""
    try:
        st = (directory / STATE_NAME).stat()
    except OSError:
        return True
    return state.stamp != (st.st_mtime_ns, st.st_size)


def scan_files(root: Path) -> tuple[dict[str, tuple[int, int]], list[Problem]]:
    """``{relative path: (mtime_ns, size)}`` of every entry file under ``root``."""
    problems: list[Problem] = []
    stats: dict[str, tuple[int, int]] = {}
    prefix = len(str(root)) + 1
    for path in iter_entry_files([root], problems):
        try:
            st = path.stat()
        except OSError:
            continue
        stats[str(path)[prefix:]] = (st.st_mtime_ns, st.st_size)
    return stats, problems


def is_fresh(state: State, stats: dict[str, tuple[int, int]]) -> bool:
    """True when no entry file was added, removed or touched since ``state`` was written."""
    if len(state.files) != len(stats):
        return False
    for rel, (mtime, size) in stats.items():
        known = state.files.get(rel)
        if known is None or known["mtime_ns"] != mtime or known["size"] != size:
            return False
    return True


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


def signature_words(record: dict[str, Any]) -> list[list[str]]:
    """For each signature of a record, the words every text it matches surely contains.

    Computed once when an entry is indexed and kept in its record, so that choosing
    anchors after a one-entry change does not recompile every signature of the KB.
    """
    from kb.matching import required_literals
    from kb.search.records import compile_record_signature

    out: list[list[str]] = []
    for index in range(len(record["signatures"])):
        try:
            compiled = compile_record_signature(record, index)
        except re.error:  # an invalid regex: lint reports it; search skips it
            out.append([])
            continue
        out.append(_interior_words(required_literals(compiled)))
    return out


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
        for index, candidates in enumerate(record["anchor_words"]):
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


def _interior_words(literals: list[str]) -> list[str]:
    """Words of the literals that a matching text surely contains as whole words."""
    out: list[str] = []
    for literal in literals:
        found = words(normalize(literal))
        # the first and last word may continue beyond the literal in the matched text
        if len(found) > 2:
            found = found[1:-1]
        elif literal[:1].isalnum() or literal[-1:].isalnum():
            found = [
                w
                for i, w in enumerate(found)
                if not (i == 0 and literal[:1].isalnum())
                and not (i == len(found) - 1 and literal[-1:].isalnum())
            ]
        out.extend(found)
    return list(dict.fromkeys(out))


def content_hash(raw: bytes) -> str:
    """The content hash that decides whether an entry changed."""
    import hashlib

    return hashlib.sha256(raw).hexdigest()


def write_state(directory: Path, state: State) -> None:
    """Replace the state file atomically, then remove Whoosh directories it no longer uses.

    A search that read the previous state may still be reading the previous directory;
    on POSIX its open files stay readable, and one that opens too late retries with the
    new state.
    """
    import shutil

    from kb.fsutil import write_atomic

    write_atomic(directory / STATE_NAME, state.to_json())
    for old in directory.glob(WHOOSH_PREFIX + "*"):
        if old.name != state.whoosh:
            shutil.rmtree(old, ignore_errors=True)
