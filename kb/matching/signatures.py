"""Signatures: does text match one, and which literals must a matching text contain.

Shared by lint (a signature must match its own examples), search (the signature-first
path) and scan (every line of a log). Works on plain values, not on pydantic models, so
the fast paths never import pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

from kb.normalize import normalize, words
from kb.safe_regex import SafePattern, compile_safe
from kb.startup import TYPE_CHECKING, NamedTuple, lazy_regex

if TYPE_CHECKING:
    from typing import Any


class CompiledSignature(NamedTuple):
    """A signature ready to match: its normalized text and its compiled regular expression."""

    entry_id: str
    index: int  # type: ignore[assignment]  # shadows tuple.index; callers use the field
    kind: str
    text: str
    normalized: str
    regex: SafePattern | None = None
    exception: str | None = None

    def matches(self, raw: str, normalized: str | None = None) -> bool:
        """True when ``raw`` shows this signature (the normalized signature inside the
        normalized text, or its regex on the raw text: the cheaper test first, so that
        the regex engine is loaded only when the text alone does not decide)."""
        if normalized is None:
            normalized = normalize(raw)
        if self.normalized and self.normalized in normalized:
            return True
        return self.regex is not None and self.regex.search(raw)


def compile_signature(  # noqa: PLR0917 - mirrors the Signature fields one to one
    entry_id: str, index: int, kind: str, text: str, regex: str | None, exception: str | None
) -> CompiledSignature:
    """Compile one signature; raises :class:`re.error` for a bad regular expression."""
    return CompiledSignature(
        entry_id=entry_id,
        index=index,
        kind=kind,
        text=text,
        normalized=normalize(text),
        regex=compile_safe(regex) if regex else None,
        exception=exception,
    )


def prepare(sig: CompiledSignature) -> dict[str, object]:
    """What the catalog keeps of a compiled signature, so that search and scan can match
    it again (:func:`from_prepared`) without parsing or checking its regex a second time:
    its normalized text, the pattern RE2 runs, its certain words as whole words (search
    anchors) and those the scan prefilter can look for (:func:`scan_words`), its longest
    required literal (the prefilter's fallback) and the literals of each alternative of
    its regex (:func:`could_match`)."""
    regex = sig.regex
    return {
        "normalized": sig.normalized,
        "pattern": regex.pattern if regex is not None else None,
        "flags": regex.flags if regex is not None else 0,
        "engine": regex.engine_pattern if regex is not None else None,
        "words": certain_words(sig),
        "scan": scan_words(sig),
        "literal": required_literal(sig),
        "branches": regex_branches(sig),
    }


def from_prepared(  # noqa: PLR0917 - mirrors the Signature fields, as compile_signature
    entry_id: str, index: int, kind: str, text: str, exception: str | None, data: dict[str, Any]
) -> CompiledSignature:
    """A signature from what :func:`prepare` kept; its regex is compiled on first use."""
    engine = data["engine"]
    return CompiledSignature(
        entry_id=entry_id,
        index=index,
        kind=kind,
        text=text,
        normalized=data["normalized"],
        regex=SafePattern.prepared(data["pattern"], data["flags"], engine) if engine else None,
        exception=exception,
    )


_WORDS = lazy_regex(r"[A-Za-z_][A-Za-z_ .]*[A-Za-z_]")  # for the catalog's build, not search


def required_literal(sig: CompiledSignature, min_length: int = 4) -> str | None:
    """A lower-case fragment that every text this signature matches contains.

    Lets a scanner skip lines cheaply before it runs the real match. ``None`` when no
    fragment of at least ``min_length`` characters is certain (the caller must then try
    the signature on every candidate).
    """
    from_text = _longest_words(sig.text)
    if sig.regex is None:
        return from_text if from_text and len(from_text) >= min_length else None
    from_regex = _regex_literal(sig.regex)
    if from_regex is None or len(from_regex) < min_length:
        return None
    # A text match is an alternative to a regex match, so the fragment must be common to both.
    if from_text is not None and from_regex not in sig.text.lower():
        return None
    return from_regex


def required_literals(sig: CompiledSignature) -> list[str]:
    """Every lower-case fragment that each text this signature matches must contain.

    For a plain signature, its normalized text; for one with a regular expression, the
    literal runs of the expression's top-level sequence that the normalized ``text`` also
    contains (a match may come from either). Empty when nothing is certain.
    """
    if sig.regex is None:
        return [sig.normalized] if sig.normalized else []
    out: list[str] = []
    for run in _regex_literals(sig.regex):
        if run in sig.normalized:
            out.append(run)
            continue
        # the normalizer rewrites numbers and quoted paths: keep the pieces of the run it
        # leaves as they are (runs of letters, '_', '.' and spaces)
        pieces = (m.group().strip() for m in _WORDS().finditer(run))
        out.extend(p for p in pieces if p and p in sig.normalized)
    return list(dict.fromkeys(out))


def _longest_words(text: str) -> str | None:
    """Longest run of letters, dots, underscores and spaces: survives normalization as is."""
    runs = [m.group().strip().lower() for m in _WORDS().finditer(text)]
    runs = [r for r in runs if r]
    return max(runs, key=len) if runs else None


def _regex_literal(pattern: SafePattern) -> str | None:
    """Longest literal run in the top-level sequence of a compiled regular expression."""
    runs = _regex_literals(pattern, words_only=False)
    best = max(runs, key=len) if runs else ""
    best = _longest_words(best) or ""
    return best or None


def _parsed(pattern: SafePattern, *, any_case: bool = False) -> Any:
    """The stdlib parser's reading of ``pattern`` (None: unreadable, or case-insensitive
    unless ``any_case``). Callers only read it."""
    if pattern.flags & re.IGNORECASE and not any_case:
        return None
    return _parse(pattern.pattern, pattern.flags)


@lru_cache(maxsize=1024)
def _parse(pattern: str, flags: int) -> Any:
    """Parsed once however many questions are asked of one signature's expression."""
    import importlib

    # The stdlib's own regex parser (private, stable since 3.11; typeshed has no stubs).
    sre_parse = importlib.import_module("re._parser")
    try:
        return sre_parse.parse(pattern, flags)
    except re.error:
        return None


