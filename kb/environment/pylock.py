"""``pylock.toml`` (PEP 751), as written by ``pip lock`` and ``uv export``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.environment._records import Locked, build, load_toml, table_list, text_field
from kb.environment.model import Environment
from kb.errors import display_path


def looks_like(data: dict[str, Any]) -> bool:
    """PEP 751 files have ``lock-version`` and ``[[packages]]``."""
    return "lock-version" in data


def parse(path: Path, data: dict[str, Any] | None = None) -> Environment:
    """Every locked package; ``version`` is optional in PEP 751 (VCS, directories)."""
    data = load_toml(path) if data is None else data
    records = []
    for item in table_list(data, "packages", path):
        name = text_field(item, "name")
        if name is None:
            continue
        why = "no version recorded"
        for kind in ("vcs", "directory", "archive"):
            if kind in item:
                why = f"no version recorded ({kind} source)"
        records.append(Locked(name, text_field(item, "version"), text_field(item, "marker"), why))
    return build(f"{display_path(path)} (pylock.toml)", records)
