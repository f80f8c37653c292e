"""Finding entry files on disk: sorted, loop-safe, without importing YAML or pydantic.

Search uses this on every run to see whether its index is fresh, so it stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from kb.errors import Location, Problem, display_path

ENTRY_SUFFIXES = (".yaml", ".yml")


def iter_entry_files(paths: Iterable[Path], problems: list[Problem]) -> Iterator[Path]:
    """Entry files under ``paths`` in sorted order; directory loops become problems."""
    for path in paths:
        if path.is_dir():
            for found in _walk(path, problems):
                yield Path(found.path)
        elif path.exists():
            yield path
        else:
            problems.append(Problem("KB100", "no such file or directory", Location(str(path))))


def entry_file_stats(
    root: Path, problems: list[Problem], dirs: dict[str, int] | None = None
) -> dict[str, tuple[int, int]]:
    """``{path relative to root: (mtime_ns, size)}`` of every entry file under ``root``;
    ``dirs``, when given, receives the modification time of every directory walked
    (relative path, ``''`` for ``root``).

    The freshness check of the catalog: works on directory entries and strings, never
    on :class:`~pathlib.Path` objects, which cost more than the stat itself.
    """
    prefix = len(os.path.join(str(root), ""))
    stats: dict[str, tuple[int, int]] = {}
    for found in _walk(root, problems, dirs, prefix):
        try:
            st = found.stat()
        except OSError:
            continue
        stats[found.path[prefix:]] = (st.st_mtime_ns, st.st_size)
    return stats


def _walk(
    root: Path, problems: list[Problem], dirs: dict[str, int] | None = None, prefix: int = 0
) -> Iterator[os.DirEntry[str]]:
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
        if dirs is not None:
            dirs[str(directory)[prefix:]] = st.st_mtime_ns
        try:
            children = sorted(os.scandir(directory), key=lambda d: d.name)
        except OSError as exc:
            problems.append(
                Problem("KB100", f"cannot list: {exc.strerror}", Location(display_path(directory)))
            )
            continue
        subdirs: list[Path] = []
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
                if child.is_symlink() and not os.path.exists(child.path):
                    problems.append(
                        Problem("KB100", "broken symlink", Location(display_path(child.path)))
                    )
                    continue
                yield child
        stack.extend(reversed(subdirs))


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
