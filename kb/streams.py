"""Reading input that may never end: standard input, FIFOs, devices, growing pipes.

``kb search - < /dev/zero`` or ``tail -f build.log | kb search -`` must not read forever.
:func:`read_bounded` reads at most a number of bytes and, where the operating system can
wait on the descriptor (pipes, FIFOs, terminals, devices), for at most a number of
seconds; it says why it stopped, so that the caller can tell the user and go on with
what was read. Regular files are read to their end within the byte bound.
"""

import os
import select
import stat
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

CHUNK = 1 << 20
MAX_WAIT = 3600.0
"""Longest single wait on a descriptor; longer timeouts are waited in slices."""


class Stop(StrEnum):
    """Why reading ended before the end of the input."""

    SIZE = "size"
    TIME = "time"
    INTERRUPT = "interrupt"


class Read(NamedTuple):
    """What was read: the bytes kept, how many were read in all, and why reading stopped
    early (``None`` when the input ended)."""

    data: bytes
    total: int
    stopped: Stop | None


def read_bounded(
    fd: int,
    *,
    max_bytes: int,
    timeout: float | None,
    keep_tail: int | None = None,
    stop_on_interrupt: bool = False,
) -> Read:
    """Read ``fd`` until its end, ``max_bytes`` or ``timeout`` seconds, whichever is first.

    With ``keep_tail`` only the last that many bytes are kept (bounded memory over a long
    stream). ``timeout`` None or 0 waits for the end. With ``stop_on_interrupt`` a Ctrl-C
    while reading ends the read (``Stop.INTERRUPT``) instead of raising.
    """
    deadline = time.monotonic() + timeout if timeout else None
    waitable = deadline is not None and _waitable(fd)
    parts: list[bytes] = []
    kept = 0
    total = 0
    stopped: Stop | None = None
    try:
        while True:
            if total >= max_bytes:
                stopped = Stop.SIZE
                break
            if waitable:
                assert deadline is not None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    stopped = Stop.TIME
                    break
                # select takes no timeout beyond the platform's time_t: wait in slices
                if not select.select([fd], [], [], min(remaining, MAX_WAIT))[0]:
                    continue
            try:
                chunk = os.read(fd, min(CHUNK, max_bytes - total))
            except BlockingIOError:  # opened non-blocking (a FIFO): wait until there is data
                if not waitable:
                    select.select([fd], [], [])
                continue
            if not chunk:
                break
            total += len(chunk)
            parts.append(chunk)
            kept += len(chunk)
            if keep_tail is not None and kept > 2 * keep_tail + CHUNK:
                joined = b"".join(parts)[-keep_tail:]
                parts, kept = [joined], len(joined)
    except KeyboardInterrupt:
        if not stop_on_interrupt:
            raise
        stopped = Stop.INTERRUPT
    data = b"".join(parts)
    if keep_tail is not None:
        data = data[-keep_tail:]
    return Read(data, total, stopped)


def open_for_reading(path: Path) -> int:
    """A descriptor of ``path``; a FIFO is opened without waiting for a writer.

    Raises :class:`OSError` as ``open`` does.
    """
    flags = os.O_RDONLY
    if not _is_regular_path(path):
        flags |= getattr(os, "O_NONBLOCK", 0)
    return os.open(path, flags)


def is_regular(fd: int) -> bool:
    """True when ``fd`` is a regular file (it has an end and its size is known)."""
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        return False


def _is_regular_path(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return True  # let open() report it


def _waitable(fd: int) -> bool:
    """True when ``select`` can wait on ``fd`` (not a regular file; not on Windows, where
    select takes sockets only)."""
    return sys.platform != "win32" and not is_regular(fd)


def describe(stopped: Stop, *, max_bytes: int, timeout: float | None) -> str:
    """Why reading stopped, in words: ``after 64 MiB (the limit)``."""
    if stopped is Stop.SIZE:
        return f"after {human_bytes(max_bytes)} (the limit)"
    if stopped is Stop.TIME:
        return f"after {timeout:g} s without reaching its end"
    return "on Ctrl-C"


def human_bytes(count: int) -> str:
    """``65536`` -> ``64 KiB``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count:,} bytes"
