"""Property-based: random bytes and text never make kb fail other than with its own errors.

The query reader, the normalizer, every lockfile reader (and the format detection) and the
log scanner are fed random bytes, random text, and random mixtures of lines from real
lockfiles and logs. Anything but a :class:`~kb.errors.KbError` is a bug.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import environment
from kb.environment import pipfile_lock, poetry_lock, pylock, requirements, uv_lock
from kb.errors import KbError
from kb.matching import CompiledSignature
from kb.normalize import normalize, tokens, words
from kb.search.query import decode_query, understand
from kb.streams import read_bounded
from tests.conftest import FIXTURE_KB, ROOT

# Modest counts keep the suite fast; KB_PROPERTY_EXAMPLES=2000 searches harder. No example
# database: a test run writes nothing into the checkout.
PROPERTIES = settings(
    max_examples=int(os.environ.get("KB_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
LOCKFILES = ROOT / "tests" / "fixtures" / "lockfiles"
_LINES = [
    line
    for path in sorted(LOCKFILES.iterdir())
    for line in path.read_text(encoding="utf-8").splitlines()
] + [
    "Traceback (most recent call last):",
    '  File "/srv/.venv/lib/python3.12/site-packages/acme_web/__init__.py", line 5',
    "ImportError: cannot import name 'url_quote' from 'acme_util.urls'",
    "E   TypeError: Client.__init__() got an unexpected keyword argument 'proxies'",
    "error: subprocess-exited-with-error",
    "2024-05-01T10:00:00.1Z ##[error]Process completed with exit code 1.",
]

some_bytes = st.binary(max_size=4096)
some_text = st.text(max_size=2048)
# lines of real lockfiles and logs, shuffled, cut and joined: reaches the parsers' depths
mixed = st.lists(
    st.one_of(st.sampled_from(_LINES), st.sampled_from(_LINES).map(lambda s: s[: len(s) // 2])),
    max_size=40,
).map("\n".join)
anything = st.one_of(some_bytes, some_text.map(str.encode), mixed.map(str.encode))


@cache
def _signatures() -> list[CompiledSignature]:
    from kb.loader import load_tree
    from kb.scan import signatures_of

    compiled, notes = signatures_of(load_tree([FIXTURE_KB]).entries)
    assert not notes
    return compiled


@cache
def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="kb-properties-"))


def _file(name: str, data: bytes) -> Path:
    path = _scratch() / name
    path.write_bytes(data)
    return path


@PROPERTIES
@given(anything)
def test_the_query_reader_takes_any_bytes(data: bytes) -> None:
    read, write = os.pipe()
    with os.fdopen(write, "wb") as fh:
        fh.write(data)
    try:
        got = read_bounded(read, max_bytes=1 << 20, timeout=5, keep_tail=1024)
    finally:
        os.close(read)
    assert got.data == data[-1024:] and got.total == len(data) and got.stopped is None
    text, _ = decode_query(data)
    info = understand(text)
    assert isinstance(info.as_dict(), dict)


@PROPERTIES
@given(st.one_of(some_text, mixed))
def test_the_normalizer_takes_any_text(text: str) -> None:
    assert isinstance(normalize(text), str)
    assert all(isinstance(t, str) for t in tokens(text))
    assert all(isinstance(w, str) for w in words(text))


READERS: dict[str, Callable[[Path], object]] = {
    "uv.lock": uv_lock.parse,
    "poetry.lock": poetry_lock.parse,
    "pylock.toml": pylock.parse,
    "Pipfile.lock": pipfile_lock.parse,
    "requirements.txt": requirements.parse,
    "any-name.lock": environment.from_file,
    "no-extension": environment.from_file,
}


@PROPERTIES
@given(st.sampled_from(sorted(READERS)), anything)
def test_every_lockfile_reader_takes_any_bytes(name: str, data: bytes) -> None:
    path = _file(name, data)
    with contextlib.suppress(KbError):
        READERS[name](path)
    with contextlib.suppress(KbError):
        environment.detect(data.decode("utf-8", "replace"))


@PROPERTIES
@given(st.lists(anything, min_size=1, max_size=3))
def test_the_log_scanner_takes_any_bytes(logs: list[bytes]) -> None:
    from kb.scan import scan

    streams = [(f"log{i}", io.BytesIO(data)) for i, data in enumerate(logs)]
    report = scan(streams, _signatures())
    assert report.lines >= 0
    assert not report.interrupted


regex_pieces = st.sampled_from(
    ["a", "b", ".", "\\w", "\\s", "[ab]", "(", ")", "(?:", "|", "*", "+", "?", "{2}",
     "{1,3}", "\\", "^", "$", "(?<!x)", "(?!y)", "\\1", "[", "]", "\ud800"]
)  # fmt: skip
patterns = st.one_of(st.text(max_size=30), st.lists(regex_pieces, max_size=12).map("".join))


@PROPERTIES
@given(patterns, st.text(max_size=200))
def test_any_signature_regex_compiles_or_is_an_invalid_regex(pattern: str, text: str) -> None:
    import re

    from kb.lint.regex_shapes import backtracking_risks
    from kb.safe_regex import compile_safe

    assert isinstance(backtracking_risks(pattern), list)
    try:
        compiled = compile_safe(pattern)
    except re.error:
        return
    assert isinstance(compiled.search(text), bool)
