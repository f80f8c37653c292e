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
    from kb.matching import could_match, prepare

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
                assert could_match(data, query.casefold(), normalize(query)), (regex, query)
        # an unrelated line is ruled out without compiling anything
        assert not could_match(data, "all 12 tests passed", normalize("all 12 tests passed"))
        if "(?i)" in regex:
            assert sig.matches(text.upper())


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
