"""KB407: signature regexes must not have the shapes that make backtracking engines hang.

kb itself runs signature regexes with RE2 (:mod:`kb.safe_regex`), which cannot backtrack.
The patterns also travel: the site's search page runs them in the reader's browser, and
people paste them into ``grep -P`` and Python. So a shape that makes a backtracking engine
take exponential (or high polynomial) time is an error in the entry, found by reading the
pattern's structure, never by running it.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from kb.lint.context import EntryContext
from kb.lint.registry import Finding, Scope, declare

MAX_COUNT = 1000
"""Largest ``{m,n}`` count allowed (RE2 refuses far larger programs anyway)."""

_ASCII = frozenset(range(128))
_DIGITS = frozenset(range(ord("0"), ord("9") + 1))
_WORD = frozenset(
    [*range(ord("a"), ord("z") + 1), *range(ord("A"), ord("Z") + 1), *_DIGITS, ord("_")]
)
_SPACE = frozenset(map(ord, " \t\n\r\f\v"))

CharSet = tuple[frozenset[int], bool]
"""ASCII code points a position may hold, and whether non-ASCII characters may be there."""

_ALL: CharSet = (_ASCII - {ord("\n")}, True)


def backtracking_risks(pattern: str) -> list[str]:
    """Why ``pattern`` could make a backtracking engine hang; empty when it cannot tell any.

    Flags: a repeat inside an unbounded repeat (``(a+)+``, ``(\\w+\\s?)*``), an unbounded
    repeat of something that can match the empty string (``(a?)*``), an unbounded repeat of
    alternatives that can start with the same character (``(a|ab)+``), two unbounded
    repeats in a row over characters they share (``\\s*\\s+``, ``.*.*``), and counts above
    :data:`MAX_COUNT`. Patterns that do not parse give nothing (KB401 reports them).
    """
    parser = importlib.import_module("re._parser")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "possible nested set"
            parsed = parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return []
    found: dict[str, None] = {}
    _walk(list(parsed), found)
    return list(found)


class _Ops:
    """The opcodes of Python's regex parser (private but stable since 3.11)."""

    def __init__(self) -> None:
        c = importlib.import_module("re._constants")
        self.repeats = (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None))
        self.c = c
        self.maxrepeat = c.MAXREPEAT


_OPS: _Ops | None = None


def _ops() -> _Ops:
    global _OPS  # noqa: PLW0603 - built once, on first use
    if _OPS is None:
        _OPS = _Ops()
    return _OPS


def _walk(items: Sequence[tuple[Any, Any]], found: dict[str, None]) -> None:
    ops = _ops()
    c = ops.c
    for i, (op, av) in enumerate(items):
        if op in ops.repeats:
            low, high, body = av
            if max(low, high if high != ops.maxrepeat else 0) > MAX_COUNT:
                found[f"repetition count above {MAX_COUNT}"] = None
            if high == ops.maxrepeat:
                _unbounded(list(body), found)
                _adjacent(items, i, found)
            _walk(list(body), found)
        elif op is c.SUBPATTERN:
            _walk(list(av[-1]), found)
        elif op is c.BRANCH:
            alternatives = [repr(list(b)) for b in av[1]]
            if len(set(alternatives)) < len(alternatives):
                found["two alternatives match the same text, as in (a|a)"] = None
            for branch in av[1]:
                _walk(list(branch), found)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            _walk(list(av[1]), found)
        elif op is getattr(c, "ATOMIC_GROUP", None):
            _walk(list(av), found)


def _unbounded(body: list[tuple[Any, Any]], found: dict[str, None]) -> None:
    """Risks of one unbounded repeat, from its body."""
    # A repeat inside is harmless when each round must start with a character the inner
    # repeat cannot take ((?:\.\d+)+); when it can, the text splits between rounds in
    # exponentially many ways ((a+)+, (\w+\s?)+).
    c = _ops().c
    while len(body) == 1 and body[0][0] is c.SUBPATTERN:
        body = list(body[0][1][-1])
    start = _first(body)
    if any(_overlap(start, _first(list(av[2]))) for _, av in _inner_repeats(body)):
        found["a repeat inside an unbounded repeat, as in (a+)+ (exponential backtracking)"] = None
    elif _can_be_empty(body):
        found["an unbounded repeat of something that can match nothing, as in (a?)*"] = None
    elif any(_overlap(start, _first([part])) for part in _optional_tail(body)):
        found[
            "an unbounded repeat whose rounds can end in an optional part that can also "
            "start the next round, as in (a|aa)+"
        ] = None
    branches = _branches(body)
    if branches is not None:
        firsts = [_first(b) for b in branches]
        if any(_overlap(a, b) for n, a in enumerate(firsts) for b in firsts[n + 1 :]):
            found[
                "alternatives that can start with the same character inside an unbounded "
                "repeat, as in (a|ab)+"
            ] = None


def _adjacent(items: Sequence[tuple[Any, Any]], i: int, found: dict[str, None]) -> None:
    """An unbounded repeat directly followed by another over the same characters.

    Only direct neighbours count: ``\\s*\\n?\\s*`` costs as much on a long run of spaces,
    but it says something (an optional line break) that the lint cannot weigh.
    """
    ops = _ops()
    first = _single(items[i])
    if first is None or i + 1 >= len(items):
        return
    op, av = items[i + 1]
    if op in ops.repeats and av[1] == ops.maxrepeat and _single((op, av)) == first:
        # every split of a run between the two is tried, from every start
        found[
            "two unbounded repeats in a row over the same characters, as in \\s*\\s+ "
            "(polynomial backtracking)"
        ] = None


def _single(item: tuple[Any, Any]) -> CharSet | None:
    """The characters of a repeat whose body is one character position, else None."""
    body = list(item[1][2])
    if len(body) == 1 and body[0][0] in (_ops().c.LITERAL, _ops().c.IN, _ops().c.ANY):
        return _first(body)
    return None


