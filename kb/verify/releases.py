"""Where a package's list of releases comes from, for bisecting and for the bounds' neighbours.

A release source is a plain function ``name -> releases``, so tests pass a list and
offline runs read local wheels. The index source asks the package index's JSON simple
API (PEP 691/700) with the standard library; with ``--no-index`` it reads the wheel and
sdist names in the ``--find-links`` directories instead.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from packaging.version import InvalidVersion, Version

from kb.errors import InputError
from kb.matching import canonical
from kb.verify.envs import IndexOptions

Source = Callable[[str], Sequence[str]]

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
DEFAULT_INDEX = "https://pypi.org/simple"


def final_releases(versions: Sequence[str]) -> list[str]:
    """Final releases only (no pre-, dev- or invalid versions), oldest first."""
    out = []
    for v in versions:
        try:
            parsed = Version(v)
        except InvalidVersion:
            continue
        if not parsed.is_prerelease and not parsed.is_devrelease:
            out.append(v)
    return sorted(set(out), key=Version)


def from_list(mapping: dict[str, Sequence[str]]) -> Source:
    """A source over a fixed mapping of canonical names to releases (tests)."""

    def source(name: str) -> Sequence[str]:
        return list(mapping.get(canonical(name), ()))

    return source


def from_file(path: Path) -> Source:
    """Releases of any package read from ``path``, one version a line (``#`` comments)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    versions = [ln.split("#", 1)[0].strip() for ln in lines]
    listed = [v for v in versions if v]
    return lambda _name: listed


_DIST = re.compile(
    r"^(?P<name>[A-Za-z0-9_.]+?)-(?P<version>[0-9][^-]*?)(?:-[^-]+)*\.(?:whl|tar\.gz|zip)$"
)


def from_index(options: IndexOptions) -> Source:
    """Releases from the index (``$UV_INDEX_URL``/``$PIP_INDEX_URL`` or PyPI), or from the
    ``--find-links`` directories when ``options.no_index``."""

    @cache
    def source(name: str) -> tuple[str, ...]:
        found = set(_from_links(options.find_links, name))
        if not options.no_index:
            found.update(_from_simple_api(name))
        return tuple(final_releases(sorted(found)))

    return source


def _from_links(links: Sequence[str], name: str) -> list[str]:
    want = canonical(name)
    out = []
    for link in links:
        directory = Path(link)
        if not directory.is_dir():
            continue
        for entry in directory.iterdir():
            m = _DIST.match(entry.name)
            if m and canonical(m["name"]) == want:
                out.append(m["version"])
    return out


def _from_simple_api(name: str) -> list[str]:
    base = os.environ.get("UV_INDEX_URL") or os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX
    url = f"{base.rstrip('/')}/{canonical(name)}/"
    request = urllib.request.Request(url, headers={"Accept": SIMPLE_JSON})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            data = json.load(response)
    except (OSError, ValueError) as exc:
        raise InputError(f"{url}: cannot list the releases of {name}: {exc}") from None
    versions = data.get("versions")
    if isinstance(versions, list):
        return [str(v) for v in versions]
    return []
