"""The one exception base of kb, and the problem record that carries *where*.

Every message kb prints about a file starts with its location, ``path:line:col:``,
so that editors and CI annotations can jump to it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from kb.startup import NamedTuple

# NamedTuple rather than dataclasses: the CLI imports this module on every run, and
# importing dataclasses (with inspect) costs more than everything else kb search does.


class Location(NamedTuple):
    """A place in a file; ``line`` and ``col`` are 1-based, 0 when unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


class Problem(NamedTuple):
    """One finding about one file: a stable code, a message and where it is."""

    code: str
    message: str
    location: Location

    def __str__(self) -> str:
        return f"{self.location}: {self.code} {self.message}"


class KbError(Exception):
    """Base of every error kb raises on purpose; the CLI turns it into a message.

    ``exit_code`` follows the CLI's contract: 1 for a failure of the input, 2 for a
    usage error.
    """

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


class UsageError(KbError):
    """The command line asked for something that cannot be done (exit 2)."""

    exit_code = 2


class EntryNotFoundError(KbError):
    """No entry has the id that was asked for."""


class InputError(KbError):
    """A file or stream given to kb could not be read or understood."""


def display_path(path: str | Path) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    p = Path(path)
    if not p.is_absolute():
        return str(p)
    try:
        return str(p.resolve().relative_to(_resolved(os.getcwd())))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop before 3.13
        return str(p)


@lru_cache(maxsize=4)
def _resolved(directory: str) -> Path:
    """The working directory resolved once, not once per file shown."""
    return Path(directory).resolve()


def shorten(text: str, limit: int = 40) -> str:
    """``repr(text)`` for a message, cut when long: input from outside can be megabytes."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit - 10]!r}... ({len(text):,} characters)"
