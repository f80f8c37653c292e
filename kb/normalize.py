"""The one normalizer of error text, shared by lint, the search index, queries and scan.

Two reports of the same failure differ in what is volatile: file paths, line numbers,
memory addresses, ids, hashes, numbers and timestamps. :func:`normalize` replaces those
with placeholders and keeps the words that identify the failure. :func:`tokens` splits
error text into search terms so that dotted names, quoted identifiers, ``snake_case`` and
``CamelCase`` match both whole and by their parts.

Bump :data:`NORMALIZER_VERSION` whenever the output of either function changes: indexes
built by an older normalizer are then rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from kb.startup import lazy_regex

NORMALIZER_VERSION = 2

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "`": "'", "\u00a0": " "})

_DIGITS = "0123456789"

# Order matters: the most specific patterns run first. Each runs only on text that may
# have what all its matches need (a digit; a hyphen for UUIDs; ``\d`` also matches other
# scripts' digits, so any text that is not ASCII counts as having one), and is compiled on
# first use: an error line without numbers compiles none of them.
_RULES: tuple[tuple[Callable[[], re.Pattern[str]], str, str], ...] = (
    # ISO-8601 timestamps and common log timestamps
    (
        lazy_regex(
            r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
        ),
        "<ts>",
        _DIGITS,
    ),
    (lazy_regex(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>", _DIGITS),
    (lazy_regex(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"), "<time>", _DIGITS),
    # UUIDs, memory addresses, long hex digests
    (lazy_regex(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b"), "<uuid>", "-"),
    (lazy_regex(r"\b0x[0-9a-fA-F]+\b"), "<addr>", _DIGITS),
    (lazy_regex(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b"), "<hash>", _DIGITS),
    # traceback line numbers
    (lazy_regex(r"\bline \d+"), "line <n>", _DIGITS),
    # versions, then remaining numbers
    (lazy_regex(r"\b\d+(?:\.\d+)+(?:[a-z]+\d*)?\b"), "<v>", _DIGITS),
    (lazy_regex(r"(?<![\w<])\d+\b"), "<n>", _DIGITS),
)

_NEEDS = frozenset(need for *_, need in _RULES)

# A path-like token: it starts where a token starts (never inside one, which keeps the
# scan linear on long unbroken text) and contains a slash or a backslash.
_PATH_TOKEN = lazy_regex(r"(?<![^\s\"'<>(),=\[])[^\s\"'<>(),\[\]]*[\\/][^\s\"'<>(),\[\]]*")
_PYTHON_DIR = lazy_regex(r"python\d(?:\.\d+)?")
_PACKAGE_DIRS = ("site-packages", "dist-packages")


def _strip_path(match: re.Match[str]) -> str:
    """A path down to its package-relative part: what follows ``site-packages``, else what
    follows ``pythonX.Y`` (the standard library), else the file name of an absolute path."""
    token = match.group()
    parts = token.replace("\\", "/").split("/")
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in _PACKAGE_DIRS:
            return "/".join(parts[i + 1 :])
    absolute = parts[0] == "" or (len(parts[0]) == 2 and parts[0][1] == ":")
    if not absolute:
        return token
    for i in range(len(parts) - 2, 0, -1):
        if _PYTHON_DIR().fullmatch(parts[i]):
            return "/".join(parts[i + 1 :])
    if len(parts) > 2 and "." in parts[-1].strip("."):
        return parts[-1]
    return token


def normalize(text: str) -> str:
    """Normalized form of error text: placeholders for volatile parts, lower case, one space."""
    out = text.translate(_QUOTES)
    if "/" in out or "\\" in out:
        out = _PATH_TOKEN().sub(_strip_path, out)
    # no rule adds a digit or a hyphen: what the text lacks now, no rule will give it
    ascii_only = out.isascii()
    present = {need: not ascii_only or any(c in out for c in need) for need in _NEEDS}
    for pattern, repl, need in _RULES:
        if present[need]:
            out = pattern().sub(repl, out)
    # str.split() and the regex \s agree on what whitespace is
    return " ".join(out.split()).lower()


_TOKEN = re.compile(r"<[a-z]+>|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|\d+")
_CAMEL = lazy_regex(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def tokens(text: str) -> list[str]:
    """Search terms of error text, each whole and by its parts, lower case, in order.

    ``werkzeug.urls`` gives ``werkzeug.urls``, ``werkzeug``, ``urls``; ``url_quote`` gives
    ``url_quote``, ``url``, ``quote``; ``AsyncClient`` gives ``asyncclient``, ``async``,
    ``client``. Placeholders such as ``<n>`` are dropped: they identify nothing.
    """
    out: list[str] = []
    for word in _TOKEN.findall(text.translate(_QUOTES)):
        if not word.startswith("<"):
            out.extend(_expansion(word))
    return out


@lru_cache(maxsize=1 << 16)
def _expansion(word: str) -> tuple[str, ...]:
    """A word's terms (see :func:`tokens`): words recur across entries and queries."""
    out: list[str] = []
    _expand(word, out)
    return tuple(out)


def _expand(word: str, out: list[str]) -> None:
    out.append(word.lower())
    if "." in word:
        for part in word.split("."):
            if part:
                _expand(part, out)
        return
    parts = [p for p in word.split("_") if p]
    if len(parts) > 1 or (parts and parts[0] != word):
        for part in parts:
            _expand(part, out)
        return
    camel = _CAMEL().findall(word)
    if len(camel) > 1:
        out.extend(p.lower() for p in camel)


def words(text: str) -> list[str]:
    """Whole terms only (no parts), lower case, placeholders dropped: ``url_quote`` stays one."""
    return [
        m.group().lower()
        for m in _TOKEN.finditer(text.translate(_QUOTES))
        if not m.group().startswith("<")
    ]


def unique_tokens(text: str) -> list[str]:
    """:func:`tokens` without repeats, first occurrence first."""
    return list(dict.fromkeys(tokens(text)))
