"""``poetry.lock``: Poetry's lockfile (TOML, ``[[package]]`` tables and ``[metadata]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.environment._records import Locked, build, load_toml, table_list, text_field
from kb.environment.model import Environment
from kb.errors import display_path


def looks_like(data: dict[str, Any]) -> bool:
    """poetry.lock has ``[[package]]`` tables and a ``[metadata]`` table with a content hash."""
    meta = data.get("metadata")
    return "package" in data and isinstance(meta, dict) and "content-hash" in meta


def parse(path: Path, data: dict[str, Any] | None = None) -> Environment:
    """Every locked package (main and optional groups alike)."""
    data = load_toml(path) if data is None else data
    records = []
    for item in table_list(data, "package", path):
        name = text_field(item, "name")
        if name is not None:
            records.append(Locked(name, text_field(item, "version")))
    return build(f"{display_path(path)} (poetry.lock)", records)
