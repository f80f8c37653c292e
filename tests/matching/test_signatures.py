"""Signature matching: text against a signature, and the literals every match contains."""

from __future__ import annotations

from kb.matching import compile_signature, required_literal
from kb.normalize import normalize


def sig(text: str, regex: str | None = None):  # type: ignore[no-untyped-def]
    return compile_signature("e", 0, "exception", text, regex, None)


def test_literal_signature_matches_through_volatile_parts() -> None:
    s = sig("ImportError: cannot import name 'url_quote' from 'werkzeug.urls'")
    assert s.matches(
        "ImportError: cannot import name 'url_quote' from 'werkzeug.urls' "
        "(/x/lib/python3.12/site-packages/werkzeug/urls.py)"
    )
    assert not s.matches("ImportError: cannot import name 'url_parse' from 'werkzeug.urls'")


def test_regex_signature_matches_every_variant() -> None:
    s = sig(
        "AttributeError: module 'numpy' has no attribute 'float'",
        r"module 'numpy' has no attribute '(float|int|bool)'",
    )
    assert s.matches("AttributeError: module 'numpy' has no attribute 'int'.")
    assert not s.matches("AttributeError: module 'numpy' has no attribute 'float64'")


def test_required_literal_is_in_every_match() -> None:
    s = sig(
        "ImportError: cannot import name 'escape' from 'jinja2'",
        r"cannot import name '(escape|Markup)' from 'jinja2'",
    )
    lit = required_literal(s)
    assert lit is not None
    assert lit in "ImportError: cannot import name 'Markup' from 'jinja2'".lower()
    assert lit in s.text.lower()


def test_required_literal_is_none_when_regex_has_no_fixed_part() -> None:
    assert required_literal(sig("x happened", r"(a|b)+")) is None


def test_required_literal_respects_ignorecase() -> None:
    assert required_literal(sig("Boom here", r"(?i)boom here")) is None


def test_could_match_never_rules_out_a_text_the_signature_matches() -> None:
    from kb.matching import could_match, fold, prepare

    cases = [
        ("from . import async", r"from \. import async\b|from \.async import|from kombu\.async"),
        (
            "cannot import name 'x' from 'a.b'",
            r"cannot import name '?x'? from 'a\.b'|module 'a' has",
        ),
        ("plugin code for `X` does not match", r"plugin code for `[^`]+` does not match"),
        ("APIRemovedInV1", r"\bAPIRemovedInV1\b"),
        ("httpx AsyncClient is slow", r"(?i)\bhttpx\b[^\n]{0,40}?\bclient\b.*slow"),
        ("session closed", r"(?i)session closed"),
    ]
    for text, regex in cases:
        sig = compile_signature("e", 0, "error", text, regex, None)
        data = prepare(sig)
        for query in (
            text,
            "Traceback:\n  " + text + " (more)",
            "module 'a' has no attribute 'y'",
            "from .async import x",
            "HTTPX ASYNCCLIENT IS SLOW",
            "se\u017fsion closed",  # RE2 folds the long s to s, as str.casefold does
        ):
            if sig.matches(query):
                assert could_match(data, fold(query), normalize(query)), (regex, query)
        # an unrelated line is ruled out without compiling anything
        assert not could_match(data, "all 12 tests passed", normalize("all 12 tests passed"))
        if "(?i)" in regex:
            assert sig.matches(text.upper())


def test_literals_beyond_ascii_are_folded_as_the_text_is() -> None:
    """A regex literal whose lower case is not its case fold (the sharp s, a final
    capital sigma) or that a case-insensitive regex matches through the long s, the
    Kelvin sign or (Python's re, not RE2) the dotted and dotless i is still found in the
    text it matches."""
    import re

    from kb.matching import could_match, fold, prepare

    cases = [
        (r"Straße \d+ nicht gefunden", "Fehler: Straße 12 nicht gefunden"),
        (r"ΟΔΟΣ \d+", "ΟΔΟΣ 7"),
        (r"ﬁle missing: \w+", "ﬁle missing: a"),
        (r"(?i)timeout after \d+", "TİMEOUT AFTER 5"),
        (r"(?i)timeout after \d+", "tımeout after 5"),
        (r"(?i)sock(?:et)? closed", "ſocket cloſed"),
        (r"(?i)kernel died", "\u212aernel died"),
    ]
    for regex, query in cases:
        sig = compile_signature("e", 0, "error", "x", regex, None)
        assert sig.matches(query) or re.search(regex, query), (regex, query)
        assert could_match(prepare(sig), fold(query), normalize(query)), (regex, query)
        assert not could_match(prepare(sig), fold("all done"), normalize("all done"))


