"""``requirements.txt`` and ``pip freeze`` output: one requirement a line, ``==`` pins only.

A range is recorded as "not pinned" rather than guessed. Editable installs, direct URLs
and local paths have no version to compare and are noted; ``--hash`` options,
continuation lines and comments are understood; ``-r`` includes are followed.
Environment markers are evaluated when the target platform is known, and otherwise
kept in mind: a package pinned differently under different markers is not guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kb.environment._records import Locked, build, read_text
from kb.environment.model import Environment, EnvironmentReadError
from kb.errors import Location, display_path

_OPTION_WITH_VALUE = re.compile(
    r"^(?:-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|-c|--constraint"
    r"|--hash|--global-option|--config-settings|--use-feature|--only-binary|--no-binary"
    r"|--prefer-binary|--pre|--no-index|--require-hashes)\b"
)
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_WHEEL = re.compile(
    r"/([A-Za-z0-9][A-Za-z0-9._]*)-(\d[^-/]*)(?:-[^-/]+)?-[^-/]+-[^-/]+-[^-/]+\.whl$"
)
_HASH = re.compile(r"\s--hash[=\s]\S+")
MAX_INCLUDE_DEPTH = 10


def looks_like(text: str) -> bool:
    """Every meaningful line is a requirement or a pip option."""
    from packaging.requirements import InvalidRequirement, Requirement

    meaningful = 0
    for _, raw in _logical_lines(text):
        line = _HASH.sub("", f" {raw}").strip()
        if line.startswith("-"):
            continue
        try:
            Requirement(line)
        except InvalidRequirement:
            if "://" not in line:
                return False
        meaningful += 1
    return meaningful > 0


def parse(
    path: Path, markers: dict[str, str] | None = None, text: str | None = None
) -> Environment:
    """The pinned packages of a requirements file (and of the files it includes);
    ``text`` is the content when it does not come from ``path`` (standard input)."""
    reader = _Reader(markers or {})
    records = list(reader.records(path, depth=0, text=text))
    return build(f"{display_path(path)} (requirements)", records, reader.notes)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(first line number, line)`` with continuations joined and comments removed."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            yield start, joined
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            yield start, joined


class _Reader:
    """Reads a requirements file and those it includes, collecting notes."""

    def __init__(self, markers: dict[str, str]) -> None:
        self.markers = markers
        self.notes: list[str] = []
        self.seen: set[Path] = set()

    def records(self, path: Path, depth: int, text: str | None = None) -> Iterator[Locked]:
        """The packages of one file, in order."""
        self.seen.add(path.resolve())
        yield from _records(self, path, depth, text)

    def include(self, path: Path, line: str, where: str, depth: int) -> Iterator[Locked]:
        """The packages of a file named by ``-r``, relative to the including file."""
        target = re.sub(r"^(-r|--requirement)[=\s]*", "", line).strip()
        included = (path.parent / target).resolve()
        if depth >= MAX_INCLUDE_DEPTH or included in self.seen:
            self.notes.append(
                f"{where}: include {target!r} skipped (already read or nested too deep)"
            )
            return
        if not included.is_file():
            raise EnvironmentReadError(f"included file {target!r} not found", _location(where))
        yield from self.records(included, depth + 1)


def _records(reader: _Reader, path: Path, depth: int, text: str | None) -> Iterator[Locked]:
    from packaging.markers import InvalidMarker
    from packaging.requirements import InvalidRequirement, Requirement

    shown = display_path(path)
    markers, notes = reader.markers, reader.notes
    for number, line in _logical_lines(read_text(path) if text is None else text):
        where = f"{shown}:{number}"
        line = _HASH.sub("", f" {line}").strip()
        if line.startswith(("-r ", "--requirement", "-r")) and not line.startswith("-r="):
            yield from reader.include(path, line, where, depth)
            continue
        if line.startswith(("-e ", "--editable")):
            target = line.split(None, 1)[1] if " " in line else line.partition("=")[2]
            egg = _EGG.search(target)
            name = egg.group(1) if egg else None
            notes.append(f"{where}: editable install {target!r}: version unknown")
            if name:
                yield Locked(name, None, why_unknown="editable install: version unknown")
            continue
        if line.startswith("-"):
            if not _OPTION_WITH_VALUE.match(line):
                notes.append(f"{where}: option {line.split()[0]!r} ignored")
            continue
        if "://" in line.split(";")[0] and "@" not in line.split("://")[0]:
            wheel = _WHEEL.search(line.split(";")[0].strip())
            if wheel:
                yield Locked(wheel.group(1), wheel.group(2))
            else:
                notes.append(f"{where}: direct URL without a name: skipped")
            continue
        try:
            req = Requirement(line)
        except (InvalidRequirement, InvalidMarker) as exc:
            raise EnvironmentReadError(
                f"not a requirement: {line!r} ({exc})", Location(shown, number)
            ) from None
        if req.marker is not None and markers and not req.marker.evaluate(markers):
            continue
        yield _pin(req, where, notes)


def _pin(req: object, where: str, notes: list[str]) -> Locked:
    from packaging.requirements import Requirement

    assert isinstance(req, Requirement)
    marker = str(req.marker) if req.marker is not None else None
    if req.url:
        wheel = _WHEEL.search(req.url)
        if wheel:
            return Locked(req.name, wheel.group(2), marker)
        notes.append(f"{where}: {req.name} from a direct URL: version unknown")
        return Locked(req.name, None, marker, "direct URL: version unknown")
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return Locked(req.name, specs[0].version, marker)
    shown = str(req.specifier) or "any version"
    return Locked(req.name, None, marker, f"not pinned ({shown})")


def _location(where: str) -> Location:
    path, _, line = where.rpartition(":")
    return Location(path, int(line))
