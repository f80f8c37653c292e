"""The lint's shortcuts around normalization give the same answers as the matcher itself."""

from __future__ import annotations

import random

import pytest

from kb.lint.signatures import _matches
from kb.matching import compile_signature

SIGNATURES = [
    ("ImportError: cannot import name 'url_quote' from 'werkzeug.urls'", None),
    ("KeyError: 'user_id'", None),
    ("fatal error: zstd.h: No such file or directory", None),
    ("line 12 in <module>", None),
    ("abc", None),
    ("Z foo", None),
    ("deadbeef-dead-beef-dead-beefdeadbeef x", None),
    ("TypeError: Client.__init__() got an unexpected keyword argument 'proxies'", None),
    ("error in setup command: use_2to3 is invalid.", None),
    ("x 1.2", None),
    ("name `x` here", None),
    ("cannot import name 'parse' from 'a.b'", r"cannot import name '\w+' from 'a\.b'"),
]
PIECES = [
    "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'",
    " (/srv/app/.venv/lib/python3.11/site-packages/werkzeug/urls.py)",
    "KeyError: 'user_id'",
    "KeyError: 'user_id_2'",
    "src/ext/zstd.c:12:10: fatal error: zstd.h: No such file or directory",
    "fatal error: zstd.h: No such file or directory",
    '  File "/home/u/app.py", line 12 in <module>',
    "line 12 in <module>",
    "2024-01-01T10:00",
    "Z foo",
    "3.11abc",
    "abc",
    "abc12",
    "/x/abc/site-packages/",
    "deadbeef-dead-beef-dead-beefdeadbeef x",
    "\u2018x\u2019",
    "name 'x' here",
    "name `x` here",
    "x 1.2.3",
    "x 1.2",
    "TypeError: Client.__init__() got an unexpected keyword argument 'proxies'",
    "error in setup command: use_2to3 is invalid.",
    "cannot import name 'parse' from 'a.b'",
    "\n",
    " ",
    "  ",
    "\t",
    "(",
    ")",
    "'",
    ":",
    "/",
    "0",
    "x",
    "_",
    "-",
]


@pytest.mark.parametrize("text,regex", SIGNATURES)
def test_shortcut_agrees_with_the_matcher(text: str, regex: str | None) -> None:
    sig = compile_signature("e", 0, "exception", text, regex, None)
    rng = random.Random(text)
    for _ in range(3000):
        raw = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 5)))
        assert _matches(sig, raw) == sig.matches(raw), raw
