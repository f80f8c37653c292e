"""``kb scan`` as a user runs it: files and stdin, formats, versions, exit codes, bad input."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kb.cli import main
from tests.conftest import ROOT

ENTRIES = str(ROOT / "tests" / "fixtures" / "scan" / "entries")
LOG = str(ROOT / "tests" / "fixtures" / "logs" / "ci-pytest.log")
FREEZE = str(ROOT / "tests" / "fixtures" / "logs" / "ci-freeze.txt")
URL_QUOTE = "fixture-flask-werkzeug-url-quote"
PROXIES = "fixture-openai-httpx-proxies"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["scan", "--entries", ENTRIES, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_ci_log_reports_both_failures_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, LOG)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{LOG}:2236: {URL_QUOTE} (1 line: 2236)"
    assert lines[2].startswith("  first: E   ImportError: cannot import name 'url_quote'")
    assert lines[3] == "  fix: Upgrade Flask to 2.2.4 or later."
    assert lines[4] == f"{LOG}:2261: {PROXIES} (1 line: 2261)"
    assert "2267 lines in 1 source(s)" in err
    assert "2 known failure(s) found" in err


def test_versions_from_a_lockfile_say_whether_they_are_affected(
    capsys: pytest.CaptureFixture[str], write_file: Callable[[str, str], Path]
) -> None:
    code, out, _ = _run(capsys, LOG, "--lockfile", FREEZE)
    assert code == 1
    assert out.count("your versions: known failure, affects your versions") == 2
    upgraded = write_file(
        "req.txt", "flask==3.1.2\nwerkzeug==3.1.3\nopenai==1.40.0\nhttpx==0.27.2\n"
    )
    code, out, _ = _run(capsys, LOG, "-r", str(upgraded))
    assert code == 1
    assert (
        "your versions: possible regression: your versions (flask 3.1.2 (<2.2.4), "
        "werkzeug 3.1.3 (>=3.0)) are at or after the fix (flask 2.2.4)"
    ) in out
    assert (
        "your versions: matches the text, but your versions are not affected "
        "(openai 1.40.0 (>=1.0.0,<1.55.3), httpx 0.27.2 (>=0.28.0)): look elsewhere"
    ) in out


def test_json_and_github(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, LOG, "--json", "--lockfile", FREEZE)
    data = json.loads(out)
    assert code == 1
    assert [(f["id"], f["first"]["line"], f["count"]) for f in data["findings"]] == [
        (URL_QUOTE, 2236, 1),
        (PROXIES, 2261, 1),
    ]
    assert data["findings"][0]["environment"]["status"] == "affects-your-versions"
    code, out, _ = _run(capsys, LOG, "--format", "github")
    assert out.splitlines()[1].startswith(
        f"::error file={LOG},line=2261,title=kb%3A {PROXIES}::openai < 1.55.3"
    )


def test_standard_input_and_a_clean_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"all good\n" * 1000)))
    code, out, err = _run(capsys, "-")
    assert (code, out) == (0, "")
    assert "1000 lines" in err


@pytest.mark.parametrize(
    "content",
    [
        b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64,
        b"caf\xe9 \xff\xfe invalid utf-8\n" * 50,
        b"",
    ],
)
def test_binary_invalid_and_empty_logs_give_a_normal_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "odd.log"
    path.write_bytes(content)
    code, out, err = _run(capsys, str(path))
    assert (code, out) == (0, "")
    assert "Traceback" not in err
    assert "0 known failure(s) found" in err


def test_missing_files_and_directories_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, LOG, str(tmp_path / "nope.log"))
    assert code == 2
    assert "nope.log: no such file" in err
    code, _, err = _run(capsys, str(tmp_path))
    assert code == 2
    assert "is a directory" in err
    code, _, _ = _run(capsys, "-", "-")
    assert code == 2


@pytest.mark.parametrize(
    ("log", "expected_code"),
    [
        ("all 12 tests passed\n", 0),
        ("E   ImportError: cannot import name 'url_quote' from 'werkzeug.urls'\n", 1),
    ],
)
def test_an_indexed_kb_is_scanned_without_loading_entries(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, log: str, expected_code: int
) -> None:
    import os
    import subprocess

    assert main(["index", "--entries", ENTRIES]) == 0
    capsys.readouterr()
    clean = tmp_path / "ci.log"
    clean.write_text(log, encoding="utf-8")
    code = (
        "import sys; from kb.cli import main; rc = main(sys.argv[1:]); "
        "print([m for m in ('pydantic', 'yaml', 'whoosh') if m in sys.modules], file=sys.stderr); "
        "sys.exit(rc)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "scan", "--entries", ENTRIES, str(clean)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    assert proc.returncode == expected_code, proc.stderr
    # what a finding shows (title, fix) comes from the catalog, not from the YAML file
    assert proc.stderr.strip().splitlines()[-1] == "[]"


def test_a_scan_builds_the_catalog_and_no_full_text_index(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.catalog import cache as store

    cache = tmp_path / "cache"
    monkeypatch.setenv("KB_CACHE_DIR", str(cache))
    assert main(["scan", "--entries", ENTRIES, LOG]) == 1
    capsys.readouterr()
    directory = store.index_dir(Path(ENTRIES), cache)
    assert (directory / store.STATE_NAME).is_file()
    assert list(directory.glob(store.WHOOSH_PREFIX + "*")) == []
