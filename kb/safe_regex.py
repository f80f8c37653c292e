"""Signature regexes, run by a linear-time engine: no pattern and no text can make kb hang.

Python's ``re`` backtracks, and has no timeout: a signature such as ``(a+)+$`` takes
exponential time on a line of ``a`` that ends otherwise, in lint, search and scan alike.
Signature regexes are therefore run by RE2 (the ``google-re2`` package), whose time is
linear in the text whatever the pattern. A pattern must also be valid for Python's ``re``
(the literal prefilter reads it with Python's parser, and it must mean the same there).

RE2 has no look-around. The one kind that shipped entries use, a one-character guard at
the start (``(?<![\\w.])Client``: not preceded by a word character or a dot), and its
mirror at the end (``(?![\\w.])``), are rewritten into plain alternatives that match
where the guard holds (``(?:^|[^\\w.])Client``); :meth:`SafePattern.search` only answers
*whether* the text matches, so the characters the rewrite consumes do not matter. Any
other look-around, and back-references, are refused with :class:`re.error`, as an
invalid regex is (lint reports it as KB401; search and scan skip the signature).

Differences with ``re`` that remain: ``\\w``, ``\\d``, ``\\s`` and ``\\b`` are ASCII in
RE2. Each entry's examples are matched through this module by lint, so an entry whose
examples need more fails lint.
"""

from __future__ import annotations

import re
import warnings

from kb.startup import TYPE_CHECKING, lazy_regex

if TYPE_CHECKING:
    from typing import Any

MAX_PATTERN_LENGTH = 2000
"""Longer signature regexes are refused (signatures are one line of an error message)."""

MAX_PROGRAM_MEMORY = 4 << 20
"""Bytes RE2 may use for one compiled pattern; bigger programs (``(a{100}){100}``) fail."""

# One character, or one character class, as the whole body of a look-around.
_ONE_CHAR = r"(?:\[(?:\\.|[^\]\\])+\]|\\[wdsWDS]|\\.|[^\\()\[\]|*+?{}.^$])"
# compiled on first use: a search runs patterns the catalog keeps already rewritten
_GUARD = lazy_regex(r"\(\?<(?P<op>[!=])(?P<set>" + _ONE_CHAR + r")\)")
_INLINE_FLAGS = lazy_regex(r"\(\?[aiLmsux]+\)")
_GROUP_OPENING = lazy_regex(r"\((?:\?(?:P<\w+>|[aiLmsux-]*:|[=!#]|<[=!]))?")
_TRAILING_GUARD = lazy_regex(r"\(\?(?P<op>[!=])(?P<set>" + _ONE_CHAR + r")\)$")
_NEGATED_CLASS = {
    "\\w": "\\W",
    "\\d": "\\D",
    "\\s": "\\S",
    "\\W": "\\w",
    "\\D": "\\d",
    "\\S": "\\s",
}


class SafePattern:
    """A compiled signature regex: ``search`` runs in time linear in the text.

    ``pattern`` and ``flags`` are those of the pattern as Python's ``re`` reads it (for
    the code that inspects a pattern's literals); ``engine_pattern`` is what RE2 runs.
    """

    __slots__ = ("_compiled", "engine_pattern", "flags", "pattern")

    def __init__(self, pattern: str, flags: int, engine_pattern: str, compiled: Any | None) -> None:
        self.pattern = pattern
        self.flags = flags
        self.engine_pattern = engine_pattern
        self._compiled = compiled

    @classmethod
    def prepared(cls, pattern: str, flags: int, engine_pattern: str) -> SafePattern:
        """A pattern that :func:`compile_safe` accepted before (the catalog keeps its
        ``engine_pattern``): not checked again, and compiled by RE2 on first use."""
        return cls(pattern, flags, engine_pattern, None)

    def search(self, text: str) -> bool:
        """True when the pattern matches somewhere in ``text``."""
        return self.start(text) is not None

    def start(self, text: str) -> int | None:
        """Where the first match in ``text`` starts (None: no match). After a rewritten
        leading guard, the match may start one character before the guarded text."""
        if self._compiled is None:
            self._compiled = _engine_compile(self.engine_pattern)
        try:
            found = self._compiled.search(text)
        except UnicodeEncodeError:  # lone surrogates (YAML can write them): not UTF-8
            found = self._compiled.search(text.encode("utf-8", "replace").decode("utf-8"))
        return None if found is None else int(found.start())

    def __repr__(self) -> str:
        return f"SafePattern({self.pattern!r})"