def _inner_repeats(items: list[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """Every repeat of more than one time inside ``items``, at any depth."""
    ops = _ops()
    c = ops.c
    for op, av in items:
        if op in ops.repeats:
            if av[1] > 1:
                yield op, av
            yield from _inner_repeats(list(av[2]))
        elif op is c.SUBPATTERN:
            yield from _inner_repeats(list(av[-1]))
        elif op is c.BRANCH:
            for branch in av[1]:
                yield from _inner_repeats(list(branch))


def _optional_tail(items: list[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """The parts at the end of ``items`` that can match nothing (but are not assertions)."""
    c = _ops().c
    for op, av in reversed(items):
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if not _can_be_empty([(op, av)]):
            return
        yield op, av


def _can_be_empty(items: list[tuple[Any, Any]]) -> bool:
    ops = _ops()
    c = ops.c
    for op, av in items:
        if op in ops.repeats:
            if av[0] > 0 and not _can_be_empty(list(av[2])):
                return False
        elif op is c.SUBPATTERN:
            if not _can_be_empty(list(av[-1])):
                return False
        elif op is c.BRANCH:
            if not any(_can_be_empty(list(b)) for b in av[1]):
                return False
        elif op not in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return False
    return True


def _branches(body: list[tuple[Any, Any]]) -> list[list[tuple[Any, Any]]] | None:
    """The alternatives of a repeat's body, when the body is one alternation."""
    c = _ops().c
    while len(body) == 1 and body[0][0] is c.SUBPATTERN:
        body = list(body[0][1][-1])
    if len(body) == 1 and body[0][0] is c.BRANCH:
        return [list(b) for b in body[0][1][1]]
    return None


def _first(items: list[tuple[Any, Any]]) -> CharSet:
    """The characters a match of ``items`` can start with."""
    ops = _ops()
    c = ops.c
    chars: set[int] = set()
    other = False
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op in ops.repeats:
            part = _first(list(av[2]))
            empty = av[0] == 0 or _can_be_empty(list(av[2]))
        elif op is c.SUBPATTERN:
            part = _first(list(av[-1]))
            empty = _can_be_empty(list(av[-1]))
        elif op is c.BRANCH:
            parts = [_first(list(b)) for b in av[1]]
            part = (frozenset().union(*(p[0] for p in parts)), any(p[1] for p in parts))
            empty = any(_can_be_empty(list(b)) for b in av[1])
        else:
            part, empty = _position((op, av)), False
        chars |= part[0]
        other = other or part[1]
        if not empty:
            break
    return frozenset(chars), other


def _position(item: tuple[Any, Any]) -> CharSet:
    """The characters one position (a literal, a class, ``.``) can hold."""
    c = _ops().c
    op, av = item
    if op is c.LITERAL:
        return (frozenset({av}), False) if av < 128 else (frozenset(), True)
    if op is c.NOT_LITERAL:
        return _ASCII - {av}, True
    if op is c.IN:
        return _in(av)
    return _ALL


def _in(members: list[tuple[Any, Any]]) -> CharSet:
    c = _ops().c
    chars: set[int] = set()
    other = False
    negate = False
    for op, av in members:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            chars.add(av) if av < 128 else None
            other = other or av >= 128
        elif op is c.RANGE:
            chars.update(range(av[0], min(av[1], 127) + 1))
            other = other or av[1] >= 128
        elif op is c.CATEGORY:
            part, wide = _category(av)
            chars |= part
            other = other or wide
        else:
            return _ALL
    if negate:
        return _ASCII - chars, True
    return frozenset(chars), other


def _category(name: Any) -> CharSet:
    c = _ops().c
    table = {
        c.CATEGORY_DIGIT: (_DIGITS, True),
        c.CATEGORY_NOT_DIGIT: (_ASCII - _DIGITS, True),
        c.CATEGORY_WORD: (_WORD, True),
        c.CATEGORY_NOT_WORD: (_ASCII - _WORD, True),
        c.CATEGORY_SPACE: (_SPACE, True),
        c.CATEGORY_NOT_SPACE: (_ASCII - _SPACE, True),
    }
    return table.get(name, _ALL)


def _overlap(a: CharSet, b: CharSet) -> bool:
    return bool(a[0] & b[0]) or (a[1] and b[1])


@declare(
    "KB407",
    "regex-backtracking",
    "A signature regex has a shape that makes backtracking engines hang.",
    Scope.ENTRY,
)
def regex_backtracking(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    A signature `regex` nests unbounded quantifiers (`(a+)+`, `(\\w+\\s?)*`), repeats
    something that can match nothing (`(a?)*`), repeats alternatives that can start with
    the same character (`(a|aa)+`, `(?:ab|a)+`), puts two unbounded repeats over the same
    characters in a row (`\\s*\\s+`, `.*.*`), or counts beyond 1000 (`a{5000}`).

    ## Why
    On a line that almost matches, a backtracking engine (Python's `re`, the browser that
    runs the site's search page, `grep -P`) tries every way to split the text between the
    quantifiers: exponential or high polynomial time, a hang. kb runs signatures with a
    linear-time engine, but the pattern should be safe wherever it is used, and a simpler
    pattern says the same thing.

    ## Example
    ```yaml
    regex: "cannot import name '(\\\\w+_?)+' from 'werkzeug\\\\.urls'"   # use '\\\\w+'
    ```
    """
    for i, sig in enumerate(ctx.loaded.entry.signatures):
        if not sig.regex:
            continue
        for risk in backtracking_risks(sig.regex):
            yield ctx.location("signatures", i, "regex"), f"regex of signature {i + 1}: {risk}"
