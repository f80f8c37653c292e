"""Signature matching and version applicability."""

from __future__ import annotations

import pytest

from kb.matching import Applicability, applicability, compile_signature, required_literal


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


CONDITIONS = [("Flask", "<2.2.5"), ("werkzeug", ">=3.0")]


@pytest.mark.parametrize(
    ("versions", "verdict"),
    [
        ({"flask": "2.2.2", "werkzeug": "3.0.1"}, Applicability.AFFECTED),
        ({"flask": "2.2.5", "werkzeug": "3.0.1"}, Applicability.NOT_AFFECTED),
        ({"flask": "2.2.2", "werkzeug": "2.3.8"}, Applicability.NOT_AFFECTED),
        ({"flask": "2.2.2"}, Applicability.UNKNOWN),
        ({"flask": "2.3.0"}, Applicability.NOT_AFFECTED),
        ({"flask": "not-a-version", "werkzeug": "3.0.0"}, Applicability.UNKNOWN),
        ({"flask": "2.2.2", "werkzeug": "3.1.0rc1"}, Applicability.AFFECTED),
    ],
)
def test_applicability_needs_every_condition(
    versions: dict[str, str], verdict: Applicability
) -> None:
    got, results = applicability(CONDITIONS, versions)
    assert got is verdict
    assert [r.package for r in results] == ["flask", "werkzeug"]


def test_applicability_tolerates_a_bad_specifier() -> None:
    got, _ = applicability([("x", "~~1")], {"x": "1.0"})
    assert got is Applicability.UNKNOWN