def compile_safe(pattern: str) -> SafePattern:
    """Compile a signature regex for RE2; raises :class:`re.error` when it is not valid
    Python syntax, uses what RE2 cannot run, or is too large."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise re.error(f"longer than {MAX_PATTERN_LENGTH} characters")
    try:
        pattern.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise re.error(f"not UTF-8 text (a lone surrogate at position {exc.start})") from None
    # Python's parser only parses here (it does not match), so it cannot be made to hang.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set" and the like
        flags = re.compile(pattern).flags
    engine_pattern = _without_guards(pattern)
    return SafePattern(pattern, flags, engine_pattern, _engine_compile(engine_pattern))


def _engine_compile(engine_pattern: str) -> Any:
    """RE2's compiled program of ``engine_pattern``; :class:`re.error` when RE2 refuses it."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own copy of the error on stderr
    options.max_mem = MAX_PROGRAM_MEMORY
    try:
        return re2.compile(engine_pattern, options)
    except re2.error as exc:
        raise re.error(f"not supported by kb's linear-time matcher: {_message(exc)}") from None


def _without_guards(pattern: str) -> str:
    """``pattern`` with its one-character look-behinds at leading positions, and a
    one-character look-ahead at its very end, rewritten as plain alternatives."""
    pattern = _rewrite_leading(pattern)
    trail = _TRAILING_GUARD().search(pattern)
    if trail and not _escaped(pattern, trail.start()) and not _top_level_alternation(pattern):
        body = pattern[: trail.start()]
        if trail.group("op") == "!":
            pattern = f"(?:{body})(?:$|{_negate(trail.group('set'))})"
        else:
            pattern = f"(?:{body}){trail.group('set')}"
    return pattern


def _rewrite_leading(pattern: str) -> str:
    """Rewrite each one-character look-behind that nothing of the pattern can precede:
    at the start, or at the start of an alternative of a group that is itself leading
    (``(?:LGBM\\.|(?<![\\w.]))fit``). Where a group holding one is repeated, or a
    look-behind is elsewhere, it is left as it is (and RE2 refuses it)."""
    out: list[str] = []
    # one [leading when opened, rewrote inside] per open group
    stack: list[list[bool]] = []
    leading = True
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i, leading = i + 2, False
            continue
        if char == "[":
            end = _class_end(pattern, i)
            out.append(pattern[i:end])
            i, leading = end, False
            continue
        guard = _GUARD().match(pattern, i)
        if guard and leading:
            one = guard.group("set")
            out.append(f"(?:^|{_negate(one)})" if guard.group("op") == "!" else one)
            for group in stack:
                group[1] = True
            i, leading = guard.end(), False
            continue
        flags = _INLINE_FLAGS().match(pattern, i)
        if flags:  # (?i): zero-width
            out.append(flags.group())
            i = flags.end()
            continue
        if char == "(":
            opening = _GROUP_OPENING().match(pattern, i)
            assert opening is not None  # "(" always matches
            stack.append([leading, False])
            out.append(opening.group())
            i = opening.end()
            continue
        if char == "|":
            leading = stack[-1][0] if stack else True
        elif char == ")":
            rewrote = stack.pop()[1] if stack else False
            if rewrote and pattern[i + 1 : i + 2] in ("*", "+", "?", "{"):
                return pattern  # a repeated guard is not at the start of every round
            leading = False
        elif char not in "^":
            leading = False
        out.append(char)
        i += 1
    return "".join(out)


def _top_level_alternation(pattern: str) -> bool:
    """True when ``pattern`` has a ``|`` outside every group and class (a guard at its
    end then belongs to one alternative only, and is not rewritten)."""
    depth, i = 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        i += 1
    return False


def _class_end(pattern: str, start: int) -> int:
    """The index after the character class that opens at ``start``."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":  # "[]...]": a leading ] is a member
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def _negate(one: str) -> str:
    """The class of characters that ``one`` (a class, an escape or a character) excludes."""
    if one in _NEGATED_CLASS:
        return _NEGATED_CLASS[one]
    if one.startswith("[^"):
        return "[" + one[2:]
    if one.startswith("["):
        return "[^" + one[1:]
    return f"[^{one}]"


def _escaped(pattern: str, at: int) -> bool:
    """True when the character at ``at`` is escaped by an odd run of backslashes."""
    run = 0
    while at - run - 1 >= 0 and pattern[at - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _message(exc: BaseException) -> str:
    arg = exc.args[0] if exc.args else exc
    if isinstance(arg, bytes):
        return arg.decode("utf-8", "replace")
    return str(arg)
