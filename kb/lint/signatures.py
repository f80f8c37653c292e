"""KB4xx: signatures must compile, match their own text and examples, and nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from kb.lint.context import Corpus, EntryContext
from kb.lint.registry import Finding, Scope, declare
from kb.matching import CompiledSignature
from kb.normalize import normalize
from kb.signature_words import identifying_words

COMMON_LINES = (
    "Traceback (most recent call last):",
    '  File "/home/user/project/app.py", line 10, in <module>',
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
    "KeyboardInterrupt",
    "KeyError: 'id'",
    "ValueError: invalid literal for int() with base 10: 'abc'",
    "TypeError: 'NoneType' object is not subscriptable",
    "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
    "AttributeError: 'NoneType' object has no attribute 'get'",
    "ModuleNotFoundError: No module named 'requests'",
    "ImportError: cannot import name 'main' from 'app' (/srv/app/app/__init__.py)",
    "IndexError: list index out of range",
    "ZeroDivisionError: division by zero",
    "FileNotFoundError: [Errno 2] No such file or directory: 'config.yaml'",
    "PermissionError: [Errno 13] Permission denied: '/var/log/app.log'",
    "RecursionError: maximum recursion depth exceeded",
    "AssertionError",
    "SyntaxError: invalid syntax",
    "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
    "ERROR: Could not find a version that satisfies the requirement foo==1.0 (from versions: none)",
    "error: subprocess-exited-with-error",
    "ERROR: Failed building wheel for foo",
    "note: This error originates from a subprocess, and is likely not a problem with pip.",
    "WARNING: Running pip as the 'root' user can result in broken permissions",
    "INFO:     Started server process [1234]",
    "2024-05-01 10:00:00,000 ERROR app: request failed",
    "Segmentation fault (core dumped)",
    "Killed",
    "Process finished with exit code 1",
)
"""Everyday lines that belong to no particular failure; a signature matching one is too generic."""

MIN_IDENTIFYING_WORDS = 1


@lru_cache(maxsize=1)
def _common_normalized() -> tuple[tuple[str, str], ...]:
    return tuple((line, normalize(line)) for line in COMMON_LINES)


@declare("KB401", "invalid-regex", "A signature regex does not compile.", Scope.ENTRY)
def invalid_regex(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    The `regex` of a signature is not a valid Python regular expression, or uses what
    kb's linear-time matcher (RE2) cannot run: back-references (`\\1`) and look-around,
    except a look-behind of one character (or class) at the very start and a look-ahead
    of one character at the very end.

    ## Why
    Search and scan compile every regex; a broken one would make the signature match
    only by its text, silently. They run regexes with RE2 so that no pattern and no log
    line can make them hang; RE2 has no back-references and no general look-around.

    ## Example
    ```yaml
    regex: "cannot import name '(url_quote|url_unquote' from"   # unbalanced parenthesis
    ```
    """
    _ = ctx.signatures
    for i, exc in sorted(ctx.regex_errors.items()):
        yield ctx.location("signatures", i, "regex"), f"regex does not compile: {exc}"


