"""Ignores from the command line and from ``[tool.kb]`` in pyproject.toml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from kb.check import Ignore, find_pyproject, ignores_from_pyproject, parse_ignore
from kb.environment import EnvironmentReadError
from kb.errors import UsageError


def test_command_line_ignores() -> None:
    assert parse_ignore("werkzeug-2789-x:we pin it: really") == Ignore(
        "werkzeug-2789-x", "we pin it: really"
    )
    assert parse_ignore("a-b@2027-01-31:until the upgrade").until == dt.date(2027, 1, 31)


@pytest.mark.parametrize("text", ["a-b", "a-b:", "a-b:   ", "A_B:reason", "a-b@2027-13-01:x"])
def test_an_ignore_without_a_reason_or_with_a_bad_date_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_ignore(text)


def test_pyproject_ignores(write_file: Callable[[str, str], Path]) -> None:
    path = write_file(
        "pyproject.toml",
        '[project]\nname = "x"\n[tool.kb]\nignore = [\n'
        '  { id = "a-b", reason = "not used", until = 2027-01-01 },\n'
        '  { id = "c-d", reason = "vendored", until = "2026-05-01" },\n'
        '  { id = "e-f", reason = "forever" },\n]\n',
    )
    ignores = ignores_from_pyproject(path)
    assert [(i.id, i.until) for i in ignores] == [
        ("a-b", dt.date(2027, 1, 1)),
        ("c-d", dt.date(2026, 5, 1)),
        ("e-f", None),
    ]
    assert all(i.origin.endswith("pyproject.toml [tool.kb]") for i in ignores)


def test_a_pyproject_without_tool_kb_has_no_ignores(write_file: Callable[[str, str], Path]) -> None:
    assert ignores_from_pyproject(write_file("pyproject.toml", '[project]\nname = "x"\n')) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[tool.kb]\nignore = [{ id = "a-b" }]\n', "needs a 'reason'"),
        ('[tool.kb]\nignore = [{ reason = "x" }]\n', "needs an 'id'"),
        ('[tool.kb]\nignore = [{ id = "a-b", reason = "x", until = "soon" }]\n', "not a date"),
        ('[tool.kb]\nignore = "a-b"\n', "list of tables"),
        ("[tool.kb\n", "TOML syntax error"),
    ],
)
def test_a_bad_tool_kb_table_is_a_clear_error(
    write_file: Callable[[str, str], Path], body: str, message: str
) -> None:
    with pytest.raises(EnvironmentReadError, match=message):
        ignores_from_pyproject(write_file("pyproject.toml", body))


def test_the_nearest_pyproject_is_found(
    write_file: Callable[[str, str], Path], tmp_path: Path
) -> None:
    top = write_file("proj/pyproject.toml", "")
    (tmp_path / "proj" / "sub" / "deeper").mkdir(parents=True)
    assert find_pyproject(tmp_path / "proj" / "sub" / "deeper") == top.resolve()
