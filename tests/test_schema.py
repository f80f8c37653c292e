"""The JSON Schema: generated from the model, descriptions from field docstrings, kept current."""

from __future__ import annotations

import json
import subprocess
import sys

from kb.schema import SCHEMA_PATH, render_schema
from tests.conftest import ROOT


def test_committed_schema_is_current() -> None:
    assert (ROOT / SCHEMA_PATH).read_text(encoding="utf-8") == render_schema()


def test_field_docstrings_become_descriptions() -> None:
    schema = json.loads(render_schema())
    assert "PEP 440" in schema["$defs"]["Condition"]["properties"]["specifier"]["description"]
    assert schema["additionalProperties"] is False
    assert "signatures" in schema["required"]


def test_schema_check_fails_on_a_stale_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    stale = tmp_path / "s.json"
    stale.write_text("{}\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "kb", "schema", "--check", "-o", str(stale)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "out of date" in proc.stderr
    assert stale.read_text(encoding="utf-8") == "{}\n"
    subprocess.run([*cmd[:-3], "-o", str(stale)], check=True, capture_output=True)
    assert subprocess.run(cmd, capture_output=True, check=False).returncode == 0
