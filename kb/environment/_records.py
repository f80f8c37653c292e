"""Turn the package records of any source into an :class:`Environment`, and read files safely.

Every format module yields :class:`Locked` records; this module decides what a name
that appears twice means, and turns decode errors into messages with file and line.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.environment.model import Environment, EnvironmentReadError, check_versions
from kb.errors import Location, display_path

MAX_LOCKFILE_BYTES = 64 * 1024 * 1024
READ_TIMEOUT = 60.0
"""Seconds to wait for the end of a lockfile that is a FIFO, a pipe or a device."""


@dataclass(frozen=True, slots=True)
class Locked:
    """One package as a source records it; ``version`` None when the source has none."""

    name: str
    version: str | None
    marker: str | None = None
    why_unknown: str = "no version recorded"


def build(source: str, records: Iterable[Locked], notes: list[str] | None = None) -> Environment:
    """An environment from records; a name locked at several versions is not guessed."""
    from kb.matching import canonical

    seen: dict[str, list[Locked]] = {}
    for record in records:
        seen.setdefault(canonical(record.name), []).append(record)
    env = Environment(source=source, notes=list(notes or []))
    for name in sorted(seen):
        group = seen[name]
        versions = sorted({r.version for r in group if r.version is not None})
        if len(versions) == 1 and all(r.version is not None for r in group):
            env.packages[name] = versions[0]
        elif len(versions) > 1:
            env.problems[name] = (
                f"locked at several versions depending on markers ({', '.join(versions)})"
            )
        else:
            env.problems[name] = group[0].why_unknown
    check_versions(env)
    return env


def read_text(path: Path) -> str:
    """The file's text; a missing, binary, huge or non-UTF-8 file is a clear error.

    A FIFO, a device or a pipe (``-r <(pip freeze)``) is read as :func:`read_stream`
    reads it: such input may never end.
    """
    from kb.streams import open_for_reading

    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_LOCKFILE_BYTES:
            raise EnvironmentReadError(f"too large for a lockfile ({size} bytes)", Location(shown))
        fd = open_for_reading(path)
    except OSError as exc:
        raise EnvironmentReadError.from_os_error(exc, shown, "a file") from None
    try:
        return read_stream(fd, shown)
    finally:
        os.close(fd)


def read_stream(fd: int, shown: str) -> str:
    """The text of an open file, FIFO, pipe or device: at most :data:`MAX_LOCKFILE_BYTES`,
    within :data:`READ_TIMEOUT` seconds where the input can be waited on."""
    from kb.streams import Stop, describe, read_bounded

    try:
        got = read_bounded(fd, max_bytes=MAX_LOCKFILE_BYTES + 1, timeout=READ_TIMEOUT)
    except OSError as exc:
        raise EnvironmentReadError.from_os_error(exc, shown, "a file") from None
    if got.stopped is not None:
        if got.stopped is Stop.SIZE:
            decode(got.data[:8192], shown, partial=True)  # binary data says so first
        why = describe(got.stopped, max_bytes=MAX_LOCKFILE_BYTES, timeout=READ_TIMEOUT)
        raise EnvironmentReadError(
            f"not a lockfile: no end of input {why} (a device, or a stream that does not end)",
            Location(shown),
        )
    return decode(got.data, shown)


def decode(data: bytes, shown: str, *, partial: bool = False) -> str:
    """Lockfile bytes as text; binary or non-UTF-8 content is a clear error (``partial``:
    ``data`` is a prefix, which may end inside a character)."""
    if b"\x00" in data[:8192]:
        raise EnvironmentReadError("binary file, not a lockfile", Location(shown))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if partial and exc.reason == "unexpected end of data":
            return ""
        line = data.count(b"\n", 0, exc.start) + 1
        raise EnvironmentReadError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})", Location(shown, line)
        ) from None


_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def load_toml(path: Path, text: str | None = None) -> dict[str, Any]:
    """Parsed TOML; a syntax error names the file, line and column."""
    text = read_text(path) if text is None else text
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POS.search(message)
        where = Location(display_path(path))
        if match:
            where = Location(where.path, int(match.group(1)), int(match.group(2)))
            message = message[: match.start()]
        raise EnvironmentReadError(f"TOML syntax error: {message}", where) from None


def load_json(path: Path, text: str | None = None) -> Any:
    """Parsed JSON; a syntax error names the file, line and column."""
    text = read_text(path) if text is None else text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EnvironmentReadError(
            f"JSON syntax error: {exc.msg}", Location(display_path(path), exc.lineno, exc.colno)
        ) from None


def shape_error(path: Path, message: str) -> EnvironmentReadError:
    """A lockfile that parses but is not laid out as its format says."""
    return EnvironmentReadError(message, Location(display_path(path)))


def table_list(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    """``data[key]`` as a list of tables (``[[key]]``), checked."""
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise shape_error(path, f"'{key}' is not a list of tables")
    return items


def text_field(item: dict[str, Any], key: str) -> str | None:
    """A string field, or None when absent or of another type."""
    value = item.get(key)
    return value if isinstance(value, str) else None