@declare(
    "KB402", "regex-misses-text", "A signature regex does not match its own text.", Scope.ENTRY
)
def regex_misses_text(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    A signature's `regex` does not match the signature's own `text`.

    ## Why
    The regex generalizes the text (other names, other versions); if it misses the text
    itself it is wrong, and one of the two does not describe the failure.

    ## Example
    ```yaml
    text: "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'"
    regex: "cannot import name 'url_quote' from 'werkzeug\\\\.url'"   # the text says urls
    ```
    """
    for sig in ctx.signatures:
        if sig.regex is not None and not sig.regex.search(sig.text):
            yield (
                ctx.location("signatures", sig.index, "regex"),
                f"regex does not match the signature's own text {sig.text!r}",
            )


@declare(
    "KB403",
    "example-not-matched",
    "An example is matched by none of the entry's signatures.",
    Scope.ENTRY,
)
def example_not_matched(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    Each example (verbatim error text from a report) must be matched by at least one of
    the entry's signatures.

    ## Why
    Examples are the proof that the signatures find real reports. An example no
    signature matches means a user pasting that error would not find the entry.

    ## Example
    ```yaml
    signatures:
      - kind: exception
        text: "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'"
    examples:
      - kind: line
        text: "ImportError: cannot import name 'url_unquote' from 'werkzeug.urls'"
    ```
    Add a signature (or a regex) that covers `url_unquote`.
    """
    sigs = ctx.signatures
    for i, example in enumerate(ctx.loaded.entry.examples):
        raw = example.text
        if not any(_matches(sig, raw) for sig in sigs):
            first = raw.strip().splitlines()[-1] if raw.strip() else raw
            if len(first) > 70:
                first = first[:67] + "..."
            yield (
                ctx.location("examples", i, "text"),
                f"example {i + 1} is not matched by any signature ({first!r})",
            )


_SPACE = re.compile(r"\s+")
_BEFORE = frozenset(" \t\r\n\f\v\"'(<>")
_AFTER = frozenset(" \t\r\n\f\v\"'()<>,:")
_SPECIAL = re.compile("[/\\\\\u2018\u2019\u201c\u201d`\u00a0]")
_PLACEHOLDER = re.compile(r"<[a-z]+>|\s+")


def _verbatim_match(sig: CompiledSignature, raw: str) -> bool:
    """True when ``raw`` holds the signature text verbatim where normalization cannot touch it.

    Sound shortcut for ``sig.normalized in normalize(raw)``: if normalizing the text alone
    only folds case and spaces, the text does not start or end with a digit, and one of its
    occurrences in ``raw`` is bounded by characters that no normalization pattern can cross
    (spaces, quotes, brackets), the occurrence survives normalization of ``raw`` as is.
    """
    text = sig.text.strip()
    if not text or text[0].isdigit() or text[-1].isdigit():
        return False
    if sig.normalized != _SPACE.sub(" ", text).lower():
        return False
    start = raw.find(text)
    while start != -1:
        end = start + len(text)
        if (start == 0 or raw[start - 1] in _BEFORE) and (end == len(raw) or raw[end] in _AFTER):
            return True
        start = raw.find(text, start + 1)
    return False


def _cannot_match(sig: CompiledSignature, raw: str) -> bool:
    """True when ``sig.normalized in normalize(raw)`` is impossible, decided without normalizing.

    Without path separators or typographic quotes in ``raw``, normalization only replaces
    volatile parts with placeholders, folds spaces and lowers case; every run of the
    normalized signature between spaces and placeholders must then appear in ``raw``.
    """
    if _SPECIAL.search(raw):
        return False
    lowered = raw.lower()
    for chunk in _PLACEHOLDER.split(sig.normalized):
        if chunk and "<" not in chunk and ">" not in chunk and chunk not in lowered:
            return True
    return False


def _matches(sig: CompiledSignature, raw: str) -> bool:
    """``sig.matches(raw)``, skipping normalization where the answer is certain without it."""
    if sig.regex is not None and sig.regex.search(raw):
        return True
    if not sig.normalized:
        return False
    if _verbatim_match(sig, raw):
        return True
    if _cannot_match(sig, raw):
        return False
    return sig.normalized in normalize(raw)


@declare(
    "KB404", "near-miss-matched", "A signature matches one of the entry's near misses.", Scope.ENTRY
)
def near_miss_matched(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    A near miss is text that looks like the failure but is a different one; a signature
    of the entry matches it.

    ## Why
    The signature is too loose: users with the other failure would be sent to this entry
    and follow the wrong fix.

    ## Example
    ```yaml
    signatures:
      - kind: exception
        text: "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'"
        regex: "cannot import name '\\\\w+' from 'werkzeug\\\\.urls'"
    near_misses:
      - text: "ImportError: cannot import name 'url_parse' from 'werkzeug.urls'"
        why: url_parse was removed in another release.
    ```
    """
    sigs = ctx.signatures
    for i, near in enumerate(ctx.loaded.entry.near_misses):
        for sig in sigs:
            if _matches(sig, near.text):
                yield (
                    ctx.location("near_misses", i, "text"),
                    f"near miss {i + 1} is matched by signature {sig.index + 1}",
                )
                break


@declare(
    "KB405",
    "generic-signature",
    "A signature is so generic that it would match unrelated errors.",
    Scope.ENTRY,
)
def generic_signature(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    A signature that says too little to identify one failure: a bare exception name, a
    lone `Traceback (most recent call last):`, a text without a single identifying
    words (names, modules, messages beyond the usual error vocabulary), a regex that
    matches the empty string (`.*`), or any signature that matches one of the everyday
    lines kb keeps as a reference (`KeyError: 'id'`, `IndexError: list index out of
    range`, `error: subprocess-exited-with-error`, ...).

    ## Why
    Search and scan would report this entry for errors that have nothing to do with it,
    and users would follow a fix for a failure they do not have.

    ## Example
    ```yaml
    signatures:
      - kind: exception
        text: "ImportError"
        regex: ".*Error"
    ```
    """
    for sig in ctx.signatures:
        where = ctx.location("signatures", sig.index, "text")
        words = identifying_words(sig.text)
        if len(words) < MIN_IDENTIFYING_WORDS:
            shown = ", ".join(words) if words else "none"
            yield (
                where,
                f"signature {sig.index + 1} has too few identifying words ({shown}); "
                "add the names or message that tell this failure apart",
            )
            continue
        if sig.regex is not None and sig.regex.search(""):
            yield (
                ctx.location("signatures", sig.index, "regex"),
                f"regex of signature {sig.index + 1} matches the empty string",
            )
            continue
        for line, norm in _common_normalized():
            if sig.matches(line, norm):
                yield where, f"signature {sig.index + 1} matches the unrelated line {line!r}"
                break


@declare(
    "KB406",
    "duplicate-signature",
    "Two signatures normalize to the same text.",
    Scope.CORPUS,
)
def duplicate_signature(corpus: Corpus) -> Iterator[Finding]:
    """
    ## What
    Two signatures, in two entries or in one, are the same once normalized (paths, line
    numbers, versions and numbers replaced by placeholders, lower case).

    ## Why
    Search could not tell the entries apart: both would match every report of either
    failure. Either they are one failure (merge them, or mark one a `duplicate`) or the
    signatures need the detail that tells them apart.

    ## Example
    `ImportError: cannot import name 'url_quote' from 'werkzeug.urls'` in two entries.
    """
    first: dict[str, tuple[str, str]] = {}
    for rec in corpus.records:
        own: set[str] = set()
        for norm, loc in rec.signatures:
            if not norm:
                continue
            if norm in own:
                yield loc, "signature repeats another signature of this entry"
                continue
            own.add(norm)
            seen = first.setdefault(norm, (rec.id, rec.display))
            if seen[1] != rec.display:
                yield (
                    loc,
                    f"signature normalizes to the same text as one of {seen[0]!r} ({seen[1]})",
                )
