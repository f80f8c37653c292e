"""Run kb as a user would, with a time bound, and check that it never fails like a bug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURE_KB

TIME_BOUND = 60
"""Seconds any hostile input may take before the test fails (kb itself answers in a few)."""


def kb(
    *args: str,
    stdin: bytes | None = None,
    cache: Path,
    entries: Path = FIXTURE_KB,
    timeout: float = TIME_BOUND,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m kb ARGS``; fails the test when kb takes longer than ``timeout``."""
    env = {**os.environ, "KB_CACHE_DIR": str(cache), "KB_ENTRIES": str(entries)}
    env.pop("KB_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "kb", *args],
        input=stdin,
        capture_output=True,
        env=env,
        check=False,
        timeout=timeout,
        cwd=cwd,
    )
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def assert_no_bug(proc: subprocess.CompletedProcess[str]) -> None:
    """No traceback and no 'internal error': hostile input is a usage error or a finding."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1, 2, 130), (proc.returncode, proc.stderr)
