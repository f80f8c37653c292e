"""``mkdocs build --strict`` over a fixture KB: every entry gets a page and its exports."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kb.models import SCHEMA_VERSION

from .conftest import build_site, fixture_sources, merged_entries

IDS = sorted(s.entry.id for s in fixture_sources())


def test_every_entry_has_a_page_and_exports(built_site: Path) -> None:
    for src in fixture_sources():
        e = src.entry
        page = built_site / "entries" / e.package / e.id / "index.html"
        assert page.is_file(), e.id
        assert (
            json.loads((built_site / "api/entries" / f"{e.id}.json").read_text())["entry"]["id"]
            == e.id
        )
        osv = json.loads((built_site / "api/osv" / f"{e.id}.json").read_text())
        assert osv["id"] == f"KB-{e.id}"
        assert osv["database_specific"]["signatures"][0]["text"] == e.signatures[0].text
    data = json.loads((built_site / "api/entries.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert [x["id"] for x in data["entries"]] == IDS


def test_index_pages_are_built(built_site: Path) -> None:
    for page in (
        "packages/acme-web",
        "statuses",
        "exceptions",
        "tags",
        "reference/rules",
        "reference/format",
        "write-an-entry",
    ):
        assert (built_site / page / "index.html").is_file(), page
    home = (built_site / "index.html").read_text()
    assert "<strong>4</strong> entries for <strong>4</strong> packages" in home
    exceptions = (built_site / "exceptions/index.html").read_text()
    assert 'id="typeerror"' in exceptions and 'id="importerror"' in exceptions


def test_feed_is_valid_atom(built_site: Path) -> None:
    root = ET.parse(built_site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = [e.findtext("a:id", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert ids[0] == "urn:kb:entry:acme-cli-3-term5-python312-color"
    assert len(ids) == len(IDS)


def test_title_with_markup_is_text_in_the_head(built_site: Path) -> None:
    html_text = (
        built_site / "entries/acme-cli/acme-cli-3-term5-python312-color/index.html"
    ).read_text()
    assert "<title>acme-cli &lt; 2.0 with acme-term 5" in html_text
    edit = "https://github.com/example/kb/edit/main/entries/acme-cli/acme-cli-3-term5-python312-color.yaml"
    assert f'href="{edit}"' in html_text


def test_a_broken_entry_fails_the_strict_build(tmp_path: Path) -> None:
    entries = merged_entries(tmp_path / "entries")
    bad = entries / "acme-db" / "acme-db-5-pool-timeout.yaml"
    bad.write_text(bad.read_text().replace("status: fixed-upstream", "status: sort-of"))
    proc = build_site(entries, tmp_path / "out")
    assert proc.returncode != 0
    assert "acme-db-5-pool-timeout.yaml" in proc.stderr and "KB203" in proc.stderr


def test_entry_pages_have_one_short_record_in_the_theme_search_index(built_site: Path) -> None:
    docs = json.loads((built_site / "search/search_index.json").read_text())["docs"]
    by_location: dict[str, list[dict[str, object]]] = {}
    for doc in docs:
        by_location.setdefault(doc["location"].split("#")[0], []).append(doc)
    for src in fixture_sources():
        e = src.entry
        records = by_location[f"entries/{e.package}/{e.id}/"]
        # one record per entry page (not one per section), with what one would type
        assert len(records) == 1, e.id
        record = records[0]
        assert record["location"] == f"entries/{e.package}/{e.id}/"
        assert html.unescape(str(record["title"])) == e.title
        text = html.unescape(str(record["text"]))
        assert e.signatures[0].text in text
        assert e.summary.split()[0] in text
        assert record["tags"] == list(e.tags)
    # the lists of every entry are left to the entries' own records
    for page in ("statuses/", "exceptions/", "tags/"):
        assert page not in by_location
    # hand-written and package pages are indexed by material as before, by section
    assert "find/" in by_location and "packages/acme-web/" in by_location
    assert any(doc["location"] == "write-an-entry/" for doc in docs)


def test_every_link_of_a_generated_page_leads_to_a_built_file(built_site: Path) -> None:
    # Links in the pages' raw HTML are written by kb, not checked by mkdocs: check them here.
    pages = [
        *built_site.glob("entries/*/*/index.html"),
        *built_site.glob("packages/*/index.html"),
        *(built_site / p / "index.html" for p in ("statuses", "exceptions", "tags")),
    ]
    checked = 0
    for page in pages:
        article = page.read_text().split("<article", 1)[1].split("</article>", 1)[0]
        for target in re.findall(r'href="([^"#:]+)"', article):
            resolved = (page.parent / html.unescape(target)).resolve()
            if resolved.is_dir():
                resolved = resolved / "index.html"
            assert resolved.is_file(), f"{page.relative_to(built_site)}: {target}"
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("directory_urls", [True, False])
def test_links_are_the_ones_mkdocs_writes(directory_urls: bool) -> None:
    from mkdocs.structure.files import File

    from kb.render.paths import href

    srcs = [
        "index.md",
        "statuses.md",
        "packages/index.md",
        "packages/acme-web.md",
        "entries/acme-web/acme-web-12-removed-url-quote.md",
        "entries/acme-db/acme-db-5-pool-timeout.md",
    ]
    files = {s: File(s, "/docs", "/site", use_directory_urls=directory_urls) for s in srcs}
    for a in srcs:
        for b in srcs:
            assert href(a, b, directory_urls) == files[b].url_relative_to(files[a]), (a, b)
