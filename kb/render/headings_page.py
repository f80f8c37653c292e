"""Rendering of generated pages whose Markdown is headings between stashed HTML blocks.

After :mod:`kb.render.stash` has taken out an entry page's raw HTML, what Markdown sees is
a run of one-line ATX headings and placeholder paragraphs. mkdocs still built a new
``Markdown`` instance with every extension for each such page (pymdownx deep-copies its
configuration each time) and ran the whole pipeline over the placeholders. Here one
instance, made from the site's own configuration, is reset and reused for every such
page, and it converts the headings alone: the placeholders are written as the
``<p>…</p>`` Markdown makes of them. Most headings of an entry page ("Signatures",
"Evidence", …) are the same on every page, so each heading is converted once, alone, and
its HTML and table of contents token are reused, as long as the headings of a page have
no anchor in common (else Markdown would number one of them, and the page's headings are
converted together). The result is the HTML, table of contents, title and anchors mkdocs'
own :meth:`Page.render` gives (a test compares the two for every generated page); any
page of another shape is rendered by mkdocs as before.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

_HEADING = re.compile(r"#{1,6} [^\n]+")


def blocks(markdown: str, placeholder: re.Pattern[str]) -> list[tuple[bool, str]] | None:
    """The page's blocks as ``(is_heading, text)``, or None unless every block is a
    one-line ATX heading or a whole placeholder."""
    out: list[tuple[bool, str]] = []
    for block in markdown.rstrip("\n").split("\n\n"):
        if _HEADING.fullmatch(block):
            out.append((True, block))
        elif placeholder.fullmatch(block):
            out.append((False, block))
        else:
            return None
    return out


@dataclass(frozen=True, slots=True)
class _Converted:
    """What mkdocs keeps of one conversion: the HTML, the table of contents tokens, the
    title, the anchors the HTML has and the anchors it links to."""

    html: str
    toc_tokens: list[Any]
    title: str | None
    anchors: set[str]
    links: dict[Any, dict[str, str]]


@dataclass(frozen=True, slots=True)
class _Heading:
    """One heading converted alone: its line of HTML, its flat table of contents token
    (None outside the table's depth), the title mkdocs takes from it, its anchors and
    the anchors of its own page it links to (the permalink)."""

    html: str
    token: dict[str, Any] | None
    title: str | None
    anchors: frozenset[str]
    links: tuple[tuple[str, str], ...]


_PAGE_INDEPENDENT = re.compile(r"[^\[<]*")
"""A heading without ``[`` or ``<`` has no link, image or raw HTML, so it converts the same
on every page."""

_CACHED_HEADINGS = 4096
"""How many distinct headings a build keeps converted (an entry page's section headings
repeat on every page; its title and fix headings are its own)."""


_PROCESSORS = (
    "_RawHTMLPreprocessor",
    "_ExtractAnchorsTreeprocessor",
    "_RelativePathTreeprocessor",
    "_ExtractTitleTreeprocessor",
)
"""The private processors of ``mkdocs.structure.pages`` that :meth:`Page.render` registers."""


def _mkdocs_processors() -> bool:
    """Whether this mkdocs has every processor of :data:`_PROCESSORS`, each with its
    ``_register``."""
    from mkdocs.structure import pages

    return all(hasattr(getattr(pages, name, None), "_register") for name in _PROCESSORS)


class HeadingsRenderer:
    """One ``Markdown`` instance for a build, reused for every page of headings and
    placeholders."""

    def __init__(self, placeholder: re.Pattern[str]) -> None:
        self.placeholder = placeholder
        self._md: Any = None
        self._headings: dict[str, _Heading | None] = {}
        self._supported: bool | None = None
        """Whether this mkdocs has the processors it borrows (asked at the first page)."""

    def _markdown(self, config: Any) -> Any:
        if self._md is None:
            import markdown  # type: ignore[import-untyped]

            self._md = markdown.Markdown(
                extensions=config["markdown_extensions"],
                extension_configs=config["mdx_configs"] or {},
            )
        return self._md

    def render(self, page: Page, config: Any, files: Any) -> bool:
        """Render ``page`` as :meth:`Page.render` would; False (nothing set) if the page's
        Markdown is not only headings and placeholders, or if this mkdocs lacks the
        processors :meth:`Page.render` registers (they are private: another release may
        rename them, and mkdocs then renders every page itself)."""
        if self._supported is None:
            self._supported = _mkdocs_processors()
        if not self._supported:
            return False
        found = blocks(page.markdown or "", self.placeholder)
        if not found or not any(is_heading for is_heading, _ in found):
            return False
        return self._from_headings(page, found, config, files) or self._together(
            page, found, config, files
        )

    def _convert(self, text: str, page: Page, config: Any, files: Any) -> _Converted:
        """``text`` converted as :meth:`Page.render` converts a page, with the shared
        instance."""
        from mkdocs.structure import pages

        md = self._markdown(config).reset()
        raw_html = pages._RawHTMLPreprocessor()
        raw_html._register(md)
        anchors = pages._ExtractAnchorsTreeprocessor(page.file, files, config)
        anchors._register(md)
        relative = pages._RelativePathTreeprocessor(page.file, files, config)
        relative._register(md)
        title = pages._ExtractTitleTreeprocessor()
        title._register(md)
        html = md.convert(text)
        return _Converted(
            html,
            getattr(md, "toc_tokens", []),
            title.title,
            anchors.present_anchor_ids | raw_html.present_anchor_ids,
            relative.links_to_anchors,
        )

    def _together(self, page: Page, found: list[tuple[bool, str]], config: Any, files: Any) -> bool:
        """All of the page's headings converted at once."""
        headings = [text for is_heading, text in found if is_heading]
        done = self._convert("\n\n".join(headings), page, config, files)
        lines = done.html.split("\n")
        if len(lines) != len(headings):
            return False
        _set(page, found, lines, done)
        return True

    def _from_headings(
        self, page: Page, found: list[tuple[bool, str]], config: Any, files: Any
    ) -> bool:
        """The page from its headings converted one at a time (and kept for the next
        page): the same as converting them together when no two share an anchor, since
        then Markdown gives no heading a different id on account of another."""
        from markdown.extensions.toc import nest_toc_tokens  # type: ignore[import-untyped]

        rendered = []
        for is_heading, text in found:
            if is_heading:
                heading = self._heading(text, page, config, files)
                if heading is None:
                    return False
                rendered.append(heading)
        anchors: set[str] = set()
        for heading in rendered:
            if not anchors.isdisjoint(heading.anchors):
                return False
            anchors |= heading.anchors
        links: dict[str, str] = {}
        for heading in rendered:
            for anchor, url in heading.links:
                links.setdefault(anchor, url)
        tokens = [dict(h.token) for h in rendered if h.token is not None]
        done = _Converted(
            "",
            nest_toc_tokens(tokens),
            rendered[0].title,
            anchors,
            {page.file: links} if links else {},
        )
        _set(page, found, [h.html for h in rendered], done)
        return True

    def _heading(self, text: str, page: Page, config: Any, files: Any) -> _Heading | None:
        """One heading converted alone, or None if its HTML could depend on the page or is
        not one line."""
        if text in self._headings:
            return self._headings[text]
        heading = None
        if _PAGE_INDEPENDENT.fullmatch(text):
            done = self._convert(text, page, config, files)
            if (
                "\n" not in done.html
                and len(done.toc_tokens) <= 1
                and set(done.links) <= {page.file}
            ):
                token = (
                    {k: v for k, v in done.toc_tokens[0].items() if k != "children"}
                    if done.toc_tokens
                    else None
                )
                heading = _Heading(
                    done.html,
                    token,
                    done.title,
                    frozenset(done.anchors),
                    tuple(done.links.get(page.file, {}).items()),
                )
        if len(self._headings) < _CACHED_HEADINGS:
            self._headings[text] = heading
        return heading


def _set(page: Page, found: list[tuple[bool, str]], lines: list[str], done: _Converted) -> None:
    """Set what :meth:`Page.render` sets: the HTML (each heading's line of ``lines``, each
    placeholder as the paragraph Markdown makes of it), and from ``done`` the table of
    contents, the title, the anchors and the links to anchors."""
    from mkdocs.structure import pages

    rendered = iter(lines)
    page.content = "\n".join(
        next(rendered) if is_heading else f"<p>{text}</p>" for is_heading, text in found
    )
    page.toc = get_toc(done.toc_tokens)
    # Markdown takes the title from an h1 only when it is the page's first block.
    page._title_from_render = done.title if found[0][0] else None
    page.present_anchor_ids = done.anchors
    if logging.getLogger(pages.__name__).getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = done.links


class HeadingsPage(Page):
    """A generated page rendered by a shared :class:`HeadingsRenderer` when its Markdown
    allows it, by mkdocs otherwise (e.g. after another plugin changed it)."""

    def __init__(self, file: Any, config: Any, renderer: HeadingsRenderer) -> None:
        super().__init__(None, file, config)
        self._renderer = renderer

    def render(self, config: Any, files: Any) -> None:
        if not self._renderer.render(self, config, files):
            super().render(config, files)
