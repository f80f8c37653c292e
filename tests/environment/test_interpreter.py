"""Installed distributions of the running interpreter and of another one."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

import pytest

from kb import environment
from kb.environment import EnvironmentReadError


def test_the_running_interpreter_lists_what_importlib_sees() -> None:
    env = environment.from_running_interpreter()
    assert env.packages["packaging"] == metadata.version("packaging")
    assert env.python == platform.python_version()
    assert env.markers["sys_platform"] == sys.platform
    assert env.versions()["python"] == platform.python_version()


def test_another_interpreter_is_run_once_and_read(tmp_path: Path) -> None:
    env = environment.from_python(sys.executable)
    assert env.packages["pydantic"] == metadata.version("pydantic")
    assert env.python == platform.python_version()
    assert env.source == f"interpreter {sys.executable}"


OLD = Path("/root/.pyenv/versions/3.6.15/bin/python")


@pytest.mark.skipif(not OLD.exists(), reason="needs a Python 3.6 interpreter")
def test_an_old_interpreter_without_importlib_metadata_is_read() -> None:
    env = environment.from_python(OLD)
    assert env.python is not None
    assert env.python.startswith("3.6.")
    assert "pip" in env.packages


def test_a_missing_interpreter_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentReadError, match="no such interpreter"):
        environment.from_python(tmp_path / "bin" / "python")


@pytest.mark.parametrize("program", ["/bin/false", "/bin/true"])
def test_something_that_is_not_python_is_a_clear_error(program: str) -> None:
    if not Path(program).exists():
        pytest.skip(f"{program} not on this system")
    with pytest.raises(EnvironmentReadError, match=r"not a .*Python interpreter"):
        environment.from_python(program)
