"""Rendering of generated pages whose Markdown is headings between stashed HTML blocks.

After :mod:`kb.render.stash` has taken out an entry page's raw HTML, what Markdown sees is
a run of one-line ATX headings and placeholder paragraphs. mkdocs still built a new
``Markdown`` instance with every extension for each such page (pymdownx deep-copies its
configuration each time) and ran the whole pipeline over the placeholders. Here one
instance, made from the site's own configuration, is reset and reused for every such
page, and it converts the headings alone: the placeholders are written as the
``<p>…</p>`` Markdown makes of them. The result is the HTML, table of contents, title and
anchors mkdocs' own :meth:`Page.render` gives (a test compares the two for every
generated page); any page of another shape is rendered by mkdocs as before.
"""

from __future__ import annotations

import logging
import re
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


class HeadingsRenderer:
    """One ``Markdown`` instance for a build, reused for every page of headings and
    placeholders."""

    def __init__(self, placeholder: re.Pattern[str]) -> None:
        self.placeholder = placeholder
        self._md: Any = None

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
        Markdown is not only headings and placeholders."""
        from mkdocs.structure import pages

        found = blocks(page.markdown or "", self.placeholder)
        if not found or not any(is_heading for is_heading, _ in found):
            return False
        headings = [text for is_heading, text in found if is_heading]
        md = self._markdown(config).reset()
        raw_html = pages._RawHTMLPreprocessor()
        raw_html._register(md)
        anchors = pages._ExtractAnchorsTreeprocessor(page.file, files, config)
        anchors._register(md)
        relative = pages._RelativePathTreeprocessor(page.file, files, config)
        relative._register(md)
        title = pages._ExtractTitleTreeprocessor()
        title._register(md)
        lines = md.convert("\n\n".join(headings)).split("\n")
        if len(lines) != len(headings):
            return False
        rendered = iter(lines)
        page.content = "\n".join(
            next(rendered) if is_heading else f"<p>{text}</p>" for is_heading, text in found
        )
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        # Markdown takes the title from an h1 only when it is the page's first block.
        page._title_from_render = title.title if found[0][0] else None
        page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
        if logging.getLogger(pages.__name__).getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative.links_to_anchors
        return True


class HeadingsPage(Page):
    """A generated page rendered by a shared :class:`HeadingsRenderer` when its Markdown
    allows it, by mkdocs otherwise (e.g. after another plugin changed it)."""

    def __init__(self, file: Any, config: Any, renderer: HeadingsRenderer) -> None:
        super().__init__(None, file, config)
        self._renderer = renderer

    def render(self, config: Any, files: Any) -> None:
        if not self._renderer.render(self, config, files):
            super().render(config, files)
