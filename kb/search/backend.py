"""The Whoosh side of the index: schema, an analyzer for error text, writing and reading.

Whoosh is imported only here, and this module is imported only when the full-text path
is needed (building the index, or a query with no exact signature match). User text is
never handed to Whoosh's query parser: queries are built from :class:`Term` objects.
"""

from __future__ import annotations

import gc
import shutil
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.query import AndMaybe, Or, Term

from kb.normalize import tokens

INDEX_NAME = "entries"

FIELD_BOOSTS = {
    "sigs": 4.0,
    "title": 2.0,
    "packages": 2.0,
    "examples": 1.0,
    "summary": 1.0,
    "tags": 1.0,
}


class ErrorTextTokenizer(Tokenizer):  # type: ignore[misc]
    """Splits error text into terms whole and by their parts (see :func:`kb.normalize.tokens`)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(  # type: ignore[no-untyped-def]  # noqa: PLR0917 - Whoosh's signature
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, text in enumerate(tokens(value) if tokenize else [value]):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(text)
            yield token


def schema() -> Schema:
    """The Whoosh schema of the entries index."""
    analyzer = ErrorTextTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        sigs=TEXT(analyzer=analyzer, phrase=False),
        examples=TEXT(analyzer=analyzer, phrase=False),
        title=TEXT(analyzer=analyzer, phrase=False, stored=True),
        summary=TEXT(analyzer=analyzer, phrase=False),
        packages=KEYWORD(lowercase=True),
        tags=KEYWORD(lowercase=True),
        bag=KEYWORD(stored=True),
    )


def create(directory: Path | None) -> Any:
    """A new, empty index in ``directory`` (replacing what is there), or in memory."""
    if directory is None:
        return RamStorage().create_index(schema(), indexname=INDEX_NAME)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return FileStorage(str(directory)).create_index(schema(), indexname=INDEX_NAME)


def open_existing(directory: Path) -> Any:
    """Open the index in ``directory``; raises on a missing or damaged index."""
    error = ""
    with warnings.catch_warnings():
        # Whoosh leaves a damaged file open when it fails; it is closed here, quietly,
        # once the exception (whose traceback holds it) is gone.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = whoosh_index.open_dir(str(directory), indexname=INDEX_NAME)
            # touch every segment once so that damage shows now, not in a query
            with ix.searcher() as searcher:
                searcher.doc_count()
            return ix
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        gc.collect()
    raise DamagedIndexError(f"{directory}: {error}")


class DamagedIndexError(Exception):
    """The Whoosh index cannot be read; it is rebuilt from the entries."""


def update(ix: Any, remove_ids: Iterable[str], add_docs: Iterable[dict[str, str]]) -> int:
    """Remove documents by entry id, add new ones, commit; returns the new generation."""
    writer = ix.writer()
    try:
        for entry_id in remove_ids:
            writer.delete_by_term("id", entry_id)
        for doc in add_docs:
            writer.add_document(**doc)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return int(ix.latest_generation())


def build_query(terms: Iterable[str], packages: Iterable[str]) -> Any:
    """An OR of the given terms over every text field (boosted); the packages seen only
    raise the score of entries that match a term, they never bring in others."""
    clauses = [
        Term(field, term, boost=boost)
        for term in terms
        for field, boost in FIELD_BOOSTS.items()
        if field not in ("packages", "tags")
    ]
    boosts = [Term("packages", p, boost=FIELD_BOOSTS["packages"]) for p in packages]
    return AndMaybe(Or(clauses), Or(boosts)) if boosts else Or(clauses)


class Reader:
    """A searcher over the index, for the full-text path of one or many queries."""

    def __init__(self, ix: Any) -> None:
        self._ix = ix
        self._searcher = ix.searcher()

    def close(self) -> None:
        self._searcher.close()

    @property
    def doc_count(self) -> int:
        return int(self._searcher.doc_count())

    def df(self, term: str) -> int:
        """In how many entries ``term`` occurs (over all their searchable text)."""
        return int(self._searcher.doc_frequency("bag", term))

    def search(self, query: Any, limit: int) -> list[tuple[str, float, set[str]]]:
        """Top hits as ``(id, bm25 score, bag of terms)``."""
        results = self._searcher.search(query, limit=limit)
        return [(hit["id"], float(hit.score), set(hit["bag"].split())) for hit in results]
