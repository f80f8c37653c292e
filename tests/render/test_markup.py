"""Entry text is data: escaping, inline code, links and code fences."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest

from kb.render.markup import (
    code_block,
    highlighted_block,
    inline,
    link,
    md_inline,
    paragraphs,
    pre_block,
    safe_url,
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _tags(html_text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html_text)
    return parser.found


def _md(text: str) -> str:
    return markdown.markdown(text, extensions=["attr_list", "pymdownx.superfences", "tables"])


def test_inline_escapes_html_and_renders_backtick_code() -> None:
    out = inline("Use `a<b>` not <script>alert(1)</script> & co")
    assert out == ("Use <code>a&lt;b&gt;</code> not &lt;script&gt;alert(1)&lt;/script&gt; &amp; co")


def test_inline_collapses_lines_so_no_markdown_block_can_start() -> None:
    out = inline("first\n# not a heading\n```\n- not a list")
    assert "\n" not in out
    assert "```" not in out


@pytest.mark.parametrize(
    "hostile",
    [
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "*em* _em_ {: onclick=alert(1) }",
        "</p><script>alert(1)</script>",
    ],
)
def test_markdown_never_turns_entry_text_into_markup(hostile: str) -> None:
    html_out = _md(f"# {md_inline(hostile)}\n\n{paragraphs(hostile)}")
    tags = _tags(html_out)
    assert {name for name, _ in tags} <= {"h1", "p"}
    assert all(not attrs for _, attrs in tags)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a?b=1", True),
        ("http://example.com", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//example.com/x", False),
        ("https://exa mple.com", False),
        ("https:///nohost", False),
        ("ftp://example.com", False),
    ],
)
def test_only_http_urls_are_safe(url: str, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_link_shows_a_bad_url_as_text() -> None:
    assert link("javascript:alert(1)", "click").startswith('<span class="kb-unsafe-url">')
    good = link('https://example.com/?a="><script>', "x")
    assert good.startswith('<a href="https://example.com/?a=&quot;&gt;&lt;script&gt;"')


def test_code_block_fence_outlasts_backticks_in_the_text() -> None:
    text = "a\n```\nb\n````\n"
    block = code_block(text, "python")
    assert block.startswith("````` python\n")
    html_out = _md(block + "\n\nafter")
    assert html_out.count("<pre") == 1
    assert "````" in html_out


def test_pre_block_keeps_text_verbatim_and_inert() -> None:
    text = "Traceback:\n\n```\n<script>alert(1)</script>\n# not a heading\n"
    html_out = _md("intro\n\n" + pre_block(text) + "\n\n## after")
    assert html_out.count("<pre>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_out
    assert "# not a heading" in html_out and "<h1" not in html_out
    assert "<h2>after</h2>" in html_out


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("python", 'import a\nx = "<b>" & 1\n\n    y = {"k": [1, 2]}\n'),
        ("shell", "pip install 'a<2' \"b>=1\"\n  echo $X\n"),
        ("text", "plain <text> & more\n"),
        ("nosuchlanguage", "x = 1\n"),
    ],
)
def test_highlighted_block_is_what_pymdownx_makes_of_the_fence(language: str, text: str) -> None:
    import markdown

    fenced = markdown.markdown(
        code_block(text, language), extensions=["pymdownx.highlight", "pymdownx.superfences"]
    )
    assert highlighted_block(text, language) == fenced


def test_highlighted_block_escapes_backticks() -> None:
    out = highlighted_block('doc = """\n```\nx\n```\n"""\n', "python")
    assert "`" not in out and "&#96;&#96;&#96;" in out
