"""An interrupted kb verify keeps the files of the entries it finished and no partial one."""

from __future__ import annotations

import _thread
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kb.cli import main
from kb.verify import core
from tests.lint.factory import write
from tests.verify.conftest import ENTRY_ID, acme_entry

SLOW_ID = "acme-lint-42-slow-import"
OLD = '{"the": "file from an earlier run"}\n'


def _tree(root: Path) -> tuple[Path, Path]:
    """The quick acme entry (three runs) and one whose reproduction sleeps for a minute,
    which already has a verification file; their ids sort in that order."""
    write(root, acme_entry())
    slow = acme_entry(id=SLOW_ID)
    slow["reproduction"] = {
        "language": "shell",
        "code": "venv/bin/python -c 'import acme_slow'\n",
        "requirements": ["acme-slow==1.0"],
    }
    slow["affected"]["conditions"] = slow["affected"]["conditions"][:1]
    slow["affected"]["conditions"][0]["releases"] = ["3.0"]
    write(root, slow)
    quick_file = root / "acme-lint" / f"{ENTRY_ID}.verified.json"
    slow_file = root / "acme-lint" / f"{SLOW_ID}.verified.json"
    slow_file.write_text(OLD)
    return quick_file, slow_file


def _args(root: Path, wheels: Path) -> list[str]:
    return ["verify", "--entries", str(root), "--no-index", "--find-links", str(wheels)]


def _wait_for(path: Path, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _assert_kept_and_untouched(quick_file: Path, slow_file: Path) -> None:
    runs = json.loads(quick_file.read_text())["runs"]
    assert [r["outcome"] for r in runs] == ["not-affected", "affected", "not-affected"]
    assert slow_file.read_text() == OLD
    assert not [p.name for p in quick_file.parent.iterdir() if p.name.endswith(".tmp")]


def test_ctrl_c_keeps_finished_entries_and_kills_the_running_reproduction(
    tmp_path: Path, wheels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quick_file, slow_file = _tree(tmp_path / "entries")

    def press_ctrl_c() -> None:
        _wait_for(quick_file)
        time.sleep(0.5)  # the slow reproduction is installed and sleeping by now
        _thread.interrupt_main()

    threading.Thread(target=press_ctrl_c, daemon=True).start()
    started = time.monotonic()
    code = main(_args(tmp_path / "entries", wheels))
    elapsed = time.monotonic() - started
    assert code == 130
    # the sleeping reproduction was killed, not waited for
    assert elapsed < 45
    _assert_kept_and_untouched(quick_file, slow_file)
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (
        "kb verify: interrupted; 1 verification file written; "
        f"1 not finished (their files are unchanged): {SLOW_ID}"
    )
    assert capsys.readouterr().out == ""


def test_an_interrupt_raised_in_a_worker_writes_no_partial_file(
    tmp_path: Path,
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    quick_file, slow_file = _tree(tmp_path / "entries")
    real = core.run_one

    def run_one(entry: Any, *rest: Any) -> Any:
        if entry.id == SLOW_ID:
            raise KeyboardInterrupt
        return real(entry, *rest)

    monkeypatch.setattr(core, "run_one", run_one)
    assert main([*_args(tmp_path / "entries", wheels), "--jobs", "1", "--quiet"]) == 130
    _assert_kept_and_untouched(quick_file, slow_file)
    assert f"1 not finished (their files are unchanged): {SLOW_ID}" in capsys.readouterr().err


def test_dry_run_interrupted_says_no_files_were_written(
    tmp_path: Path,
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    quick_file, slow_file = _tree(tmp_path / "entries")

    def run_one(entry: Any, *rest: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(core, "run_one", run_one)
    assert main([*_args(tmp_path / "entries", wheels), "--quiet", "--dry-run"]) == 130
    assert not quick_file.exists() and slow_file.read_text() == OLD
    assert capsys.readouterr().err.splitlines()[-1] == (
        "kb verify: interrupted; 0 entries finished (--dry-run: no files); "
        f"2 not finished: {ENTRY_ID}, {SLOW_ID}"
    )


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_to_the_process_exits_with_its_code_and_no_traceback(
    tmp_path: Path, wheels: Path, signum: int, code: int
) -> None:
    quick_file, slow_file = _tree(tmp_path / "entries")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb", *_args(tmp_path / "entries", wheels)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "KB_DEBUG"},
    )
    try:
        _wait_for(quick_file)
        time.sleep(0.5)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=45)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert out == ""
    assert err.splitlines()[-1].startswith("kb verify: interrupted; 1 verification file written;")
    _assert_kept_and_untouched(quick_file, slow_file)
