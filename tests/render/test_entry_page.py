"""Every entry page has the same sections in the same order, and shows entry text as text."""

from __future__ import annotations

import re

import pytest

from kb.render import entry_page
from kb.render.site import SourceEntry

from .conftest import fixture_sources


@pytest.fixture(scope="module")
def sources() -> dict[str, SourceEntry]:
    return {s.entry.id: s for s in fixture_sources()}


def _render(
    src: SourceEntry, edit: str | None = "https://example.com/edit/", directory_urls: bool = True
) -> str:
    titles = {
        "acme-web-12-removed-url-quote": ("entries/acme-web/acme-web-12-removed-url-quote.md", "T")
    }
    return entry_page.render(
        src.entry,
        yaml_path=src.yaml_path,
        edit_url=edit + src.yaml_path if edit else None,
        titles=titles,
        directory_urls=directory_urls,
    )


def test_sections_in_the_same_order_for_every_entry(sources: dict[str, SourceEntry]) -> None:
    for src in sources.values():
        page = _render(src)
        headings = re.findall(r"^## (.+)$", page, re.MULTILINE)
        assert tuple(headings) == entry_page.SECTIONS, src.entry.id
        assert page.startswith("# ")


def test_status_line_says_reproduced_plainly(sources: dict[str, SourceEntry]) -> None:
    assert ">reproduced</strong>" in _render(sources["acme-cli-3-term5-python312-color"])
    assert ">not reproduced</strong>" in _render(sources["acme-db-5-pool-timeout"])


def test_status_line_fields(sources: dict[str, SourceEntry]) -> None:
    page = _render(sources["acme-web-12-removed-url-quote"])
    line = page.split("\n\n")[1]
    for field in (
        "Packages",
        "Affected",
        "Status",
        "Upstream issue",
        "Last verified",
        "Confidence",
        "Reproduction",
    ):
        assert f"<dt>{field}</dt>" in line
    assert "fixed in dependents" in line
    assert 'href="https://example.com/acme/acme-web/issues/12"' in line
    assert "90%" in line and "2026-02-01" in line


def test_hostile_text_is_escaped(sources: dict[str, SourceEntry]) -> None:
    page = _render(sources["acme-http-7-client-proxies-removed"])
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;document.title" in page


def test_non_http_links_are_never_links(sources: dict[str, SourceEntry]) -> None:
    page = _render(sources["acme-cli-3-term5-python312-color"])
    assert (
        "javascript:"
        not in re.sub(r"<span class=\"kb-unsafe-url\">.*?</span>", "", page).split("## Prevention")[
            0
        ]
    )
    assert not re.search(r'href="(?!https?://|\.\./)', page)
    assert '<span class="kb-unsafe-url">A link that must not become a link</span>' in page


def test_related_links_only_to_known_entries(sources: dict[str, SourceEntry]) -> None:
    page = _render(sources["acme-cli-3-term5-python312-color"])
    related = page.split("## Related entries")[1].split("## Sources")[0]
    # the built page's URL, relative to this page's (mkdocs' directory URLs)
    assert '<a href="../../acme-web/acme-web-12-removed-url-quote/">T</a>' in related
    assert "<code>acme-nonexistent-1-missing</code> (not in this knowledge base)" in related
    flat = _render(sources["acme-cli-3-term5-python312-color"], directory_urls=False)
    assert 'href="../acme-web/acme-web-12-removed-url-quote.html"' in flat


def test_edit_link_points_at_the_yaml_file(sources: dict[str, SourceEntry]) -> None:
    src = sources["acme-db-5-pool-timeout"]
    page = _render(src)
    assert f'href="https://example.com/edit/{src.yaml_path}"' in page
    assert "Edit <code>" in _render(src, edit=None)


def test_reproduction_code_is_highlighted_and_opens_no_fence(
    sources: dict[str, SourceEntry],
) -> None:
    page = _render(sources["acme-cli-3-term5-python312-color"])
    repro = page.split("## Minimal reproduction")[1].split("## Evidence")[0]
    assert (
        '<span class="kn">import</span><span class="w"> </span><span class="nn">acme_cli</span>'
        in repro
    )
    # the fence inside the string is text: no line of the page starts a fenced block
    assert "&#96;&#96;&#96;" in repro
    assert not re.search(r"^\s*```", page, re.MULTILINE)
    assert 'pip<span class="w"> </span>install' in repro


def test_a_reproduction_that_asks_for_a_python_says_which(sources: dict[str, SourceEntry]) -> None:
    src = sources["acme-cli-3-term5-python312-color"]
    assert src.entry.reproduction is not None
    repro = src.entry.reproduction.model_copy(update={"python": "3.9"})
    entry = src.entry.model_copy(update={"reproduction": repro})
    assert "Runs on CPython" not in _render(src)
    page = entry_page.render(entry, yaml_path=src.yaml_path, edit_url=None, titles={})
    section = page.split("## Minimal reproduction")[1].split("## Evidence")[0]
    assert "<p>Runs on CPython 3.9.</p>" in section
