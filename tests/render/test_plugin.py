"""The mkdocs plugin's own settings: known releases and edit links."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from kb.render.plugin import KbPlugin


def _plugin(tmp_path: Path, **options: object) -> KbPlugin:
    plugin = KbPlugin()
    errors, _ = plugin.load_config(options)
    assert errors == []
    plugin.root = tmp_path
    return plugin


def test_known_releases_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "releases.yaml").write_text('acme-web: ["2.2", "2.3"]\n', encoding="utf-8")
    plugin = _plugin(tmp_path, known_releases="releases.yaml")
    assert plugin._known_releases() == {"acme-web": ["2.2", "2.3"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("acme-web: [2.2, {a: 1}]\n", "expected a mapping of package names"),
        ("a: [1\n", "releases.yaml:"),
    ],
)
def test_a_bad_known_releases_file_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str, message: str
) -> None:
    (tmp_path / "releases.yaml").write_text(text, encoding="utf-8")
    plugin = _plugin(tmp_path, known_releases="releases.yaml")
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.kb"):
        assert plugin._known_releases() == {}
    assert message in caplog.text


def test_edit_links_point_at_the_repository_root(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path)
    config = SimpleNamespace(
        repo_url="https://github.com/o/kb", edit_uri="edit/main/site/", docs_dir=tmp_path / "site"
    )
    assert plugin._edit_base(config) == "https://github.com/o/kb/edit/main/"
    assert plugin._edit_base(SimpleNamespace(repo_url=None)) is None
    custom = _plugin(tmp_path, edit_uri="https://git.example.org/kb/-/edit/trunk/")
    assert custom._edit_base(config) == "https://git.example.org/kb/-/edit/trunk/"
