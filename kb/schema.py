"""The JSON Schema of entries as a file: generated from the model, with a ``--check`` mode."""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA_PATH = Path("schema") / "entry.schema.json"
"""Where the schema lives in a checkout; entries point their modeline at it."""


def render_schema() -> str:
    """The schema as the exact text that is written to disk."""
    from kb.models import json_schema

    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def modeline(entry_path: Path, schema_path: Path) -> str:
    """The ``yaml-language-server`` modeline for an entry at ``entry_path``."""
    import os

    rel = os.path.relpath(schema_path, entry_path.parent)
    return f"# yaml-language-server: $schema={Path(rel).as_posix()}"
