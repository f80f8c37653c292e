"""The child processes of a verify run: installs and reproductions, killed together on demand.

Each child runs in its own session, so a Ctrl-C at the terminal reaches kb alone and kb
decides what happens: :func:`stop_all` kills every child still running and makes any child
that a worker thread is about to start fail with :class:`Interrupted` instead, so that no
half-made result (an install killed midway, a reproduction cut short) is taken for a real
one. A child whose caller is itself interrupted (the main thread gets the Ctrl-C while it
waits) is killed before the interrupt goes on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path


class Interrupted(Exception):
    """The run is being stopped: the child was killed, or not started."""


_RUNNING: set[int] = set()
_LOCK = threading.Lock()
_STOPPING = threading.Event()


def run(
    cmd: list[str],
    *,
    env: Mapping[str, str],
    timeout: float,
    cwd: Path | None = None,
    merge: bool = False,
) -> tuple[int | None, bytes, bytes]:
    """Run ``cmd``: its exit status (None when it timed out and was killed), stdout and
    stderr (with ``merge``, stderr goes into stdout). The whole process group dies on
    timeout, so a child's own children cannot outlive it. Raises :class:`Interrupted`
    when :func:`stop_all` was called before it started or while it ran, and ``OSError``
    when it cannot start."""
    with _LOCK:
        if _STOPPING.is_set():
            raise Interrupted
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge else subprocess.PIPE,
            start_new_session=True,
        )
        _RUNNING.add(proc.pid)
    status: int | None
    try:
        out, err = proc.communicate(timeout=timeout)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        kill(proc.pid)
        out, err = proc.communicate()
        status = None
    except BaseException:
        kill(proc.pid)
        proc.wait()
        raise
    finally:
        with _LOCK:
            _RUNNING.discard(proc.pid)
    if _STOPPING.is_set():
        raise Interrupted
    return status, out or b"", err or b""


def kill(pid: int) -> None:
    """Kill the process group ``pid`` leads (gone already is fine)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def stop_all() -> None:
    """Kill every child still running and refuse to start more, until :func:`resume`."""
    with _LOCK:
        _STOPPING.set()
        pids = list(_RUNNING)
    for pid in pids:
        kill(pid)


def resume() -> None:
    """Allow children again (once the threads that were stopped have ended)."""
    _STOPPING.clear()


def stopping() -> bool:
    """True between :func:`stop_all` and :func:`resume`."""
    return _STOPPING.is_set()
