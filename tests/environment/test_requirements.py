"""requirements.txt and pip freeze: pins count, ranges are "not pinned", pip syntax is understood."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kb.environment import EnvironmentReadError, from_file, requirements

MESSY = """\
# a hand-written requirements file
--index-url https://example.com/simple
-e git+https://github.com/example/localpkg.git@main#egg=localpkg
-e ./vendored/otherpkg
Flask==2.2.2 \\
    --hash=sha256:b9c46cc36662a7949f34b52d8ec7bb59c0d74ba08ba6cb9ce9adc1d8676d9526
werkzeug==3.0.1 ; python_version >= "3.8"
requests>=2.28,<3
urllib3
pywin32==306 ; sys_platform == "win32"
mylib @ https://example.com/wheels/mylib-1.4.0-py3-none-any.whl
theirlib @ git+https://github.com/example/theirlib.git@v2
https://example.com/wheels/bare_pkg-0.3.1-py3-none-any.whl
Django===4.2.0  # arbitrary equality counts as a pin
numpy==1.*
"""


def test_a_messy_requirements_file_is_read_without_guessing(
    write_file: Callable[[str, str], Path],
) -> None:
    env = from_file(write_file("requirements.txt", MESSY))
    assert env.packages == {
        "bare-pkg": "0.3.1",
        "django": "4.2.0",
        "flask": "2.2.2",
        "mylib": "1.4.0",
        "pywin32": "306",
        "werkzeug": "3.0.1",
    }
    assert env.problems["requests"] == "not pinned (<3,>=2.28)"
    assert env.problems["urllib3"] == "not pinned (any version)"
    assert env.problems["numpy"] == "not pinned (==1.*)"
    assert env.problems["localpkg"] == "editable install: version unknown"
    assert env.problems["theirlib"] == "direct URL: version unknown"
    assert any("requirements.txt:4: editable install './vendored/otherpkg'" in n for n in env.notes)


def test_markers_are_evaluated_when_the_platform_is_known(
    write_file: Callable[[str, str], Path],
) -> None:
    path = write_file("requirements.txt", MESSY)
    linux = {"sys_platform": "linux", "python_version": "3.11", "python_full_version": "3.11.7"}
    env = requirements.parse(path, markers=linux)
    assert "pywin32" not in env.packages
    assert env.packages["werkzeug"] == "3.0.1"


def test_a_package_pinned_differently_under_markers_is_not_guessed(
    write_file: Callable[[str, str], Path],
) -> None:
    text = 'numpy==1.24.4 ; python_version < "3.9"\nnumpy==2.1.0 ; python_version >= "3.9"\n'
    env = from_file(write_file("requirements.txt", text))
    assert "numpy" not in env.packages
    assert "several versions" in env.problems["numpy"]


def test_includes_are_followed_and_loops_stopped(write_file: Callable[[str, str], Path]) -> None:
    main = write_file("requirements.txt", "-r base.txt\nflask==2.2.2\n")
    write_file("base.txt", "werkzeug==3.0.1\n-r requirements.txt\n")
    env = from_file(main)
    assert env.packages == {"flask": "2.2.2", "werkzeug": "3.0.1"}
    assert any("skipped" in n for n in env.notes)


def test_a_missing_include_names_the_line(write_file: Callable[[str, str], Path]) -> None:
    path = write_file("requirements.txt", "flask==2.2.2\n-r missing.txt\n")
    with pytest.raises(EnvironmentReadError, match=r"missing\.txt") as info:
        from_file(path)
    assert info.value.location is not None
    assert info.value.location.line == 2


def test_a_line_that_is_not_a_requirement_names_the_line(
    write_file: Callable[[str, str], Path],
) -> None:
    path = write_file("requirements.txt", "flask==2.2.2\nwerkzeug >> 3\n")
    with pytest.raises(EnvironmentReadError, match="not a requirement") as info:
        requirements.parse(path)
    assert info.value.location is not None
    assert info.value.location.line == 2


def test_text_from_standard_input() -> None:
    env = requirements.parse(Path("<stdin>"), text="Flask==2.2.2\nWerkzeug==3.0.1\n")
    assert env.packages == {"flask": "2.2.2", "werkzeug": "3.0.1"}
