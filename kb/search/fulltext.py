"""The full-text index: an add-on of search's full-text path, kept in step with the catalog.

The catalog keeps each entry's full-text document; the Whoosh index is built from them
the first time a query needs it, and afterwards brought up to date with only the entries
whose documents changed. ``fulltext.json`` in the cache directory names the Whoosh
directory in use and the catalog token it matches; while they match, opening costs no
more than Whoosh's own open. Updates take the cache's writer lock. A Whoosh index that
cannot be opened (a killed writer, a damaged disk) is built again, in a new directory,
so searches still reading the old one are not disturbed.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from kb.catalog import cache as store
from kb.catalog.cache import Catalog
from kb.catalog.refresh import Index
from kb.search import backend

POINTER_NAME = "fulltext.json"
HASHES_NAME = "kb-documents.json"


def reader(index: Index) -> Any:
    """A Whoosh reader of ``index``'s full text, built or brought up to date first."""
    if index.fulltext_reader is None:
        if index.fulltext is None:
            if index.directory is None:
                index.fulltext = in_memory(index.state)
            else:
                index.fulltext = open_fulltext(index.directory, index.state)
        index.fulltext_reader = backend.Reader(index.fulltext)
    return index.fulltext_reader


def reopen(index: Index) -> Any:
    """A fresh reader, after a writer replaced segments under the previous one."""
    index.close()
    return reader(index)


def in_memory(catalog: Catalog) -> Any:
    """A Whoosh index in memory of every document of ``catalog`` (no cache to keep it in)."""
    ix = backend.create(None)
    backend.update(ix, [], (doc for _, doc in catalog.docs()))
    return ix


def open_fulltext(directory: Path, catalog: Catalog) -> Any:
    """The Whoosh index of ``catalog``, built or brought up to date as needed."""
    pointer = _read_pointer(directory)
    if pointer is not None and pointer["token"] == catalog.token:
        ix = _open(directory / pointer["dir"])
        if ix is not None:
            return ix
    with store.locked(directory):
        # another process may have brought it up to date while this one waited
        pointer = _read_pointer(directory)
        ix = _open(directory / pointer["dir"]) if pointer is not None else None
        if ix is not None and pointer is not None and pointer["token"] == catalog.token:
            return ix
        if ix is not None and pointer is not None:
            name = pointer["dir"]
            _update(ix, directory / name, catalog)
        else:
            name = store.WHOOSH_PREFIX + secrets.token_hex(6)
            ix = backend.create(directory / name)
            _update(ix, directory / name, catalog, known={})
        from kb.fsutil import write_atomic

        write_atomic(directory / POINTER_NAME, json.dumps({"dir": name, "token": catalog.token}))
        for old in directory.glob(store.WHOOSH_PREFIX + "*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        return ix


def _update(ix: Any, path: Path, catalog: Catalog, known: dict[str, str] | None = None) -> None:
    """Add, replace and drop documents so that the index holds the catalog's."""
    from kb.fsutil import write_atomic

    if known is None:
        known = _read_hashes(path)
    wanted = catalog.doc_hashes()
    stale = sorted(i for i, digest in known.items() if wanted.get(i) != digest)
    fresh = sorted(i for i, digest in wanted.items() if known.get(i) != digest)
    if stale or fresh or not known:
        backend.update(ix, stale, (doc for _, doc in catalog.docs(fresh)))
    write_atomic(path / HASHES_NAME, json.dumps(wanted, sort_keys=True))


def _open(path: Path) -> Any:
    """The Whoosh index at ``path``, or None when it cannot be opened.

    A writer in another process may be replacing segment files at this very moment, so
    opening is retried briefly before the index is taken for damaged.
    """
    if not (path / HASHES_NAME).is_file():
        return None  # never finished: its writer was killed before the last step
    for attempt in range(3):
        try:
            return backend.open_existing(path)
        except backend.DamagedIndexError:
            if attempt < 2:
                time.sleep(0.05 * (attempt + 1))
    return None


def _read_pointer(directory: Path) -> dict[str, str] | None:
    try:
        data = json.loads((directory / POINTER_NAME).read_bytes())
    except (OSError, ValueError):
        return None
    if (
        isinstance(data, dict)
        and isinstance(data.get("dir"), str)
        and isinstance(data.get("token"), str)
        and data["dir"].startswith(store.WHOOSH_PREFIX)
        and "/" not in data["dir"]
    ):
        return {"dir": data["dir"], "token": data["token"]}
    return None


def _read_hashes(path: Path) -> dict[str, str]:
    try:
        data = json.loads((path / HASHES_NAME).read_bytes())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
