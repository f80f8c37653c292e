"""Input that never ends: /dev/zero, /dev/urandom, a pipe kept open, a FIFO, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kb.environment import EnvironmentReadError, _records, from_file
from tests.conftest import FIXTURE_KB, ROOT
from tests.hostile.runner import TIME_BOUND, assert_no_bug, kb

URL_QUOTE = "ImportError: cannot import name 'url_quote' from 'acme_util.urls'"
DEVICES = [d for d in ("/dev/zero", "/dev/urandom") if os.path.exists(d)]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and SIGINT")


def _stdin_from(device: str, *args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KB_CACHE_DIR": str(cache), "KB_ENTRIES": str(FIXTURE_KB)}
    with open(device, "rb") as stdin:
        proc = subprocess.run(
            [sys.executable, "-m", "kb", *args],
            stdin=stdin,
            capture_output=True,
            env=env,
            check=False,
            timeout=TIME_BOUND,
        )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode("utf-8", "replace")
    )


@POSIX
@pytest.mark.parametrize("device", DEVICES)
def test_search_reads_a_bounded_part_of_an_endless_device(tmp_path: Path, device: str) -> None:
    proc = _stdin_from(device, "search", "-", cache=tmp_path)
    assert_no_bug(proc)
    assert proc.returncode in (1, 2)  # nothing known in zeros or noise; or nothing left at all
    assert "stopped reading standard input after 64 MiB (the limit)" in proc.stderr


@POSIX
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("how", ["--lockfile", "-r"])
def test_check_refuses_an_endless_device(tmp_path: Path, device: str, how: str) -> None:
    proc = kb("check", how, device, cache=tmp_path)
    assert_no_bug(proc)
    assert proc.returncode == 2
    assert "binary file, not a lockfile" in proc.stderr
    proc = _stdin_from(device, "check", "-r", "-", cache=tmp_path)
    assert_no_bug(proc)
    assert proc.returncode == 2
    assert "<stdin>: binary file, not a lockfile" in proc.stderr


def _popen(*args: str, cache: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KB_CACHE_DIR": str(cache), "KB_ENTRIES": str(FIXTURE_KB)}
    return subprocess.Popen(
        [sys.executable, "-m", "kb", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _waits_on_input(pid: int) -> bool:
    """True once the process sleeps in select/poll (reading its standard input)."""
    deadline = time.monotonic() + TIME_BOUND
    while time.monotonic() < deadline:
        try:
            wchan = Path(f"/proc/{pid}/wchan").read_text()
        except OSError:
            return False
        if "poll" in wchan or "select" in wchan or "pipe_read" in wchan:
            return True
        time.sleep(0.05)
    return False


@POSIX
def test_search_of_a_pipe_that_stays_open_stops_after_the_read_timeout(tmp_path: Path) -> None:
    proc = _popen("search", "--read-timeout", "1", "-", cache=tmp_path)
    assert proc.stdin is not None
    proc.stdin.write(f"some log line\n{URL_QUOTE}\n".encode())
    proc.stdin.flush()  # and never closed: the shape of tail -f build.log | kb search -
    try:
        out, err = _wait(proc)
    finally:
        proc.stdin.close()
    assert "stopped reading standard input after 1 s without reaching its end" in err
    assert "acme-web-12-removed-url-quote" in out
    assert proc.returncode == 0
    assert "Traceback" not in err


def _wait(proc: subprocess.Popen[bytes]) -> tuple[str, str]:
    """Wait for the process with standard input still open; its output as text."""
    assert proc.stdout is not None and proc.stderr is not None
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: object) -> None:
        chunks[name] = stream.read()  # type: ignore[attr-defined]

    threads = [
        threading.Thread(target=drain, args=("out", proc.stdout)),
        threading.Thread(target=drain, args=("err", proc.stderr)),
    ]
    for thread in threads:
        thread.start()
    proc.wait(timeout=TIME_BOUND)
    for thread in threads:
        thread.join(timeout=TIME_BOUND)
    proc.stdout.close()
    proc.stderr.close()
    return chunks["out"].decode(), chunks["err"].decode()


@pytest.mark.parametrize("timeout", ["inf", "1e300", "0"])
def test_any_read_timeout_is_accepted(tmp_path: Path, timeout: str) -> None:
    proc = kb("search", "--read-timeout", timeout, "-", stdin=URL_QUOTE.encode(), cache=tmp_path)
    assert_no_bug(proc)
    assert proc.returncode == 0


@pytest.mark.parametrize("timeout", ["nan", "-1", "soon"])
def test_a_bad_read_timeout_is_a_usage_error(tmp_path: Path, timeout: str) -> None:
    proc = kb("search", "--read-timeout", timeout, "-", stdin=URL_QUOTE.encode(), cache=tmp_path)
    assert_no_bug(proc)
    assert proc.returncode == 2


@POSIX
def test_ctrl_c_while_search_reads_searches_what_was_read(tmp_path: Path) -> None:
    proc = _popen("search", "-", cache=tmp_path)
    assert proc.stdin is not None
    proc.stdin.write(f"{URL_QUOTE}\n".encode())
    proc.stdin.flush()
    if not _waits_on_input(proc.pid):
        proc.kill()
        pytest.skip("cannot see when the process waits for input (/proc/PID/wchan)")
    proc.send_signal(signal.SIGINT)
    out, err = _wait(proc)
    proc.stdin.close()
    assert "stopped reading standard input on Ctrl-C" in err
    assert "acme-web-12-removed-url-quote" in out
    assert proc.returncode == 0
    assert "Traceback" not in err


@POSIX
def test_scan_of_stdin_reports_as_it_goes_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    proc = _popen("scan", "-", cache=tmp_path)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"starting\n{URL_QUOTE}\n".encode())
    proc.stdin.flush()
    # the finding is printed while standard input is still open
    first = proc.stdout.readline().decode()
    assert first.startswith("<stdin>:2: acme-web-12-removed-url-quote"), first
    if not _waits_on_input(proc.pid):
        proc.kill()
        pytest.skip("cannot see when the process waits for input (/proc/PID/wchan)")
    proc.send_signal(signal.SIGINT)
    out, err = _wait(proc)
    proc.stdin.close()
    assert proc.returncode == 130, err
    assert "kb scan: interrupted after 2 lines" in err
    assert "1 known failure(s) found" in err
    assert "Traceback" not in err
    assert "fix: Upgrade acme-web to 2.3 or later." in out


@POSIX
def test_a_fifo_without_a_writer_is_not_waited_on_forever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "requirements.txt"
    os.mkfifo(fifo)
    monkeypatch.setattr(_records, "READ_TIMEOUT", 0.5)
    started = time.monotonic()
    with pytest.raises(EnvironmentReadError, match=r"no end of input after 0\.5 s"):
        from_file(fifo)
    assert time.monotonic() - started < 10


@POSIX
def test_a_fifo_that_is_written_and_closed_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "requirements.txt"
    os.mkfifo(fifo)
    content = (ROOT / "tests" / "fixtures" / "lockfiles" / "pip-freeze.txt").read_bytes()

    def write() -> None:
        with open(fifo, "wb") as fh:
            fh.write(content)

    writer = threading.Thread(target=write)
    writer.start()
    proc = kb("check", "-r", str(fifo), "--no-config", cache=tmp_path)
    writer.join(timeout=TIME_BOUND)
    assert_no_bug(proc)
    assert "(requirements)" in proc.stderr
