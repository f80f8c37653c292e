"""Shared fixtures for the render tests: the fixture KBs, loaded, and a built site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb.loader import load_tree
from kb.render.site import SourceEntry
from kb.verify.record import fresh

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIRS = (ROOT / "tests/fixtures/kb/entries", ROOT / "tests/fixtures/render/entries")


def fixture_sources() -> list[SourceEntry]:
    """Every fixture entry with its repository path."""
    result = load_tree(list(FIXTURE_DIRS))
    assert result.problems == []
    return [
        SourceEntry(e.entry, e.path.resolve().relative_to(ROOT).as_posix(), fresh(e.entry, e.path))
        for e in result.entries
    ]


def build_site(entries: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of the project's mkdocs.yml over ``entries`` into ``out``."""
    full_env = {**os.environ, "KB_ENTRIES": str(entries), "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(ROOT / "mkdocs.yml"),
            "-d",
            str(out),
        ],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def merged_entries(dest: Path) -> Path:
    """Both fixture KBs copied into one entries directory."""
    for src in FIXTURE_DIRS:
        shutil.copytree(src, dest, dirs_exist_ok=True)
    return dest


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once from the fixture KBs."""
    base = tmp_path_factory.mktemp("site")
    entries = merged_entries(base / "entries")
    out = base / "out"
    proc = build_site(
        entries, out, KB_REPO_URL="https://github.com/example/kb", KB_EDIT_URI="edit/main/site/"
    )
    assert proc.returncode == 0, proc.stderr
    return out
