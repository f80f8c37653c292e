"""Safe markup from untrusted entry text.

Entry text is data. Prose becomes HTML that this module writes itself: every character is
HTML-escaped, and the only markup recognised is inline code in backticks. The resulting
raw-HTML blocks are stashed by Python-Markdown untouched, so Markdown syntax, attribute
lists or HTML inside an entry never reach the page as markup. Links are emitted only for
http(s) URLs.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_BLANK = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")
# Characters Markdown or its extensions may act on in inline text (headings, link labels):
# replaced by numeric references, which render as themselves.
_MD_INLINE = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+!|~^<>&\"'"})


def escape(text: str) -> str:
    """HTML-escaped text, quotes included (safe in element content and attribute values)."""
    return html.escape(text, quote=True)


def inline(text: str) -> str:
    """One line of HTML from entry prose: escaped, backtick spans as ``<code>``.

    Whitespace, newlines included, collapses to one space so that no line of the output can
    start a Markdown block.
    """
    out: list[str] = []
    pos = 0
    for match in _CODE.finditer(text):
        out.append(_plain(text[pos : match.start()]))
        code = match.group(2).strip() or match.group(2)
        out.append(f"<code>{escape(_SPACE.sub(' ', code))}</code>")
        pos = match.end()
    out.append(_plain(text[pos:]))
    return "".join(out).strip()


def _plain(text: str) -> str:
    # A stray backtick is escaped as well: a line starting with three of them must never
    # open a fenced block.
    return escape(_SPACE.sub(" ", text)).replace("`", "&#96;")


def paragraphs(text: str, css: str | None = None) -> str:
    """Entry prose as ``<p>`` elements, one per blank-line separated paragraph, one line each."""
    attr = f' class="{escape(css)}"' if css else ""
    parts = [p for p in _BLANK.split(text.strip()) if p.strip()]
    return "\n".join(f"<p{attr}>{inline(p)}</p>" for p in parts)


def md_inline(text: str) -> str:
    """Entry text for a Markdown context (a heading, a link label): nothing in it is markup."""
    return _SPACE.sub(" ", text).strip().translate(_MD_INLINE)


def safe_url(url: str) -> str | None:
    """The URL if it is an absolute http(s) URL without spaces or control characters."""
    candidate = url.strip()
    if not candidate or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return candidate


def link(url: str, label: str | None = None) -> str:
    """An ``<a>`` to an http(s) URL; any other URL is shown as text, never as a link."""
    shown = inline(label) if label else escape(url)
    good = safe_url(url)
    if good is None:
        return f'<span class="kb-unsafe-url">{shown}</span>'
    return f'<a href="{escape(good)}" rel="nofollow noopener">{shown}</a>'


def code_block(text: str, language: str = "text") -> str:
    """A fenced code block whose fence is longer than any backtick run in ``text``."""
    longest = max((len(m.group()) for m in re.finditer(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    lang = re.sub(r"[^a-z0-9]", "", language.lower()) or "text"
    body = text.rstrip("\n")
    return f"{fence} {lang}\n{body}\n{fence}"


def pre_block(text: str) -> str:
    """Verbatim text as a raw-HTML code block, styled and copyable like a highlighted one.

    For error text, which has no syntax to highlight: Pygments is skipped, which is most of
    what a fenced block costs at build time. Backticks are escaped too, so that no line
    can open a fence for the preprocessors that run before raw HTML is set aside.
    """
    body = escape(text.rstrip("\n")).replace("`", "&#96;")
    return f'<div class="highlight"><pre><span></span><code>{body}</code></pre></div>'


_PYGMENTS: dict[str, Any] = {}
"""The formatter and the lexers, made once."""


def highlighted_block(text: str, language: str = "text") -> str:
    """A highlighted code block as raw HTML: what ``pymdownx.highlight`` makes of the
    fenced block :func:`code_block` writes, without building a Pygments formatter per block
    (which was most of the cost of an entry page's Markdown)."""
    from pygments import highlight  # type: ignore[import-untyped]
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]

    lang = re.sub(r"[^a-z0-9]", "", language.lower()) or "text"
    formatter = _PYGMENTS.get(" formatter")
    if formatter is None:
        formatter = _PYGMENTS[" formatter"] = HtmlFormatter(nowrap=True)
    lexer = _PYGMENTS.get(lang)
    if lexer is None:
        try:
            lexer = get_lexer_by_name(lang)
        except ClassNotFound:
            lexer = get_lexer_by_name("text")
        _PYGMENTS[lang] = lexer
    body = highlight(text.rstrip("\n") + "\n", lexer, formatter)
    # Backticks as references, as in pre_block: no line of it may open a fence.
    body = body.replace("`", "&#96;")
    return f'<div class="highlight"><pre><span></span><code>{body}</code></pre></div>'
