"""``uv.lock``: uv's lockfile (TOML, ``[[package]]`` tables with name and version)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.environment._records import Locked, build, load_toml, table_list, text_field
from kb.environment.model import Environment
from kb.errors import display_path


def looks_like(data: dict[str, Any]) -> bool:
    """uv.lock has a top-level integer ``version`` and ``[[package]]`` tables."""
    return isinstance(data.get("version"), int) and "package" in data and "metadata" not in data


def parse(path: Path, data: dict[str, Any] | None = None) -> Environment:
    """Every locked package; virtual and editable sources without a version are noted."""
    data = load_toml(path) if data is None else data
    records = []
    for item in table_list(data, "package", path):
        name = text_field(item, "name")
        if name is None:
            continue
        version = text_field(item, "version")
        source = item.get("source")
        why = "no version recorded"
        if isinstance(source, dict) and source:
            why = f"no version recorded ({next(iter(source))} source)"
        records.append(Locked(name, version, why_unknown=why))
    return build(f"{display_path(path)} (uv.lock)", records)
