"""From ``entries/`` on disk to validated entries, collecting every problem of every file.

One bad file never stops the others: each problem becomes a :class:`~kb.errors.Problem`
with the file, line and column, and the run goes on. Nothing is ever written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kb import yamlio
from kb.errors import Location, Problem, display_path

if TYPE_CHECKING:
    from pydantic import ValidationError

    from kb.models import Entry

ENTRY_SUFFIXES = (".yaml", ".yml")


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


def iter_entry_files(paths: Iterable[Path], problems: list[Problem]) -> Iterator[Path]:
    """Entry files under ``paths`` in sorted order; directory loops become problems."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path, problems)
        elif path.exists():
            yield path
        else:
            problems.append(Problem("KB100", "no such file or directory", Location(str(path))))


def _walk(root: Path, problems: list[Problem]) -> Iterator[Path]:
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            st = directory.stat()
        except OSError as exc:
            problems.append(
                Problem("KB100", f"cannot read: {exc.strerror}", Location(display_path(directory)))
            )
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited:
            problems.append(
                Problem(
                    "KB109",
                    "directory symlink loop; not followed",
                    Location(display_path(directory)),
                )
            )
            continue
        visited.add(key)
        try:
            children = sorted(os.scandir(directory), key=lambda d: d.name)
        except OSError as exc:
            problems.append(
                Problem("KB100", f"cannot list: {exc.strerror}", Location(display_path(directory)))
            )
            continue
        subdirs = []
        for child in children:
            if child.name.startswith((".", "_")):
                continue
            try:
                is_dir = child.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(Path(child.path))
            elif child.name.endswith(ENTRY_SUFFIXES):
                if not os.path.exists(child.path):
                    problems.append(
                        Problem("KB100", "broken symlink", Location(display_path(child.path)))
                    )
                    continue
                yield Path(child.path)
        stack.extend(reversed(subdirs))


def load_file(path: Path, display: str | None = None) -> tuple[LoadedEntry | None, list[Problem]]:
    """Load and validate one entry file; returns the entry (or None) and its problems."""
    from pydantic import ValidationError

    from kb.models import Entry

    shown = display or display_path(path)
    try:
        doc = yamlio.read(path)
    except yamlio.YamlReadError as exc:
        p = exc.problem
        return None, [Problem(p.code, p.message, Location(shown, p.line, p.col))]
    try:
        entry = Entry.model_validate(doc.data)
    except ValidationError as exc:
        return None, validation_problems(exc, shown, doc)
    return LoadedEntry(entry, path, shown, doc), []


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


def load_tree(paths: Iterable[Path], progress: Callable[[int], None] | None = None) -> LoadResult:
    """Load every entry file under ``paths``, collecting all problems."""
    result = LoadResult()
    for path in iter_entry_files(paths, result.problems):
        result.files += 1
        loaded, problems = load_file(path)
        result.problems.extend(problems)
        if loaded is not None:
            result.entries.append(loaded)
        if progress is not None:
            progress(result.files)
    return result


def default_entries_dir() -> Path:
    """The entries directory: ``$KB_ENTRIES``, else ``entries/`` of the enclosing checkout."""
    env = os.environ.get("KB_ENTRIES")
    if env:
        return Path(env)
    here = Path.cwd()
    for candidate in (here, *here.parents):
        if (candidate / "entries").is_dir() and (candidate / "pyproject.toml").is_file():
            return candidate / "entries"
    bundled = Path(__file__).resolve().parent.parent / "entries"
    return bundled if bundled.is_dir() else here / "entries"