def _regex_literals(pattern: SafePattern, *, words_only: bool = True) -> list[str]:
    """Literal runs of the top-level sequence of a regular expression, lower case.

    With ``words_only``, a word cut by the start or end of a run (the neighbouring regex
    part may continue it) is dropped from that run.
    """
    parsed = _parsed(pattern)
    return [] if parsed is None else _runs(list(parsed), words_only=words_only)


def _runs(parsed: list[tuple[Any, Any]], *, words_only: bool) -> list[str]:
    """:func:`_literal_runs` of a parsed sequence (its literals, anything else unknown)."""
    import importlib

    literal_op = importlib.import_module("re._constants").LITERAL
    spelled = [chr(arg) if op is literal_op else None for op, arg in parsed]
    return _literal_runs(spelled, words_only=words_only)


MAX_BRANCHES = 64
"""How many alternatives of a regex, its groups' alternatives multiplied out, are judged
one by one (see :func:`regex_branches`); a group that would make more is unknown text."""


def regex_branches(sig: CompiledSignature) -> list[list[str]]:
    """For each alternative of the signature's regex, the literal runs a text it matches
    contains, through :func:`fold` (in any case, when the regex ignores case: then only
    runs that fold to ASCII, which the fold of such a text contains). Alternatives of
    groups and optional groups are multiplied out (``name '(?:url_quote|url_parse)'
    from`` is two alternatives, each with one literal), up to :data:`MAX_BRANCHES`.
    Empty when some alternative has no literal: the regex could then match any text."""
    if sig.regex is None:
        return []
    parsed = _parsed(sig.regex, any_case=True)
    if parsed is None:
        return []
    out = [_literal_runs(spelled, case=fold) for spelled in _spelled_out(list(parsed))]
    if sig.regex.flags & re.IGNORECASE:
        out = [[r for r in runs if r.isascii()] for runs in out]
    return out if all(out) else []


def _spelled_out(items: list[tuple[Any, Any]]) -> list[list[str | None]]:
    """The alternatives of a parsed regex as characters, None standing for text that is
    not known (a class, a repeat, an assertion): a match contains each run of characters
    of one of them."""
    import importlib

    ops = importlib.import_module("re._constants")
    alternatives: list[list[str | None]] = [[]]
    for op, arg in items:
        choices: list[list[str | None]]
        if op is ops.LITERAL:
            choices = [[chr(arg)]]
        elif op is ops.BRANCH:
            choices = [spelled for seq in arg[1] for spelled in _spelled_out(list(seq))]
        elif op is ops.SUBPATTERN and not arg[1] and not arg[2]:  # a group, flags unchanged
            choices = _spelled_out(list(arg[3]))
        elif op in (ops.MAX_REPEAT, ops.MIN_REPEAT) and (arg[0], arg[1]) == (0, 1):
            choices = [[], *_spelled_out(list(arg[2]))]  # optional: absent or present
        else:
            choices = [[None]]
        if len(alternatives) * len(choices) > MAX_BRANCHES:
            choices = [[None]]
        alternatives = [a + c for a in alternatives for c in choices]
    return alternatives


def _literal_runs(
    spelled: list[str | None], *, words_only: bool = False, case: Callable[[str], str] = str.lower
) -> list[str]:
    """The runs of characters of one alternative (see :func:`_spelled_out`), stripped and
    through ``case`` (lower case, or :func:`fold`), each once. With ``words_only``, a word
    cut by unknown text before or after its run (which may continue it) is dropped from
    that run."""
    runs: list[str] = []
    run: list[str] = []
    for position, char in enumerate([*spelled, None]):
        if char is not None:
            run.append(char)
            continue
        text = "".join(run)
        if words_only and text:
            if position > len(run) and text[:1].isalnum():  # unknown text before the run
                text = text.split(" ", 1)[1] if " " in text else ""
            if position < len(spelled) and text[-1:].isalnum():  # unknown text after it
                text = text.rsplit(" ", 1)[0] if " " in text else ""
        text = case(text.strip())
        if text and text not in runs:
            runs.append(text)
        run = []
    return runs


