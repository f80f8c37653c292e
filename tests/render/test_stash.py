"""Stashing raw-HTML blocks out of Markdown changes nothing in the rendered page."""

from __future__ import annotations

import re

import markdown

from kb.render import entry_page
from kb.render.stash import Stash

from .conftest import fixture_sources

EXTENSIONS = ["attr_list", "tables", "toc", "pymdownx.highlight", "pymdownx.superfences"]


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


def _lines(html: str) -> str:
    """Blank lines between block elements are insignificant."""
    return re.sub(r"\n+", "\n", html)


def test_pages_render_the_same_with_and_without_the_stash() -> None:
    stash = Stash()
    for src in fixture_sources():
        uri = f"entries/{src.entry.package}/{src.entry.id}.md"
        args = {"yaml_path": src.yaml_path, "edit_url": None, "titles": {}}
        plain = entry_page.render(src.entry, **args)  # type: ignore[arg-type]
        stashed = entry_page.render(src.entry, stash=stash.for_page(uri), **args)  # type: ignore[arg-type]
        assert "<dl" not in stashed and "<table" not in stashed
        assert _lines(stash.restore(uri, _html(stashed))) == _lines(_html(plain))
    assert stash.pages == {}


def test_placeholders_of_another_build_are_left_alone() -> None:
    first, second = Stash(), Stash()
    key = first.for_page("a.md")("<b>x</b>")
    assert second.restore("a.md", f"<p>{key}</p>") == f"<p>{key}</p>"
    assert first.restore("a.md", f"<p>{key}</p>") == "<b>x</b>"
