"""The CPython interpreters ``kb verify`` can run reproductions on, one per minor version.

An entry whose conditions name Python releases (``python >=3.12``) is verified on an
interpreter of each minor version its plan asks for, when this machine has one: the
interpreter running kb, those given with ``--python``, then ``pythonX.Y`` on ``PATH``,
then pyenv's (``$PYENV_ROOT/versions``, else ``~/.pyenv/versions``). The first found for
a minor version is the one used. An interpreter is asked for its own implementation and
version; one that does not answer, or is not CPython, is passed over (and reported when
it was given with ``--python``).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from kb.errors import UsageError

_ASK = (
    "import platform, sys; print(platform.python_implementation()); "
    "print(platform.python_version()); print(sys.base_prefix if hasattr(sys, 'base_prefix') "
    "else sys.prefix)"
)
"""What an interpreter is asked: implementation, version and installation prefix, a line
each (Python 2.7 understands it too)."""

_VERSIONED = re.compile(r"python\d+\.\d+")
"""The names looked for on ``PATH``: ``python3.12``, not ``python3.12-config``."""


@dataclass(frozen=True, slots=True)
class Interpreter:
    """One CPython interpreter: its path and full version (``3.12.1``)."""

    path: str
    version: str
    source: str
    """Where it was found: ``running kb``, ``--python``, ``PATH`` or ``pyenv``."""
    prefix: str = ""
    """Where it is installed (``sys.base_prefix``): runs' output names it ``<python>``."""

    @property
    def minor(self) -> str:
        """``3.12``."""
        return ".".join(self.version.split(".")[:2])

    @property
    def release(self) -> tuple[int, ...]:
        """``(3, 12, 1)``: sorts interpreters oldest first."""
        return release(self.version)


def release(version: str) -> tuple[int, ...]:
    """The numbers of a version such as ``3.12.1`` (a pyenv directory name may have others
    after them, ``3.13.0t``: only whole numbers count)."""
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def running() -> Interpreter:
    """The interpreter running kb (the installation's, when kb runs in a virtual
    environment: a ``python3.11`` on a reproduction's ``PATH`` is not kb's environment)."""
    path = getattr(sys, "_base_executable", None) or sys.executable
    return Interpreter(path, platform.python_version(), "running kb", sys.base_prefix)


def ask(path: str, timeout: float = 20.0) -> tuple[str, str, str] | None:
    """``(implementation, version, prefix)`` of the interpreter at ``path``; None when it
    does not run or does not answer as a Python does."""
    try:
        done = subprocess.run(
            [path, "-c", _ASK], capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    parts = done.stdout.splitlines()
    if done.returncode != 0 or len(parts) != 3 or not parts[1][:1].isdigit():
        return None
    return parts[0], parts[1], parts[2]


def discover(
    given: Iterable[str] = (), *, environ: Mapping[str, str] | None = None, search: bool = True
) -> dict[str, Interpreter]:
    """The interpreter of each minor version (``"3.12"``), first found first (see the
    module's docstring). ``given`` are the ``--python`` paths; a given path that is not a
    CPython interpreter is a :class:`~kb.errors.UsageError`. Without ``search``, only the
    running interpreter and the given ones."""
    env = os.environ if environ is None else environ
    this = running()
    found: dict[str, Interpreter] = {this.minor: this}
    seen = {_real(this.path)}
    for path in given:
        answer = ask(path)
        if answer is None or answer[0] != "CPython":
            what = "does not run" if answer is None else f"is {answer[0]}, not CPython"
            raise UsageError(f"--python {path}: {what}")
        _add(found, seen, Interpreter(path, answer[1], "--python", answer[2]))
    if not search:
        return found
    for path, source in _candidates(env):
        if _real(path) in seen:
            continue
        answer = ask(path)
        if answer is not None and answer[0] == "CPython":
            _add(found, seen, Interpreter(path, answer[1], source, answer[2]))
    return found


def _add(found: dict[str, Interpreter], seen: set[str], interpreter: Interpreter) -> None:
    seen.add(_real(interpreter.path))
    found.setdefault(interpreter.minor, interpreter)


def _candidates(env: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """Paths that may be interpreters, in the order they are preferred."""
    for directory in env.get("PATH", "").split(os.pathsep):
        try:
            names = sorted(
                (n for n in os.listdir(directory or ".") if _VERSIONED.fullmatch(n)),
                key=lambda n: _newest_first(n[len("python") :]),
            )
        except OSError:
            continue
        for name in names:
            candidate = os.path.join(directory or ".", name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                yield candidate, "PATH"
    home = Path(env.get("HOME") or Path.home())
    root = Path(env.get("PYENV_ROOT") or home / ".pyenv")
    versions = root / "versions"
    try:
        names = sorted((p.name for p in versions.iterdir()), key=_newest_first)
    except OSError:
        return
    for name in names:
        for exe in ("python3", "python"):
            found = versions / name / "bin" / exe
            if found.is_file() and os.access(found, os.X_OK):
                yield str(found), "pyenv"
                break


def _newest_first(name: str) -> tuple[tuple[int, ...], str]:
    """``3.12.10`` before ``3.12.4``; names that are not versions last."""
    numbers = release(name)
    return tuple(-n for n in numbers) if numbers else (1,), name


def _real(path: str) -> str:
    return os.path.realpath(path)
