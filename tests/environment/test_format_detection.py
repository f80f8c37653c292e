"""Lockfiles whose names do not say their format: recognised from content, or named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb import environment
from kb.environment import EnvironmentReadError, detect
from tests.conftest import ROOT
from tests.hostile.runner import assert_no_bug, kb

LOCKFILES = ROOT / "tests" / "fixtures" / "lockfiles"


@pytest.mark.parametrize(
    ("fixture", "saved_as", "label", "fmt"),
    [
        ("Pipfile.lock", "pipenv-Pipfile.lock", "(Pipfile.lock)", "pipfile"),
        ("Pipfile.lock", "lock.json", "(Pipfile.lock)", "pipfile"),
        ("uv.lock", "uv-backup.lock", "(uv.lock)", "uv"),
        ("uv.lock", "uvlock", "(uv.lock)", "uv"),
        ("poetry.lock", "poetry-old.lock", "(poetry.lock)", "poetry"),
        ("pylock.toml", "locked.toml", "(pylock.toml)", "pylock"),
        ("pip-freeze.txt", "frozen.lock", "(requirements)", "requirements"),
    ],
)
def test_the_format_comes_from_the_content_when_the_name_does_not_say_it(
    tmp_path: Path, fixture: str, saved_as: str, label: str, fmt: str
) -> None:
    path = tmp_path / saved_as
    shutil.copy(LOCKFILES / fixture, path)
    env = environment.from_file(path)
    assert env.source.endswith(label)
    assert env.packages["flask"] == "2.2.2"
    found = detect(path.read_text())
    assert found is not None and found[0] == fmt
    forced = environment.from_file(path, fmt=fmt)
    assert forced.packages == env.packages


def test_a_named_format_is_used_whatever_the_name(tmp_path: Path) -> None:
    path = tmp_path / "poetry.lock"  # a uv lockfile saved under poetry's name
    shutil.copy(LOCKFILES / "uv.lock", path)
    assert environment.from_file(path, fmt="uv").source.endswith("(uv.lock)")
    with pytest.raises(EnvironmentReadError, match="JSON syntax error"):
        environment.from_file(path, fmt="pipfile")


@pytest.mark.parametrize(
    "content", ['{"_meta": {}, "default": {}}', "[tool.black]\nline-length = 100\n", "{", ""]
)
def test_content_of_no_known_format_is_not_guessed(content: str) -> None:
    assert detect(content) is None


def test_check_reads_a_renamed_pipfile_lock(tmp_path: Path) -> None:
    path = tmp_path / "pipenv-Pipfile.lock"
    shutil.copy(LOCKFILES / "Pipfile.lock", path)
    proc = kb("check", "--no-config", "--lockfile", str(path), cache=tmp_path)
    assert_no_bug(proc)
    assert "not TOML" not in proc.stderr
    assert "(Pipfile.lock)" in proc.stderr
    proc = kb(
        "check", "--no-config", "--lockfile", str(path), "--lockfile-format", "uv", cache=tmp_path
    )
    assert_no_bug(proc)
    assert proc.returncode == 2
    assert "TOML syntax error" in proc.stderr


def test_lockfile_format_needs_a_lockfile(tmp_path: Path) -> None:
    proc = kb("check", "--lockfile-format", "uv", cache=tmp_path)
    assert proc.returncode == 2
    assert "--lockfile-format needs --lockfile" in proc.stderr
    proc = kb("check", "--lockfile", "x", "--lockfile-format", "yarn", cache=tmp_path)
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr
