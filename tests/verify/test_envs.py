"""Environments are keyed by everything that decides what they hold."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.verify import envs
from kb.verify.envs import Installer


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[bool, Path]:
    """No installer variable set, and the installers' configuration files in ``tmp_path``
    (this machine's own, under /etc, cannot be moved)."""
    for name in list(os.environ):
        if name.startswith(("PIP_", "UV_")):
            monkeypatch.delenv(name)
    files = {True: tmp_path / "uv.toml", False: tmp_path / "pip.conf"}
    monkeypatch.setattr(envs, "_config_files", lambda uv: [files[uv]])
    return files


@pytest.mark.parametrize("uv", [True, False])
def test_the_installers_configuration_is_part_of_the_key(
    config: dict[bool, Path], monkeypatch: pytest.MonkeyPatch, uv: bool
) -> None:

    def key(requirement: str = "acme-lint==3.0") -> str:
        # an installer reads its configuration when it is made, as each kb verify run does
        return Installer(use_uv=uv).key([requirement], [requirement])

    plain = key()
    assert key() == plain
    assert key("acme-lint==2.9") != plain

    # another index, named in a variable or in the installer's configuration file
    variable = "UV_INDEX_URL" if uv else "PIP_INDEX_URL"
    monkeypatch.setenv(variable, "https://mirror.example/simple")
    by_variable = key()
    assert by_variable != plain
    monkeypatch.delenv(variable)
    config[uv].write_text('index-url = "https://mirror.example/simple"\n')
    assert key() not in (plain, by_variable)

    # the other installer's settings change nothing
    config[uv].unlink()
    config[not uv].write_text("[global]\nindex-url = https://other.example/\n")
    monkeypatch.setenv("PIP_INDEX_URL" if uv else "UV_INDEX_URL", "https://other.example/")
    assert key() == plain


def test_the_configuration_files_are_where_pip_and_uv_read_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    assert tmp_path / "config" / "uv" / "uv.toml" in envs._config_files(True)
    assert tmp_path / "xdg" / "uv" / "uv.toml" in envs._config_files(True)
    pip = envs._config_files(False)
    assert tmp_path / "config" / "pip" / "pip.conf" in pip
    assert tmp_path / "xdg" / "pip" / "pip.conf" in pip
    assert Path("/etc/pip.conf") in pip
