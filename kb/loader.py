"""From ``entries/`` on disk to validated entries, collecting every problem of every file.

One bad file never stops the others: each problem becomes a :class:`~kb.errors.Problem`
with the file, line and column, and the run goes on. Nothing is ever written.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kb import yamlio
from kb.errors import Location, Problem, display_path
from kb.files import ENTRY_SUFFIXES, default_entries_dir, iter_entry_files

if TYPE_CHECKING:
    from pydantic import ValidationError

    from kb.models import Entry

__all__ = [
    "ENTRY_SUFFIXES",
    "LoadResult",
    "LoadedEntry",
    "default_entries_dir",
    "iter_entry_files",
    "load_file",
    "load_tree",
    "parse_entry",
    "validate",
]


@dataclass(slots=True)
class LoadedEntry:
    """A valid entry with where it came from."""

    entry: Entry
    path: Path
    display: str
    document: yamlio.Document

    def location(self, *loc: str | int) -> Location:
        """Where the key at ``loc`` is in the file."""
        return yamlio.location(self.display, self.document, loc)


@dataclass(slots=True)
class LoadResult:
    """Every entry that loaded, and every problem found on the way."""

    entries: list[LoadedEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


def load_file(path: Path, display: str | None = None) -> tuple[LoadedEntry | None, list[Problem]]:
    """Load and validate one entry file; returns the entry (or None) and its problems."""
    shown = display or display_path(path)
    try:
        doc = yamlio.read(path)
    except yamlio.YamlReadError as exc:
        return None, [_read_problem(exc, shown)]
    entry, problems = validate(doc, shown)
    return (LoadedEntry(entry, path, shown, doc) if entry is not None else None), problems


def parse_entry(
    raw: bytes, shown: str
) -> tuple[yamlio.Document | None, Entry | None, list[Problem]]:
    """Parse and validate an entry file's bytes: its document, its entry and its problems."""
    try:
        doc = yamlio.parse(raw)
    except yamlio.YamlReadError as exc:
        return None, None, [_read_problem(exc, shown)]
    entry, problems = validate(doc, shown)
    return doc, entry, problems


def validate(doc: yamlio.Document, shown: str) -> tuple[Entry | None, list[Problem]]:
    """The one validation of an entry (lint, loading and indexing all call it)."""
    from pydantic import ValidationError

    from kb.models import Entry

    try:
        return Entry.model_validate(doc.data), []
    except ValidationError as exc:
        return None, validation_problems(exc, shown, doc)


def _read_problem(exc: yamlio.YamlReadError, shown: str) -> Problem:
    p = exc.problem
    return Problem(p.code, p.message, Location(shown, p.line, p.col))


def validation_problems(exc: ValidationError, shown: str, doc: yamlio.Document) -> list[Problem]:
    """One problem per pydantic error, at the line of the offending key."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        kind = err["type"]
        if kind == "extra_forbidden":
            code, msg = "KB201", f"unknown key {where!r}"
        elif kind == "missing":
            code, msg = "KB202", f"missing required key {where!r}"
        else:
            code, msg = "KB203", f"{where}: {err['msg']}"
            if "input" in err and kind != "model_type" and not isinstance(err["input"], dict):
                shown_input = repr(err["input"])
                if len(shown_input) > 60:
                    shown_input = shown_input[:57] + "..."
                msg += f" (got {shown_input})"
        problems.append(Problem(code, msg, yamlio.location(shown, doc, loc)))
    return problems


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a bulk load runs.

    Loading keeps millions of small acyclic objects (YAML nodes, validated models); the
    collector would walk all of them again and again as they accumulate, which made
    loading 10,000 entries three times slower. Nothing cyclic is left behind to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_tree(paths: Iterable[Path], progress: Callable[[int], None] | None = None) -> LoadResult:
    """Load every entry file under ``paths``, collecting all problems."""
    result = LoadResult()
    with gc_paused():
        for path in iter_entry_files(paths, result.problems):
            result.files += 1
            loaded, problems = load_file(path)
            result.problems.extend(problems)
            if loaded is not None:
                result.entries.append(loaded)
            if progress is not None:
                progress(result.files)
    return result