_DOTTED_AND_DOTLESS_I = {0x130: "i", 0x131: "i"}


def fold(text: str) -> str:
    """``text`` case-folded for :func:`could_match`, one character at a time.

    :meth:`str.casefold`, which folds what RE2 matches for an ASCII letter when it
    ignores case (U+017F, the long s, for ``s``; U+212A, the Kelvin sign, for ``k``),
    except that the dotted capital and dotless small i (U+0130, U+0131) become ``i``, as
    Python's ``re`` matches them for ``i``. Folding each character on its own
    (never by context, as :meth:`str.lower` treats a final capital sigma) keeps a
    literal's fold inside the fold of any text that contains the literal."""
    return text.translate(_DOTTED_AND_DOTLESS_I).casefold()


def could_match(data: Mapping[str, Any], folded: str, normalized: str) -> bool:
    """Whether a text can match the prepared signature ``data`` (see :func:`prepare`),
    judged by substrings only: its normalized text is in ``normalized``, or every
    literal of one alternative of its regex is in ``folded`` (the text through
    :func:`fold`). False rules the signature out; True means it must be tried."""
    if data["normalized"] and data["normalized"] in normalized:
        return True
    return bool(data["engine"]) and branches_could_match(data["branches"], folded)


def branches_could_match(branches: Sequence[Sequence[str]], folded: str) -> bool:
    """Whether every literal of one of a regex's alternatives (see :func:`regex_branches`)
    is in ``folded``; True when there are none to judge by."""
    return not branches or any(all(lit in folded for lit in b) for b in branches)


def needle(branches: Sequence[Sequence[str]]) -> str | None:
    """The longest start or end of a literal of a regex's first alternative that every
    alternative has (in one of its literals; ``branches`` as :func:`regex_branches` gives
    them): a text whose fold lacks it cannot match, so the catalog rules the regex out
    before decoding anything. Alternatives multiplied out of a group share what surrounds
    the group (``name 'url_`` of ``name '(?:url_quote|url_parse)'``). None when there is
    no such text."""
    if not branches:
        return None
    first, *others = branches

    def everywhere(piece: str) -> bool:
        return all(any(piece in literal for literal in other) for other in others)

    best = ""
    for literal in first:
        for start in (True, False):
            # a shorter start (or end) is in every alternative when a longer one is
            low, high = 0, len(literal)
            while low < high:
                middle = (low + high + 1) // 2
                piece = literal[:middle] if start else literal[len(literal) - middle :]
                if everywhere(piece):
                    low = middle
                else:
                    high = middle - 1
            if low > len(best):
                best = literal[:low] if start else literal[len(literal) - low :]
    return best or None


def certain_words(sig: CompiledSignature, *, whole: bool = True) -> list[str]:
    """Words (as :func:`kb.normalize.words` splits text) that every text this signature
    matches contains, in order, each once.

    The one chooser of what identifies a signature: search anchors a signature on the
    rarest of them, and the scan prefilter looks for the rarest in each line. With
    ``whole`` (search: query words are whole words) the first and last word of a literal
    are left out when the literal starts or ends inside a word, since the matched text
    may continue them; without it (the prefilter looks for substrings) they count.
    """
    out: list[str] = []
    for literal in required_literals(sig):
        found = words(normalize(literal))
        out.extend(_interior(found, literal) if whole else found)
    return list(dict.fromkeys(out))


SCAN_MIN_WORD = 4
"""Shorter words are too common to stand for a signature in the scan prefilter."""


def scan_words(sig: CompiledSignature) -> list[str]:
    """The signature's certain words, as substrings, that can stand for it in a
    lower-cased log line: ASCII (bytes fold ASCII only), at least :data:`SCAN_MIN_WORD`
    long, sorted."""
    found = certain_words(sig, whole=False)
    return sorted(w for w in found if len(w) >= SCAN_MIN_WORD and w.isascii())


def choose_fragment(words: Sequence[str], literal: str | None, df: Mapping[str, int]) -> str | None:
    """What the scan prefilter looks for to find a signature's candidate lines: the rarest
    of its :func:`scan_words` (``df``: in how many signatures each occurs), else its
    required literal when that is ASCII; None when it has neither (tried on every line)."""
    if words:
        return min(words, key=lambda w: (df.get(w, 0), -len(w), w))
    return literal if literal is not None and literal.isascii() else None


def _interior(found: list[str], literal: str) -> list[str]:
    """The words of ``literal`` that a text containing it surely has as whole words."""
    # a word goes on through letters, digits, '_' and '.' (``werkzeug.urls``, ``_app_ctx``),
    # so a literal that starts or ends with one of them may be cut inside a word
    starts_inside = _word_char(literal[:1])
    ends_inside = _word_char(literal[-1:])
    return [
        w
        for i, w in enumerate(found)
        if not (i == 0 and starts_inside) and not (i == len(found) - 1 and ends_inside)
    ]


def _word_char(char: str) -> bool:
    return char.isalnum() or char in ("_", ".")