def test_fold_is_the_case_fold_of_each_character() -> None:
    """A literal's fold is inside the fold of every text that contains it only when
    nothing folds by context."""
    from kb.matching import fold

    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert fold(everything) == "".join(fold(c) for c in everything)
    assert fold("ΟΔΟΣ") == fold("ΟΔΟ") + fold("Σ")


def test_fold_agrees_with_case_insensitive_regexes_on_ascii() -> None:
    """A case-insensitive regex keeps only literals that fold to ASCII: every character
    it matches for one of theirs (in Python's re, and in RE2) must fold to the same."""
    import re

    import re2

    from kb.matching import fold

    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    folding_to_ascii = [c for c in everything if fold(c).isascii() and len(fold(c)) == 1]
    assert "\u0130" in folding_to_ascii and "\u017f" in folding_to_ascii
    for char in folding_to_ascii:
        for engine in (
            re.compile(re.escape(char), re.IGNORECASE),
            re2.compile("(?i)" + re.escape(char)),
        ):
            for matched in set(engine.findall(everything)):
                assert fold(matched) == fold(char), (hex(ord(char)), hex(ord(matched)))


def test_each_alternative_of_a_regex_has_its_literals() -> None:
    from kb.matching.signatures import regex_branches

    sig = compile_signature("e", 0, "error", "a", r"cannot import name 'q'|module 'w' has", None)
    assert regex_branches(sig) == [["cannot import name 'q'"], ["module 'w' has"]]
    loose = compile_signature("e", 0, "error", "a", r"cannot import name|\w+ failed", None)
    assert regex_branches(loose) == [["cannot import name"], ["failed"]]
    anything = compile_signature("e", 0, "error", "a", r"cannot import|\w+", None)
    assert regex_branches(anything) == []


def test_groups_and_optional_parts_are_multiplied_out() -> None:
    from kb.matching.signatures import MAX_BRANCHES, regex_branches

    def branches(regex: str) -> list[list[str]]:
        return regex_branches(compile_signature("e", 0, "error", "a", regex, None))

    assert branches(r"name '(?:url_quote|url_parse)' from 'w\.urls'") == [
        ["name 'url_quote' from 'w.urls'"],
        ["name 'url_parse' from 'w.urls'"],
    ]
    # Python's parser pulls the prefix two alternatives share out of them
    assert branches(r"cannot import name 'a' from 'j'|cannot import name 'b'") == [
        ["cannot import name 'a' from 'j'"],
        ["cannot import name 'b'"],
    ]
    assert branches(r"(?:async)?client is slow") == [["client is slow"], ["asyncclient is slow"]]
    assert branches(r"take(?:s)? \d+ ms") == [["take", "ms"], ["takes", "ms"]]
    # a class or a repeat is unknown text: literals on either side stay apart
    assert branches(r"no [Mm]odule named x+y") == [["no", "odule named", "y"]]
    # one group multiplies out to the limit; the next would pass it and is unknown text
    many = "|".join(f"{i}z" for i in range(MAX_BRANCHES))
    assert branches(f"a(?:{many}) b(?:{many}) c") == [
        [f"a{i}z b", "c"] for i in range(MAX_BRANCHES)
    ]


def test_the_needle_is_what_every_alternative_of_a_regex_has() -> None:
    """The catalog rules a regex out by its needle: the longest start or end of a literal of
    the first alternative that every alternative has."""
    from kb.matching import needle as of

    def needle(*branches: list[str]) -> str | None:
        return of(list(branches))

    name = "cannot import name '{}' from 'werkzeug.urls'"
    assert needle([name.format("url_quote")], [name.format("url_parse")]) == (
        "cannot import name 'url_"
    )
    kwarg = "close() got an unexpected keyword argument '{}'"
    assert needle([kwarg.format("handle")], [kwarg.format("handle_impl")]) == kwarg.format(
        "handle"
    ).rstrip("'")
    assert needle(["x: 'a' failed", "y"], ["z", "'b' failed"]) == "' failed"
    assert needle(["abc"], ["xyz"]) is None
    assert needle(["short", "the longest"]) == "the longest"
