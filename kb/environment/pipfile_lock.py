"""``Pipfile.lock``: Pipenv's lockfile (JSON; ``default`` and ``develop`` sections)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.environment._records import Locked, build, load_json, shape_error
from kb.environment.model import Environment
from kb.errors import display_path, shorten


def _is_version(text: str) -> bool:
    from packaging.version import InvalidVersion

    from kb.matching.versions import parse_version

    try:
        parse_version(text)
    except InvalidVersion:
        return False
    return True


def looks_like(data: Any) -> bool:
    """A JSON object with ``_meta`` and a ``default`` section."""
    return isinstance(data, dict) and "_meta" in data and "default" in data


def parse(path: Path, data: Any = None) -> Environment:
    """Packages of both sections; ``version`` is ``==X`` (absent for git and path sources)."""
    data = load_json(path) if data is None else data
    if not looks_like(data):
        raise shape_error(path, "not a Pipfile.lock: no '_meta' and 'default' sections")
    records = []
    for section in ("default", "develop"):
        packages = data.get(section) or {}
        if not isinstance(packages, dict):
            raise shape_error(path, f"'{section}' is not an object")
        for name, info in packages.items():
            version = info.get("version") if isinstance(info, dict) else None
            if isinstance(version, str) and version.startswith("=="):
                records.append(Locked(name, version.lstrip("=")))
            else:
                fields = info if isinstance(info, dict) else {}
                kind = next((k for k in ("git", "path", "file") if k in fields), None)
                why = f"no version recorded ({kind} source)" if kind else "no version recorded"
                records.append(Locked(name, None, why_unknown=why))
    env = build(f"{display_path(path)} (Pipfile.lock)", records)
    requires = data["_meta"].get("requires") if isinstance(data["_meta"], dict) else None
    if isinstance(requires, dict):
        python = requires.get("python_full_version") or requires.get("python_version")
        if isinstance(python, str) and _is_version(python):
            env = env.with_python(python)
            env.notes.append(f"interpreter {python} from _meta.requires; platform unknown")
        elif isinstance(python, str):
            env.notes.append(
                f"_meta.requires: interpreter version {shorten(python)} is not PEP 440; ignored"
            )
    return env
