"""The verify oracle: which output line shows one of the entry's signatures."""

from __future__ import annotations

from kb.matching import compile_signature
from kb.verify.runner import first_match

OUTPUT = """\
Traceback (most recent call last):
  File "repro.py", line 3, in <module>
    engine.connect()
sqlalchemy.exc.NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres
note: the URL scheme is 'postgresql'
done
"""


def sig(text: str, regex: str | None = None):  # type: ignore[no-untyped-def]
    return compile_signature("e", 0, "error", text, regex, None)


def test_the_last_matching_line_is_shown() -> None:
    found = first_match(OUTPUT, "", [sig("Can't load plugin: sqlalchemy.dialects:postgres")])
    assert (
        found == "sqlalchemy.exc.NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres"
    )


def test_a_regex_that_spans_lines_matches_and_shows_where_it_starts() -> None:
    spanning = sig(
        "Can't load plugin: sqlalchemy.dialects:postgres note: the URL scheme is 'postgresql'",
        r"Can't load plugin: sqlalchemy\.dialects:postgres\s+note: the URL scheme is 'postgresql'",
    )
    found = first_match(OUTPUT, "", [spanning])
    assert found is not None and found.startswith("sqlalchemy.exc.NoSuchModuleError")


def test_echoed_source_is_not_a_match() -> None:
    code = "engine.connect()  # Can't load plugin: sqlalchemy.dialects:postgres"
    output = code + "\nall fine\n"
    assert (
        first_match(output, code, [sig("Can't load plugin: sqlalchemy.dialects:postgres")]) is None
    )


def test_no_signature_no_match() -> None:
    assert first_match(OUTPUT, "", [sig("something else entirely happened here")]) is None
