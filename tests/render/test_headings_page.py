"""The shared renderer of generated pages gives what mkdocs' own ``Page.render`` gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import get_files
from mkdocs.config import load_config
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from kb.render.headings_page import HeadingsPage, HeadingsRenderer, blocks
from kb.render.plugin import GeneratedFile
from kb.render.stash import Stash

from .conftest import ROOT, merged_entries


def _loaded(entries: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, Any]:
    """The project's mkdocs configuration over ``entries``, with kb's files and pages
    added as a build adds them: (config, files, navigation)."""
    monkeypatch.setenv("KB_ENTRIES", str(entries))
    monkeypatch.chdir(ROOT)
    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    nav = config.plugins.on_nav(get_navigation(files, config), config=config, files=files)
    return config, files, nav


def _read(page: Page, config: Any, files: Any) -> None:
    page.read_source(config)
    page.markdown = config.plugins.on_page_markdown(
        page.markdown, page=page, config=config, files=files
    )


def _as_mkdocs_renders(page: Page) -> dict[str, Any]:
    return {
        "content": page.content,
        "toc": [(t.id, t.title, t.level, len(t.children)) for t in _flat(page.toc)],
        "title": page.title,
        "title_from_render": page._title_from_render,
        "anchors": page.present_anchor_ids,
        "links": page.links_to_anchors,
    }


def _aside(file: Any, make: Any, *args: Any) -> Page:
    """The page ``make(*args)`` returns for ``file``, without it replacing the file's own
    page (a new page takes its file's place)."""
    kept = file.page
    page: Page = make(*args)
    file.page = kept
    return page


def _flat(toc: Any) -> Iterator[Any]:
    for item in toc:
        yield item
        yield from _flat(item.children)


def _compare_every_generated_page(config: Any, files: Any) -> int:
    """Render each generated page outside the navigation both ways; the number of pages
    the shared renderer rendered."""
    plugin = config.plugins["kb"]
    count = 0
    for file in files.documentation_pages():
        page = file.page
        if not isinstance(page, HeadingsPage):
            continue
        _read(page, config, files)
        shared = plugin.renderer.render(page, config, files)
        if not shared:
            # A package page has a paragraph of Markdown: mkdocs renders it.
            assert file.src_uri.startswith("packages/"), file.src_uri
            page.render(config, files)
        count += shared
        fast = _as_mkdocs_renders(page)
        plain = _aside(file, Page, None, file, config)
        _read(plain, config, files)
        plain.render(config, files)
        assert fast == _as_mkdocs_renders(plain), file.src_uri
    return count


def test_every_shipped_entry_page_renders_as_mkdocs_renders_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config, files, _ = _loaded(ROOT / "entries", monkeypatch)
    shipped = len(list((ROOT / "entries").rglob("*.yaml")))
    assert _compare_every_generated_page(config, files) == shipped


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, Any]]:
    """The fixture KBs loaded as a build loads them."""
    entries = merged_entries(tmp_path_factory.mktemp("headings") / "entries")
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield _loaded(entries, monkeypatch)


def test_fixture_pages_render_as_mkdocs_renders_them(fixture_build: tuple[Any, Any, Any]) -> None:
    config, files, _ = fixture_build
    entries = [f for f in files.documentation_pages() if f.src_uri.startswith("entries/")]
    assert _compare_every_generated_page(config, files) == len(entries) > 0


def test_pages_in_the_navigation_keep_the_page_mkdocs_made(
    fixture_build: tuple[Any, Any, Any],
) -> None:
    _, files, nav = fixture_build
    statuses = files.get_file_from_path("statuses.md")
    assert isinstance(statuses, GeneratedFile)
    assert statuses.page in nav.pages and not isinstance(statuses.page, HeadingsPage)
    assert statuses.page.title == "By status"
    entry_files = [f for f in files.documentation_pages() if f.src_uri.startswith("entries/")]
    assert entry_files and all(isinstance(f.page, HeadingsPage) for f in entry_files)


def _both(config: Any, files: Any, markdown: str) -> tuple[Any, Any]:
    """A generated page with ``markdown`` (``{key}``: a placeholder of raw HTML) as this
    renderer renders it, and the same page as mkdocs does, not rendered yet."""
    stash = Stash()
    text = markdown.format(key=stash.for_page("x.md")("<b>x</b>"))
    file = next(f for f in files.documentation_pages() if isinstance(f.page, HeadingsPage))
    fast = _aside(file, HeadingsPage, file, config, HeadingsRenderer(stash.key))
    fast.markdown = text
    plain = _aside(file, Page, None, file, config)
    plain.markdown = text
    return fast, plain


@pytest.mark.parametrize(
    "markdown",
    [
        "# A\n\n{key}\n\n## A\n\n## A\n\n{key}\n",
        "{key}\n\n# Late title\n\n## Section\n",
        "## No h1 {{#custom}}\n\n{key}\n\n# Second &#35; heading\n",
        "# T\n\n{key}\n\n## See [the title](#t)\n\n## T\n",
        "# &#35;\n\n## &#35;\n\n{key}\n\n### Custom {{ #_1 }}\n",
        "# Signatures\n\n## Signatures\n\n{key}\n",
    ],
)
def test_headings_and_placeholders_render_as_the_whole_page(
    fixture_build: tuple[Any, Any, Any], markdown: str
) -> None:
    config, files, _ = fixture_build
    fast, plain = _both(config, files, markdown)
    fast.render(config, files)
    plain.render(config, files)
    assert _as_mkdocs_renders(fast) == _as_mkdocs_renders(plain)


@pytest.mark.parametrize(
    "markdown",
    [
        "# Title\n\nA paragraph.\n",
        "# Title\n\n{key}\n\n- a list\n",
        "# Title\n{key}\n",
        "{key}\n",
        "",
    ],
)
def test_any_other_page_is_left_to_mkdocs(
    fixture_build: tuple[Any, Any, Any], markdown: str
) -> None:
    config, files, _ = fixture_build
    page, plain = _both(config, files, markdown)
    assert not page._renderer.render(page, config, files)
    page.render(config, files)
    plain.render(config, files)
    assert _as_mkdocs_renders(page) == _as_mkdocs_renders(plain)


def test_a_mkdocs_without_its_private_processors_renders_every_page_itself(
    fixture_build: tuple[Any, Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs.structure import pages

    config, files, _ = fixture_build
    markdown = "# Title\n\n{key}\n\n## Signatures\n"
    page, _ = _both(config, files, markdown)
    assert page._renderer.render(page, config, files)
    page, _ = _both(config, files, markdown)
    monkeypatch.delattr(pages, "_ExtractTitleTreeprocessor")
    # nothing set: HeadingsPage.render leaves the page to mkdocs' Page.render
    assert not page._renderer.render(page, config, files)
    assert page.content is None


def test_blocks_are_headings_or_whole_placeholders() -> None:
    stash = Stash()
    placeholder = stash.for_page("a.md")("<i>a</i>")
    assert blocks(f"# T\n\n{placeholder}\n\n### 1. Fix\n", stash.key) == [
        (True, "# T"),
        (False, placeholder),
        (True, "### 1. Fix"),
    ]
    assert blocks(f"# T\n\n{placeholder}x\n", stash.key) is None
    assert blocks(f"# T\n\n{Stash().for_page('a.md')('<i>a</i>')}\n", stash.key) is None
    assert blocks("#T\n", stash.key) is None
