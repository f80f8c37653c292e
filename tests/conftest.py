"""Shared test fixtures: the fixture KB and helpers to write entries into a temporary tree."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb" / "entries"
ENTRIES = ROOT / "entries"


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own index cache: none writes to the user's ~/.cache/kb."""
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path_factory.mktemp("kb-cache")))


@pytest.fixture
def fixture_kb(tmp_path: Path) -> Path:
    """A private copy of the fixture KB that a test may change, its files and directories
    last changed an hour ago (as a checkout is; a stamp of the last few milliseconds
    makes the catalog read that file again on its next refresh)."""
    target = tmp_path / "entries"
    shutil.copytree(FIXTURE_KB, target)
    then = time.time_ns() - 3600 * 10**9
    for path in [*target.rglob("*"), target]:
        os.utime(path, ns=(then, then))
    return target


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file below ``tmp_path`` and return its path."""

    def write(relative: str, content: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
