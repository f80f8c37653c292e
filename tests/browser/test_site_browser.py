"""The built site in headless Chromium: entry sections, compatibility tables, search, and
entry text that must not run as script.

Needs Debian's ``chromium`` (``/usr/bin/chromium``) and the ``playwright`` Python package;
no browser is downloaded. Without them the test skips locally and fails under ``CI``.
Screenshots are saved in ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kb.render.entry_page import SECTIONS
from tests.render.conftest import ROOT, build_site, merged_entries

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("KB_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
WEB = "entries/acme-web/acme-web-12-removed-url-quote/"
HOSTILE = "entries/acme-http/acme-http-7-client-proxies-removed/"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not installed")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("browser")
    proc = build_site(merged_entries(base / "entries"), base / "out")
    assert proc.returncode == 0, proc.stderr
    handler = functools.partial(_Quiet, directory=str(base / "out"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.dialogs = dialogs
    try:
        yield tab
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()


def _statuses(tab: Any, selector: str) -> list[list[str]]:
    rows = tab.locator(f"{selector} tbody tr")
    return [
        [s.strip() for s in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(rows.count())
    ]


def test_entry_page_shows_its_sections_and_table(page: Any, site_url: str) -> None:
    page.goto(site_url + "entries/acme-db/acme-db-5-pool-timeout/")
    headings = [h.strip().rstrip("¶").strip() for h in page.locator("article h2").all_inner_texts()]
    assert tuple(headings) == SECTIONS
    assert page.locator("article h1").inner_text().startswith("acme-db 4.1 pool hangs")
    status = page.locator(".kb-status-line").inner_text()
    assert "not reproduced" in status and "fixed upstream" in status
    cells = _statuses(page, "table.kb-compat")
    assert [c[0].split("(")[0].strip() for c in cells] == [
        "✓ not affected",
        "✗ affected",
        "✗ affected",
        "✓ fixed",
        "✓ fixed",
    ]
    headers = page.locator("table.kb-compat tbody th[scope=row]").all_inner_texts()
    assert headers == [
        "acme-db 4.0.9",
        "acme-db 4.1.0",
        "acme-db 4.1.2",
        "acme-db 4.1.3",
        "acme-db 4.2.0",
    ]
    # The colour differs between statuses, but the word is there without it.
    colours = {
        page.locator(f"td[data-status={s}]").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for s in ("affected", "fixed", "not-affected")
    }
    assert len(colours) == 3


def test_matrix_page_shows_the_right_cells(page: Any, site_url: str) -> None:
    page.goto(site_url + WEB)
    table = "table.kb-matrix"
    cols = page.locator(f"{table} thead th").all_inner_texts()[1:]
    assert cols == ["acme-util 2.9", "acme-util 3.0", "acme-util 3.1"]
    rows = page.locator(f"{table} tbody th").all_inner_texts()
    assert rows == ["acme-web 2.1", "acme-web 2.2", "acme-web 2.3", "acme-web 2.4"]
    words = [[c.split("(")[0].lstrip("✓✗ ").strip() for c in row] for row in _statuses(page, table)]
    assert words == [
        ["not affected", "affected", "affected"],
        ["not affected", "affected", "affected"],
        ["fixed", "fixed", "fixed"],
        ["fixed", "fixed", "fixed"],
    ]
    label = page.locator(f"{table} tbody tr").nth(1).locator("td").nth(1).locator(".kb-sr-only")
    assert label.inner_text().strip() == (
        "(acme-web 2.2 with acme-util 3.0; kb verify ran this combination on Python 3.11.7:"
        " affected)"
    )
    # the cells kb verify ran are marked; the others are declared only
    marks = page.locator(f"{table} td.kb-verified .kb-verified-mark").all_inner_texts()
    assert marks == ["(verified)"] * 6
    assert page.locator(f"{table} td:not(.kb-verified)").count() == 6


def _result_links(tab: Any) -> list[str]:
    """Links of the search results once the list has stopped changing."""
    tab.wait_for_selector(".md-search-result__item a", timeout=15000)
    script = "[...document.querySelectorAll('.md-search-result__item > a')].map(a => a.href)"
    previous: list[str] = []
    for _ in range(50):
        tab.wait_for_timeout(200)
        current: list[str] = tab.evaluate(script)
        if current and current == previous:
            return current
        previous = current
    return previous


def test_search_finds_an_entry_from_its_error_line(page: Any, site_url: str) -> None:
    page.goto(site_url)
    line = (
        "ImportError: cannot import name 'url_quote' from 'acme_util.urls' "
        "(/srv/app/.venv/lib/python3.11/site-packages/acme_util/urls.py)"
    )
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(line)
    hrefs = _result_links(page)
    assert any(WEB in h for h in hrefs[:3]), hrefs


def test_entry_text_with_script_does_not_run(page: Any, site_url: str) -> None:
    page.goto(site_url + HOSTILE)
    page.wait_for_load_state("load")
    assert page.dialogs == []
    assert page.title() != "pwned"
    assert not page.evaluate("document.title").startswith("pwned")
    text = page.locator("article").inner_text()
    assert "<script>document.title='pwned'</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert page.locator("article img").count() == 0
    inline_scripts = page.evaluate(
        "[...document.querySelectorAll('article script')].map(s => s.textContent)"
    )
    assert inline_scripts == []


def test_search_page_ranks_a_pasted_traceback_first(page: Any, site_url: str) -> None:
    page.goto(site_url + "find/")
    page.wait_for_selector("#kb-results[data-ready=true]", state="attached")
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/opt/svc/main.py", line 7, in <module>\n'
        "    from acme_web import App\n"
        "ImportError: cannot import name 'url_quote' from 'acme_util.urls' "
        "(/opt/svc/.venv/lib/python3.12/site-packages/acme_util/urls.py)\n"
    )
    page.locator("#kb-q").fill(traceback)
    first = page.locator("#kb-results li").first
    first.wait_for()
    assert WEB in (first.locator("a").get_attribute("href") or "")
    assert "signature match" in first.inner_text()


def test_enter_in_the_header_search_opens_the_search_page(page: Any, site_url: str) -> None:
    page.goto(site_url + WEB)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("TypeError: Client.__init__() got an unexpected keyword argument 'proxies'")
    box.press("Enter")
    page.wait_for_url("**/find/?text=*")
    first = page.locator("#kb-results li a").first
    first.wait_for()
    assert HOSTILE in (first.get_attribute("href") or "")
    # Result titles are text, never markup.
    assert page.locator("#kb-results script, #kb-results img").count() == 0


def test_search_page_gives_the_shared_vectors(page: Any, site_url: str) -> None:
    """The page's normalizer and ranker give what tests/fixtures/search-vectors.json says
    (the file the Python tests check against kb itself)."""
    from tests.render.test_search_vectors import fixture_search_json, load

    vectors = load()
    page.goto(site_url + "find/")
    for item in vectors["texts"]:
        assert (
            page.evaluate("t => window.kbSearch.normalize(t)", item["text"]) == item["normalized"]
        )
        assert page.evaluate("t => window.kbSearch.tokens(t)", item["text"]) == item["tokens"]
    tops = page.evaluate(
        """([data, queries]) => {
            const index = window.kbSearch.prepare(JSON.parse(data));
            return queries.map((q) => {
                const hits = window.kbSearch.rank(index, q, 1);
                return hits.length ? hits[0].doc.id : null;
            });
        }""",
        [fixture_search_json(), [q["query"] for q in vectors["queries"]]],
    )
    assert tops == [q["top"] for q in vectors["queries"]]
