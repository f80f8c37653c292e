"""``kb check`` as a user runs it: sources, output formats, exit codes, ignores, bad input."""

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
LOCKFILES = ROOT / "tests" / "fixtures" / "lockfiles"
URL_QUOTE = "fixture-flask-werkzeug-url-quote"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--entries", ENTRIES, "--no-config", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_lockfile_where_a_failure_applies_exits_1_with_versions_and_fix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, "--lockfile", str(LOCKFILES / "uv.lock"))
    assert code == 1
    assert out.splitlines() == [
        URL_QUOTE,
        "  Flask < 2.2.4 fails to import with Werkzeug 3.0 (url_quote removed)",
        "  applies: flask 2.2.2 (<2.2.4), werkzeug 3.0.1 (>=3.0)",
        "  fix: Upgrade Flask to 2.2.4 or later. (flask>=2.2.4)",
        "  fixed in: flask 2.2.4",
    ]
    assert "1 apply" in err


def test_current_releases_exit_0(
    capsys: pytest.CaptureFixture[str], write_file: Callable[[str, str], Path]
) -> None:
    path = write_file("requirements.txt", "flask==3.1.2\nwerkzeug==3.1.3\n")
    code, out, err = _run(capsys, "-r", str(path))
    assert (code, out) == (0, "")
    assert "0 apply" in err


def test_requirements_from_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Flask==2.2.2\nWerkzeug==3.0.1\n"))
    code, out, _ = _run(capsys, "-r", "-")
    assert code == 1
    assert out.startswith(URL_QUOTE)


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--lockfile", str(LOCKFILES / "poetry.lock"), "--json")
    data = json.loads(out)
    assert code == 1
    assert [a["id"] for a in data["applies"]] == [URL_QUOTE]
    assert data["applies"][0]["versions"][0] == {
        "package": "flask",
        "version": "2.2.2",
        "specifier": "<2.2.4",
        "holds": True,
    }
    assert data["environment"]["packages"] == 6


def test_github_annotations_point_at_the_lockfile(capsys: pytest.CaptureFixture[str]) -> None:
    lock = str(LOCKFILES / "Pipfile.lock")
    code, out, _ = _run(capsys, "--lockfile", lock, "--format", "github")
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(f"::error file={lock},title=kb%3A {URL_QUOTE}::Flask < 2.2.4")


def test_ignores_from_the_command_line_and_pyproject(
    capsys: pytest.CaptureFixture[str], write_file: Callable[[str, str], Path]
) -> None:
    lock = str(LOCKFILES / "uv.lock")
    code, out, _ = _run(capsys, "--lockfile", lock, "--ignore", f"{URL_QUOTE}:helpers unused")
    assert code == 0
    assert out == f"{URL_QUOTE} (ignored: helpers unused)\n"
    config = write_file(
        "pyproject.toml",
        f'[tool.kb]\nignore = [{{ id = "{URL_QUOTE}", reason = "old", until = 2020-01-01 }}]\n',
    )
    code = main(["check", "--entries", ENTRIES, "--lockfile", lock, "--config", str(config)])
    out, _ = capsys.readouterr()
    assert code == 1
    assert f"expired ignore: {URL_QUOTE} (until 2020-01-01" in out


def test_the_pyproject_beside_the_lockfile_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "uv.lock").write_bytes((LOCKFILES / "uv.lock").read_bytes())
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.kb]\nignore = [{{ id = "{URL_QUOTE}", reason = "tracked in #12" }}]\n'
    )
    code = main(["check", "--entries", ENTRIES, "--lockfile", str(tmp_path / "uv.lock")])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "tracked in #12" in out


def test_another_interpreter_with_the_old_pins(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import subprocess
    import sysconfig

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    for name, version in (("Flask", "2.2.2"), ("Werkzeug", "3.0.1")):
        info = Path(purelib) / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    code, out, err = _run(capsys, "--python", str(venv / "bin" / "python"))
    assert code == 1, err
    assert out.startswith(URL_QUOTE)
    assert "2 packages" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('version = 1\n[[package]\nname = "x"\n', "uv.lock:2:"),
        ("\x00\x01binary", "binary file"),
    ],
)
def test_a_broken_lockfile_exits_2_with_where(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "uv.lock"
    path.write_text(content)
    code, out, err = _run(capsys, "--lockfile", str(path))
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert _run(capsys, "--ignore", "no-reason")[0] == 2
    assert _run(capsys, "--python-version", "three")[0] == 2
    code = main(["check", "--entries", str(tmp_path / "missing")])
    assert code == 2
    assert "entries directory not found" in capsys.readouterr().err


def test_entries_decided_by_code_are_counted_and_listed_with_all(
    capsys: pytest.CaptureFixture[str], write_file: Callable[[str, str], Path]
) -> None:
    path = write_file("requirements.txt", "acme-lib==2.1\n")
    code, out, err = _run(capsys, "-r", str(path))
    assert (code, out) == (0, "")
    assert "1 more in range that fail only where code uses a removed API" in err
    code, out, _ = _run(capsys, "-r", str(path), "--all")
    assert code == 0
    assert out.splitlines()[:3] == [
        "fixture-acme-lib-helper-removed (if your code uses it)",
        "  acme-lib 2.0 removed acme_lib.helper()",
        "  in range: acme-lib 2.1 (>=2.0)",
    ]


@pytest.mark.parametrize(
    "lockfile", ["uv.lock", "poetry.lock", "pylock.toml", "Pipfile.lock", "pip-freeze.txt"]
)
def test_the_catalog_preselection_gives_what_checking_every_entry_gives(
    capsys: pytest.CaptureFixture[str], lockfile: str
) -> None:
    from kb.catalog.loaded import load_catalog
    from kb.check import applicable
    from kb.environment import from_file

    path = LOCKFILES / lockfile
    option = "-r" if lockfile.endswith(".txt") else "--lockfile"
    _, out, _ = _run(capsys, option, str(path), "--json")
    via_catalog = json.loads(out)
    catalog, _ = load_catalog(Path(ENTRIES))
    every = applicable(list(catalog), from_file(path)).to_dict()
    for key in ("applies", "may_apply", "if_used", "checked"):
        assert via_catalog[key] == every[key], key


def test_check_reads_the_catalog_without_loading_entries(tmp_path: Path) -> None:
    import os
    import subprocess

    env = {**os.environ, "KB_CACHE_DIR": str(tmp_path / "cache")}
    args = ["check", "--entries", ENTRIES, "--no-config", "--lockfile", str(LOCKFILES / "uv.lock")]
    subprocess.run([sys.executable, "-m", "kb", "index", "--entries", ENTRIES], env=env, check=True)
    code = (
        "import sys; from kb.cli import main; rc = main(sys.argv[1:]); "
        "print([m for m in ('pydantic', 'yaml', 'whoosh') if m in sys.modules], file=sys.stderr); "
        "sys.exit(rc)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "[]"
