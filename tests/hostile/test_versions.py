"""Versions with thousands of digits: from the command line, a lockfile or an entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import InvalidVersion

from kb import environment
from kb.errors import shorten
from kb.matching.versions import MAX_VERSION_LENGTH, parse_version
from tests.conftest import FIXTURE_KB
from tests.hostile.runner import assert_no_bug, kb

HUGE = "1" * 5000
URL_QUOTE = "ImportError: cannot import name 'url_quote' from 'acme_util.urls'"


@pytest.mark.parametrize(
    "text", [HUGE, f"1.{HUGE}", f"{'9' * 4301}.0", "1." * (MAX_VERSION_LENGTH // 2 + 1)]
)
def test_huge_versions_are_invalid_versions(text: str) -> None:
    with pytest.raises(InvalidVersion):
        parse_version(text)


def test_long_input_is_shortened_in_messages() -> None:
    assert len(shorten(HUGE)) < 80
    assert "5,000 characters" in shorten(HUGE)
    assert shorten("3.0.1") == "'3.0.1'"


def test_search_with_a_huge_version_is_a_usage_error(tmp_path: Path) -> None:
    proc = kb("search", "--with", f"acme-web=={HUGE}", URL_QUOTE, cache=tmp_path)
    assert_no_bug(proc)
    assert proc.returncode == 2
    assert "is not a PEP 440 version" in proc.stderr
    assert len(proc.stderr) < 500


def test_check_with_a_huge_python_version_is_a_usage_error(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("acme-web==1.0\n")
    proc = kb("check", "-r", str(req), "--python-version", f"3.{HUGE}", cache=tmp_path)
    assert_no_bug(proc)
    assert proc.returncode == 2
    assert "not a version" in proc.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("requirements.txt", f"acme-web=={HUGE}\nacme-util==3.0\n"),
        (
            "uv.lock",
            f'version = 1\n[[package]]\nname = "acme-web"\nversion = "{HUGE}"\n'
            '[[package]]\nname = "acme-util"\nversion = "3.0"\n',
        ),
        (
            "Pipfile.lock",
            '{"_meta": {"pipfile-spec": 6, "requires": {"python_version": "3.' + HUGE + '"}},'
            ' "default": {"acme-web": {"version": "==' + HUGE + '"}}, "develop": {}}',
        ),
    ],
)
def test_a_huge_version_in_a_lockfile_is_skipped_with_a_note(
    tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    env = environment.from_file(path)
    assert "acme-web" in env.problems
    assert "5,000 characters" in env.problems["acme-web"]
    proc = kb("check", "--lockfile", str(path), cache=tmp_path)
    assert_no_bug(proc)
    assert proc.returncode in (0, 1)
    assert HUGE not in proc.stdout + proc.stderr
    proc = kb("check", "--lockfile", str(path), "--json", cache=tmp_path)
    assert_no_bug(proc)


def test_lint_reports_a_huge_version_in_an_entry(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "entries"
    shutil.copytree(FIXTURE_KB, root)
    path = next(root.glob("acme-web/*.yaml"))
    text = path.read_text()
    text = text.replace('specifier: "<2.3"', f'specifier: "<{HUGE}"', 1)
    path.write_text(text.replace('fixed: "2.3"', f'fixed: "{HUGE}"', 1))
    proc = kb("lint", str(root), cache=tmp_path)
    assert_no_bug(proc)
    assert proc.returncode == 1
    assert "KB501" in proc.stdout
    proc = kb("search", "--with", "acme-web==1.0", URL_QUOTE, cache=tmp_path, entries=root)
    assert_no_bug(proc)
    proc = kb("check", "--entries", str(root), cache=tmp_path)
    assert_no_bug(proc)
