"""Reading failure lines, exception types, packages and versions out of pasted text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.search.query import MAX_QUERY_BYTES, decode_query, distribution_of, understand

CHAINED = """\
Traceback (most recent call last):
  File "/home/dev/proj/.venv/lib/python3.12/site-packages/yaml/__init__.py", line 79, in load
    loader = Loader(stream)
TypeError: 'NoneType' object is not callable

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/home/dev/proj/app.py", line 9, in <module>
    import flask_sqlalchemy
  File "/home/dev/proj/.venv/lib/python3.12/site-packages/flask_sqlalchemy/__init__.py", line 14, in <module>
    from sqlalchemy import orm
AttributeError: module 'sqlalchemy' has no attribute '__all__'
"""


def test_chained_traceback_keeps_every_failure_line_final_last() -> None:
    info = understand(CHAINED)
    assert info.failure_lines == [
        "TypeError: 'NoneType' object is not callable",
        "AttributeError: module 'sqlalchemy' has no attribute '__all__'",
    ]
    assert info.exception_types == ["TypeError", "AttributeError"]
    assert info.packages == ["pyyaml", "flask-sqlalchemy"]
    assert info.python == "3.12"


def test_syntax_error_block_keeps_the_offending_code() -> None:
    text = (
        'Traceback (most recent call last):\n  File "/x/celery/backends/__init__.py", line 5\n'
        "    from . import async, base\n                      ^\nSyntaxError: invalid syntax\n"
    )
    info = understand(text)
    assert info.failure_lines == ["from . import async, base", "SyntaxError: invalid syntax"]


def test_pytest_and_ci_prefixes_are_stripped() -> None:
    text = (
        "2024-05-01T10:00:00.1234567Z ##[error]ModuleNotFoundError: No module named 'imp'\n"
        "E   ImportError: cannot import name 'escape' from 'jinja2'\n"
        "    raise ValueError('indented code is not a failure line')\n"
    )
    info = understand(text)
    assert info.failure_lines == [
        "ModuleNotFoundError: No module named 'imp'",
        "ImportError: cannot import name 'escape' from 'jinja2'",
    ]


def test_build_errors_are_failure_lines() -> None:
    text = (
        "Collecting pyyaml==5.4.1\n  error: subprocess-exited-with-error\n"
        "      AttributeError: cython_sources\n"
        "error in mypkg setup command: use_2to3 is invalid.\n"
        "ERROR: Failed building wheel for pyyaml\n"
    )
    lines = understand(text).failure_lines
    assert "error in mypkg setup command: use_2to3 is invalid." in lines
    assert "ERROR: Failed building wheel for pyyaml" in lines


def test_plain_words_have_no_failure_line() -> None:
    info = understand("httpx AsyncClient slow")
    assert info.failure_lines == []
    assert not info.is_error_text


def test_distribution_names_from_import_names() -> None:
    assert distribution_of("sklearn") == "scikit-learn"
    assert distribution_of("Flask_SQLAlchemy") == "flask-sqlalchemy"
    assert distribution_of("werkzeug-3.0.1.dist-info") == "werkzeug"


def test_decode_replaces_bad_bytes_and_drops_nuls() -> None:
    text, truncated = decode_query(b"caf\xe9 \x00boom\xff")
    assert text == "caf\ufffd boom\ufffd"
    assert truncated is None


def test_decode_keeps_a_bounded_tail_on_a_line_boundary() -> None:
    raw = b"noise line\n" * (MAX_QUERY_BYTES // 5) + b"ValueError: the end\n"
    text, truncated = decode_query(raw)
    assert truncated == len(raw)
    assert len(text) <= MAX_QUERY_BYTES
    assert text.startswith("noise line\n")
    assert text.endswith("ValueError: the end\n")


_FRAGMENTS = [
    '  File "/srv/venv/lib/python3.12/site-packages/flask/app.py", line 9, in run',
    'File "x", line \u0663',
    "2024-05-01T10:00:00.1Z ",
    "\u0663\u0663:\u0663\u0663:\u0663\u0663 ",
    "[12:00:01] ",
    "##[error]",
    "ERROR",
    "CRITICAL:",
    "FATAL]",
    "error: ",
    "error in setup command: ",
    "dist-packages\\pkg\\",
    "/python3.11/",
    "ImportError: x",
    "E   ",
    " ",
    "\n",
]


@given(
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=6)), max_size=6).map("".join)
)
@settings(max_examples=500, deadline=None)
def test_a_pattern_skipped_for_lack_of_a_substring_could_not_have_matched(text: str) -> None:
    """understand() tries some patterns only on text that has what their matches need."""
    from kb.search import query

    for line in [text, *text.splitlines()]:
        stripped = line.strip()
        if query._FRAME().match(line):
            assert 'File "' in line
        if query._LOG_PREFIX().sub("", stripped) != stripped:
            assert query._may_have_log_prefix(stripped)
        if query._LOG_ERROR().match(stripped):
            assert query._may_report_error(stripped)
        if query._SITE_PACKAGES().search(line):
            assert "-packages" in line
        if query._PYTHON_VERSION().search(line):
            assert "python3." in line
