"""Signature regexes that backtrack catastrophically, and text made to trigger them."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from kb.lint.regex_shapes import backtracking_risks
from kb.matching import compile_signature
from kb.safe_regex import MAX_PATTERN_LENGTH, compile_safe
from tests.conftest import FIXTURE_KB
from tests.hostile.runner import assert_no_bug, kb

HOSTILE_PATTERNS = [
    r"(a+)+$",
    r"(a*)*b",
    r"(a|aa)+$",
    r"(x+x+)+y",
    r"(\w+\s?)+$",
    r"(.*a){20}",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
]
HOSTILE_TEXT = [
    "a" * 50_000 + "!",
    "x" * 50_000,
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" * 1000,
]


@pytest.mark.parametrize("pattern", HOSTILE_PATTERNS)
def test_hostile_patterns_run_in_linear_time_on_hostile_text(pattern: str) -> None:
    compiled = compile_safe(pattern)
    started = time.monotonic()
    for text in HOSTILE_TEXT:
        compiled.search(text)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("pattern", HOSTILE_PATTERNS[:5])
def test_lint_names_the_backtracking_shapes(pattern: str) -> None:
    assert backtracking_risks(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"cannot import name '(url_quote|url_unquote)' from 'werkzeug\.urls'",
        r"(?:Async)?Client\.__init__\(\) got an unexpected keyword argument 'proxies'",
        r"NumPy \d+\.\d+\S* as it may crash",
        r"version \d+(?:\.\d+)+ is not supported",
        r"(?:foo|bar)+ failed",
    ],
)
def test_ordinary_signature_patterns_are_not_flagged(pattern: str) -> None:
    assert backtracking_risks(pattern) == []


def test_a_leading_one_character_guard_keeps_its_meaning() -> None:
    guarded = compile_safe(r"(?<![\w.])(?:Async)?Client\.__init__\(\) got")
    assert guarded.search("TypeError: Client.__init__() got")
    assert guarded.search("AsyncClient.__init__() got")
    assert guarded.search("Client.__init__() got at the start")
    assert not guarded.search("MyClient.__init__() got")
    assert not guarded.search("httpx.Client.__init__() got")
    in_alternative = compile_safe(r"(?:LGBM(?:Regressor|Ranker)\.|(?<![\w.]))fit\(\) got")
    assert in_alternative.search("LGBMRegressor.fit() got")
    assert in_alternative.search("TypeError: fit() got")
    assert not in_alternative.search("model.fit() got")
    assert not in_alternative.search("refit() got")
    trailing = compile_safe(r"url_quote(?!\w)")
    assert trailing.search("url_quote'") and trailing.search("url_quote")
    assert not trailing.search("url_quoted")


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a)\1",
        r"foo(?=bar)baz",
        r"(?<=ab)c",
        r"a(?<!x)b",
        r"(?:(?<!x)a)+",
        "(a{1000}){1000}",
        "x" * (MAX_PATTERN_LENGTH + 1),
    ],
)
def test_what_the_linear_engine_cannot_run_is_an_invalid_regex(pattern: str) -> None:
    with pytest.raises(re.error):
        compile_signature("e", 0, "exception", "text", pattern, None)


def test_lone_surrogates_are_an_invalid_regex_or_plain_text() -> None:
    with pytest.raises(re.error, match="surrogate"):
        compile_safe("abc\ud800")
    assert compile_safe("abc").search("x\ud800abc")
    assert not compile_safe("abc").search("\ud800")


def _hostile_kb(tmp_path: Path) -> Path:
    root = tmp_path / "entries"
    shutil.copytree(FIXTURE_KB, root)
    path = next(root.glob("acme-web/*.yaml"))
    text = path.read_text()
    old = "regex: \"cannot import name '(url_quote|url_unquote)' from 'acme_util\\\\.urls'\""
    assert old in text
    path.write_text(text.replace(old, 'regex: "(x+x+)+y"'))
    return root


@pytest.mark.parametrize("command", ["search", "scan", "lint"])
def test_a_hostile_signature_cannot_hang_kb(tmp_path: Path, command: str) -> None:
    root = _hostile_kb(tmp_path)
    hostile = ("x" * 3000 + "\n") * 20
    if command == "search":
        proc = kb("search", "-", stdin=hostile.encode(), cache=tmp_path, entries=root, timeout=60)
    elif command == "scan":
        proc = kb("scan", "-", stdin=hostile.encode(), cache=tmp_path, entries=root, timeout=60)
    else:
        proc = kb("lint", str(root), cache=tmp_path, timeout=60)
        assert "KB407" in proc.stdout
    assert_no_bug(proc)
