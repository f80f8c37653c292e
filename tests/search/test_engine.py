"""Ranking and confidence: exact signatures first, versions, packages, near-misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.matching import Applicability
from kb.search import HIGH, LOW, MEDIUM, Searcher, open_index, understand
from tests.conftest import FIXTURE_KB

URL_QUOTE = "ImportError: cannot import name 'url_quote' from 'acme_util.urls'"
PROXIES = "TypeError: Client.__init__() got an unexpected keyword argument 'proxies'"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    return Searcher(open_index(FIXTURE_KB, tmp_path_factory.mktemp("cache")))


def test_exact_signature_is_high_confidence(searcher: Searcher) -> None:
    (hit,) = searcher.search(understand(URL_QUOTE)).hits
    assert (hit.id, hit.confidence, hit.exact) == ("acme-web-12-removed-url-quote", HIGH, True)
    assert hit.matched_line == URL_QUOTE


def test_regex_variants_match_exactly(searcher: Searcher) -> None:
    hits = searcher.search(understand("cannot import name 'url_unquote' from 'acme_util.urls'"))
    assert hits.hits[0].exact


def test_a_different_quoted_name_is_not_a_confident_match(searcher: Searcher) -> None:
    result = searcher.search(
        understand("ImportError: cannot import name 'url_parse' from 'acme_util.urls'")
    )
    assert all(h.confidence == LOW for h in result.hits)
    assert not result.found


def test_reworded_message_is_a_medium_text_match(searcher: Searcher) -> None:
    # Python 3.9 and older print the message without the class name
    result = searcher.search(
        understand("TypeError: __init__() got an unexpected keyword argument 'proxies'")
    )
    top = result.hits[0]
    assert (top.id, top.exact, top.confidence) == (
        "acme-http-7-client-proxies-removed",
        False,
        MEDIUM,
    )


def test_plain_words_find_the_entry(searcher: Searcher) -> None:
    top = searcher.search(understand("acme-http proxies removed")).hits[0]
    assert top.id == "acme-http-7-client-proxies-removed"
    assert top.confidence == MEDIUM


def test_versions_decide_whether_a_hit_applies(searcher: Searcher) -> None:
    text = f"{URL_QUOTE}\n{PROXIES}\n"
    affected = searcher.search(
        understand(text), versions={"acme-web": "2.2", "acme-util": "3.0", "acme-http": "0.9"}
    ).hits
    assert [(h.id, h.applies) for h in affected] == [
        ("acme-web-12-removed-url-quote", Applicability.AFFECTED),
        ("acme-http-7-client-proxies-removed", Applicability.NOT_AFFECTED),
    ]
    # the final exception line wins when both apply
    both = searcher.search(understand(text)).hits
    assert [h.id for h in both] == [
        "acme-http-7-client-proxies-removed",
        "acme-web-12-removed-url-quote",
    ]


def test_python_version_from_paths_counts_as_a_version(searcher: Searcher) -> None:
    text = (
        'File "/usr/lib/python3.7/site-packages/acme_http/client.py", line 3, in __init__\n'
        f"{PROXIES}\n"
    )
    (hit,) = searcher.search(understand(text)).hits
    assert hit.applies is Applicability.NOT_AFFECTED
    assert hit.versions["python"] == "3.7"


def test_package_filter(searcher: Searcher) -> None:
    assert searcher.search(understand(URL_QUOTE), packages=["acme-http"]).hits == []
    assert searcher.search(understand(URL_QUOTE), packages=["acme_util"]).hits


@pytest.mark.parametrize(
    "text",
    [
        'acme-http proxies title:"x" OR *',
        "acme-http proxies [1 TO 5] AND NOT (",
        "acme-http^5 proxies~2 \\ :",
    ],
)
def test_user_text_is_never_query_syntax(searcher: Searcher, text: str) -> None:
    # the operators are words like any other: the words around them still find the entry
    hits = searcher.search(understand(text)).hits
    assert hits[0].id == "acme-http-7-client-proxies-removed"


def test_package_filter_falls_back_to_full_text(searcher: Searcher) -> None:
    # the exact hit is another package's; the wanted package's entry is still found by text
    text = f"{URL_QUOTE}\nTypeError: Client() got an unexpected keyword argument 'proxies'\n"
    hits = searcher.search(understand(text), packages=["acme-http"]).hits
    assert [h.id for h in hits][:1] == ["acme-http-7-client-proxies-removed"]


@pytest.mark.parametrize(
    ("regex", "line"),
    [
        # a regex cut inside an identifier: the anchor must be a word the query has whole
        (r"'_(?:app|request)_ctx_stack'", "_app_ctx_stack"),
        (r"'__(?:version|author)__'", "__version__"),
    ],
)
def test_a_regex_cut_inside_an_identifier_still_matches_exactly(
    tmp_path: Path, regex: str, line: str
) -> None:
    from tests.lint.factory import BASE, entry, write

    root = tmp_path / "entries"
    text = {
        "_app_ctx_stack": "ImportError: cannot import name '_app_ctx_stack' from 'flask'",
        "__version__": "AttributeError: module 'acme' has no attribute '__version__'",
    }[line]
    sig = dict(BASE["signatures"][0], text=text, regex=regex)
    write(root, entry(signatures=[sig], examples=[{"kind": "line", "text": text}]))
    hits = Searcher(open_index(root, tmp_path / "cache")).search(understand(text)).hits
    assert hits and hits[0].confidence == HIGH and hits[0].exact


def test_a_regex_with_letters_beyond_ascii_still_matches_exactly(tmp_path: Path) -> None:
    # the sharp s folds to "ss": the regex's literal must be folded as the query is
    from tests.lint.factory import BASE, entry, write

    root = tmp_path / "entries"
    text = "ValueError: Straße 12 nicht gefunden"
    line = "ValueError: Straße 12 fehlt"
    sig = dict(BASE["signatures"][0], text=text, regex=r"Straße \d+ (?:nicht gefunden|fehlt)")
    examples = [{"kind": "line", "text": text}, {"kind": "line", "text": line}]
    write(root, entry(signatures=[sig], examples=examples))
    hits = Searcher(open_index(root, tmp_path / "cache")).search(understand(line)).hits
    assert hits and hits[0].confidence == HIGH and hits[0].exact
