"""``kb search``, ``kb show`` and ``kb index`` as a user runs them: output, exit codes, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURE_KB

URL_QUOTE = "ImportError: cannot import name 'url_quote' from 'acme_util.urls'"


def kb(
    *args: str, stdin: bytes | None = None, cache: Path, entries: Path = FIXTURE_KB
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "KB_CACHE_DIR": str(cache), "KB_ENTRIES": str(entries)}
    return subprocess.run(
        [sys.executable, "-m", "kb", *args],
        input=stdin,
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_exact_line_finds_the_entry_with_its_fix(cache: Path) -> None:
    proc = kb("search", URL_QUOTE, cache=cache)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert out.startswith("1. acme-web < 2.3 fails to import")
    assert "id:         acme-web-12-removed-url-quote" in out
    assert "confidence: high" in out
    assert "affected:   acme-web <2.3 (fixed in 2.3) + acme-util >=3.0" in out
    assert "fix:        Upgrade acme-web to 2.3 or later." in out
    assert "page:       entries/acme-web/acme-web-12-removed-url-quote/" in out


def test_json_output_has_the_documented_shape(cache: Path) -> None:
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/srv/.venv/lib/python3.12/site-packages/acme_web/__init__.py", line 5\n'
        f"{URL_QUOTE} (/srv/.venv/lib/python3.12/site-packages/acme_util/urls.py)\n"
    )
    proc = kb("search", "--json", "-", stdin=traceback.encode(), cache=cache)
    data = json.loads(proc.stdout)
    assert data["query"]["exception_types"] == ["ImportError"]
    assert data["query"]["packages"] == ["acme-web", "acme-util"]
    assert data["query"]["python"] == "3.12"
    (hit,) = data["hits"]
    assert set(hit) >= {
        "id",
        "title",
        "score",
        "confidence",
        "packages",
        "affected",
        "status",
        "fix",
        "references",
    }
    assert hit["id"] == "acme-web-12-removed-url-quote"
    assert hit["references"] == [
        "https://example.com/acme/acme-web/issues/12",
        "https://example.com/acme/acme-web/pull/13",
    ]


def test_versions_that_are_not_affected_rank_below(cache: Path) -> None:
    proc = kb(
        "search",
        "--json",
        "--with",
        "acme-web==2.4",
        "--with",
        "acme-util==3.0",
        URL_QUOTE,
        cache=cache,
    )
    (hit,) = json.loads(proc.stdout)["hits"]
    assert hit["applies"] == "not-affected"
    text = kb("search", "--with", "acme-web==2.4", URL_QUOTE, cache=cache).stdout.decode()
    assert "not affected with your versions (acme-web 2.4)" in text


def test_no_match_says_so_and_exits_1(cache: Path) -> None:
    proc = kb("search", "KeyError: 'DATABASE_URL'", cache=cache)
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("No known failure matches.")


@pytest.mark.parametrize("query", ["", "   \n\t "])
def test_empty_query_is_a_usage_error(cache: Path, query: str) -> None:
    proc = kb("search", "-", stdin=query.encode(), cache=cache)
    assert proc.returncode == 2
    assert b"empty query" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_no_query_at_all_is_a_usage_error(cache: Path) -> None:
    proc = kb("search", cache=cache)
    assert proc.returncode == 2
    assert b"no query" in proc.stderr


@pytest.mark.parametrize(
    "query",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe",
        b"caf\xe9 \xff\xfe error",
        b"TypeError: \"unbalanced ( [ { 'quotes",
        b'NOT AND OR title:x [1 TO 5] * ? ~2 ^3 "',
        b"ImportError: cannot import name 'url_quote' OR title:* [1 TO 5]",
    ],
)
def test_odd_query_text_is_just_text(cache: Path, query: bytes) -> None:
    proc = kb("search", "-", stdin=query, cache=cache)
    assert proc.returncode in (0, 1), proc.stderr
    assert b"Traceback" not in proc.stderr
    assert b"internal error" not in proc.stderr


def test_huge_stdin_reads_a_bounded_tail(cache: Path) -> None:
    noise = b"2024-05-01 12:00:00 INFO worker heartbeat ok\n" * (20 * 1024 * 1024 // 46)
    proc = kb("search", "-", stdin=noise + URL_QUOTE.encode() + b"\n", cache=cache)
    assert proc.returncode == 0
    assert b"searching its last part" in proc.stderr
    assert b"acme-web-12-removed-url-quote" in proc.stdout


def test_one_invalid_entry_warns_once_and_search_goes_on(cache: Path, fixture_kb: Path) -> None:
    (fixture_kb / "acme-web" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    proc = kb("search", URL_QUOTE, cache=cache, entries=fixture_kb)
    assert proc.returncode == 0
    warnings = [line for line in proc.stderr.decode().splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "1 invalid entry skipped" in warnings[0]
    assert "broken.yaml:2" in warnings[0]


def test_missing_entries_directory_is_a_usage_error(cache: Path, tmp_path: Path) -> None:
    proc = kb("search", URL_QUOTE, cache=cache, entries=tmp_path / "nope")
    assert proc.returncode == 2
    assert b"no such entries directory" in proc.stderr


def test_bad_with_is_a_usage_error(cache: Path) -> None:
    proc = kb("search", "--with", "werkzeug>=3", URL_QUOTE, cache=cache)
    assert proc.returncode == 2
    assert b"expected NAME==VERSION" in proc.stderr


def _search_in_new_process(line: str, cache: Path, heavy: tuple[str, ...]) -> tuple[str, str]:
    """What ``kb search LINE`` prints, and which of ``heavy`` it imported."""
    code = (
        "import sys; from kb.cli import main; rc = main(['search', sys.argv[1]]); "
        f"print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr)"
    )
    env = {**os.environ, "KB_CACHE_DIR": str(cache), "KB_ENTRIES": str(FIXTURE_KB)}
    proc = subprocess.run(
        [sys.executable, "-c", code, line], capture_output=True, env=env, check=True
    )
    return proc.stdout.decode(), proc.stderr.decode().strip().splitlines()[-1]


def test_exact_search_needs_neither_whoosh_nor_pydantic(cache: Path) -> None:
    """Nor what costs a one-line search its start-up: the argument parser, typing, json,
    the datetime adapters of the sqlite3 package, RE2 when no regex can match, and
    packaging to judge the interpreter a path shows (the catalog has decided it)."""
    assert kb("index", cache=cache).returncode == 0
    heavy = (
        *("whoosh", "pydantic", "yaml", "argparse", "typing", "json", "datetime", "re2"),
        "packaging",
    )
    out, imported = _search_in_new_process(URL_QUOTE, cache, heavy)
    assert imported == "[]"
    assert "acme-web-12-removed-url-quote" in out
    line = (
        "TypeError: Client.__init__() got an unexpected keyword argument 'proxies' "
        "(/srv/venv/lib/python3.7/site-packages/acme_http/client.py)"
    )
    out, imported = _search_in_new_process(line, cache, heavy)
    assert imported == "[]"
    assert "acme-http-7-client-proxies-removed" in out
    assert "not affected with your versions (python 3.7)" in out


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["ImportError:", "'x'", "a=b", "--", "-", "-1", "--json", "é", ""]),
            st.text(max_size=8),
        ),
        max_size=6,
    )
)
@settings(max_examples=300, deadline=None)
def test_a_plain_command_line_reads_as_the_parser_reads_it(words: list[str]) -> None:
    from kb.cli import build_parser
    from kb.commands.search import plain_args

    plain = plain_args(words)
    if plain is None:  # an option, or what may be one: the parser reads it
        assert any(w.startswith("-") for w in words)
        return
    assert vars(plain) == vars(build_parser("search").parse_args(["search", *words]))


def test_show_prints_the_entry_and_json(cache: Path) -> None:
    proc = kb("show", "acme-web-12-removed-url-quote", cache=cache)
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "Fixes:" in out
    assert "acme-util >=3.0" in out
    data = json.loads(kb("show", "--json", "acme-web-12-removed-url-quote", cache=cache).stdout)
    assert data["affected"]["conditions"][0]["fixed"] == "2.3"


def test_show_unknown_id_suggests_close_ones(cache: Path) -> None:
    proc = kb("show", "acme-web", cache=cache)
    assert proc.returncode == 1
    assert b"did you mean: acme-web-12-removed-url-quote" in proc.stderr


def test_index_reports_what_it_did(cache: Path) -> None:
    first = kb("index", cache=cache).stdout.decode()
    assert "2 entries indexed" in first
    assert "2 added" in first
    again = kb("index", cache=cache).stdout.decode()
    assert "2 unchanged" in again
    rebuilt = kb("index", "--rebuild", cache=cache).stdout.decode()
    assert "2 added" in rebuilt


def test_env_uses_the_running_interpreters_versions(cache: Path) -> None:
    import platform
    from importlib.metadata import version

    data = json.loads(kb("search", "--env", "--json", URL_QUOTE, cache=cache).stdout)
    versions = data["query"]["versions"]
    assert versions["pydantic"] == version("pydantic")
    assert versions["python"] == platform.python_version()
    # the fixture's packages are not installed here, so the failure does not apply,
    # as kb check says of the same environment
    assert data["hits"][0]["applies"] == "not-affected"
    with_one = kb("search", "--with", "acme-web==2.2", "--json", URL_QUOTE, cache=cache)
    # versions named by hand are not all of them: a package left out is unknown
    assert json.loads(with_one.stdout)["hits"][0]["applies"] == "unknown"


def test_first_search_shows_indexing_progress_on_a_terminal(cache: Path) -> None:
    import pty

    code = "import sys; from kb.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "KB_CACHE_DIR": str(cache), "KB_ENTRIES": str(FIXTURE_KB)}
    leader, follower = pty.openpty()
    proc = subprocess.run(
        [sys.executable, "-c", code, "search", URL_QUOTE],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        check=False,
    )
    os.close(follower)
    seen = os.read(leader, 65536).decode()
    os.close(leader)
    assert proc.returncode == 0
    assert "kb: indexing 2/2 entries" in seen
    # later searches have nothing to index and say nothing
    quiet = kb("search", URL_QUOTE, cache=cache)
    assert quiet.stderr == b""


def test_site_url_turns_page_paths_into_links(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_SITE_URL", "https://kb.example.org/")
    out = kb("search", URL_QUOTE, cache=cache).stdout.decode()
    assert (
        "page:       https://kb.example.org/entries/acme-web/acme-web-12-removed-url-quote/" in out
    )


def test_cache_path_that_is_a_file_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    proc = kb("search", URL_QUOTE, cache=blocker)
    assert proc.returncode == 0
    assert b"cannot write the index cache" in proc.stderr
    assert b"acme-web-12-removed-url-quote" in proc.stdout
    assert blocker.read_text(encoding="utf-8") == "x"
