"""Where versions come from: the running interpreter, another interpreter, or a file.

``from_running_interpreter()`` and ``from_python(path)`` read installed distributions
through ``importlib.metadata`` (no pip needed); ``from_file(path)`` recognises the
format of a lockfile or requirements file and hands it to the module for that format.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from kb.environment import _probe, pipfile_lock, poetry_lock, pylock, requirements, uv_lock
from kb.environment._records import Locked, build, load_json, load_toml, read_text
from kb.environment.model import Environment, EnvironmentReadError
from kb.errors import Location, display_path

__all__ = [
    "LOCKFILE_FORMATS",
    "Environment",
    "EnvironmentReadError",
    "detect",
    "from_file",
    "from_python",
    "from_running_interpreter",
]

FORMATS = "requirements.txt / pip freeze, uv.lock, poetry.lock, pylock.toml, Pipfile.lock"
PROBE_TIMEOUT = 120


def from_running_interpreter() -> Environment:
    """The distributions installed for the interpreter running kb."""
    return _from_probe(_probe.probe(), "this interpreter")


def from_python(python: str | Path) -> Environment:
    """The distributions installed for another interpreter (runs it once, isolated)."""
    shown = str(python)
    try:
        done = subprocess.run(
            [str(python), "-I", str(Path(_probe.__file__))],
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise EnvironmentReadError("no such interpreter", Location(shown)) from None
    except PermissionError:
        raise EnvironmentReadError("not executable", Location(shown)) from None
    except OSError as exc:
        raise EnvironmentReadError(f"cannot run: {exc.strerror or exc}", Location(shown)) from None
    except subprocess.TimeoutExpired:
        raise EnvironmentReadError(
            f"did not answer within {PROBE_TIMEOUT} s", Location(shown)
        ) from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        last = lines[-1] if lines else f"exit status {done.returncode}"
        raise EnvironmentReadError(f"is not a working Python interpreter: {last}", Location(shown))
    try:
        data = json.loads(done.stdout)
    except ValueError:
        raise EnvironmentReadError(
            "is not a Python interpreter (unexpected output)", Location(shown)
        ) from None
    return _from_probe(data, f"interpreter {shown}")


def _from_probe(data: dict[str, Any], source: str) -> Environment:
    records = [Locked(name, version) for name, version in data.get("packages", [])]
    env = build(source, records)
    env.python = str(data["python"])
    env.markers = {str(k): str(v) for k, v in data.get("markers", {}).items()}
    return env


LOCKFILE_FORMATS = ("uv", "poetry", "pylock", "pipfile", "requirements")
"""What ``from_file(path, fmt=...)`` (``kb check --lockfile-format``) accepts."""


def from_file(
    path: Path, markers: dict[str, str] | None = None, fmt: str | None = None
) -> Environment:
    """Read a lockfile or requirements file: in format ``fmt`` (one of
    :data:`LOCKFILE_FORMATS`) when given, else as its name says (``uv.lock``,
    ``poetry.lock``, ``Pipfile.lock``, ``pylock.*.toml``), else as its content shows."""
    if fmt is not None:
        return _parse_as(fmt, path, markers)
    name = path.name.lower()
    if name == "uv.lock":
        return uv_lock.parse(path)
    if name == "poetry.lock":
        return poetry_lock.parse(path)
    if name == "pipfile.lock":
        return pipfile_lock.parse(path)
    if name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
        return pylock.parse(path)
    text = read_text(path)
    found = detect(text)
    if found is not None:
        kind, data = found
        if kind == "requirements":
            return requirements.parse(path, markers, text=text)
        return _parse_as(kind, path, markers, data)
    where = Location(display_path(path))
    hint = f"kb reads {FORMATS}; name one with --lockfile-format"
    if name.endswith(".json"):
        load_json(path, text)  # a syntax error says where
    elif name.endswith((".toml", ".lock")):
        try:
            load_toml(path, text)
        except EnvironmentReadError as exc:
            raise EnvironmentReadError(
                f"unknown lockfile format (not TOML: {exc.message}; {hint})", exc.location
            ) from None
    raise EnvironmentReadError(f"unknown lockfile format ({hint})", where)


def detect(text: str) -> tuple[str, Any] | None:
    """The format of a lockfile's content, and the data parsed on the way, or None.

    JSON with ``_meta.pipfile-spec`` is Pipfile.lock; TOML with ``lock-version`` is
    pylock.toml, with ``[[package]]`` and an integer ``version`` uv.lock, with
    ``[[package]]`` and ``[metadata]`` poetry.lock; requirement lines are requirements.
    """
    import tomllib

    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            return None
        meta = data.get("_meta") if isinstance(data, dict) else None
        if isinstance(meta, dict) and "pipfile-spec" in meta and pipfile_lock.looks_like(data):
            return "pipfile", data
        return None
    try:
        toml = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        toml = None
    if toml is not None:
        for kind, module in (("pylock", pylock), ("uv", uv_lock), ("poetry", poetry_lock)):
            if module.looks_like(toml):
                return kind, toml
    if requirements.looks_like(text):
        return "requirements", None
    return None


def _parse_as(
    fmt: str, path: Path, markers: dict[str, str] | None, data: Any = None
) -> Environment:
    if fmt == "uv":
        return uv_lock.parse(path, data)
    if fmt == "poetry":
        return poetry_lock.parse(path, data)
    if fmt == "pylock":
        return pylock.parse(path, data)
    if fmt == "pipfile":
        return pipfile_lock.parse(path, data)
    if fmt == "requirements":
        return requirements.parse(path, markers)
    raise ValueError(f"unknown lockfile format {fmt!r}; expected one of {LOCKFILE_FORMATS}")
