"""Raw-HTML blocks kept out of Markdown and put back into the rendered page.

An entry page is mostly HTML that :mod:`kb.render.entry_page` has already escaped and
built. Python-Markdown would parse every tag of it once more only to pass it through, and
that was the largest single cost of a site build. The plugin therefore gives Markdown a
placeholder paragraph per block (headings, fenced code and links stay Markdown, so the
table of contents, highlighting and link checks are unchanged) and swaps the blocks back
into the HTML afterwards.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence


class Stash:
    """Placeholders for one build; a random nonce keeps them apart from any page text."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(6)
        self.pages: dict[str, dict[str, str]] = {}
        self.key = re.compile(rf"kbhtml{self.nonce}x[0-9]+")
        """A placeholder, as it stands in the Markdown."""
        self.pattern = re.compile(rf"<p>({self.key.pattern})</p>")

    def for_page(self, uri: str) -> StashPage:
        """A callable that stashes one page's blocks."""
        blocks: dict[str, str] = {}
        self.pages[uri] = blocks
        return StashPage(self.nonce, blocks)

    def restore(self, uri: str, html: str) -> str:
        """The page's HTML with its blocks back in place (and the blocks forgotten)."""
        blocks = self.pages.pop(uri, None)
        if not blocks:
            return html
        return self.pattern.sub(lambda m: blocks.get(m.group(1), m.group(0)), html)


class StashPage:
    """Stashes the raw-HTML blocks of one page."""

    def __init__(self, nonce: str, blocks: dict[str, str]) -> None:
        self.nonce = nonce
        self.blocks = blocks

    def __call__(self, html: str) -> str:
        key = f"kbhtml{self.nonce}x{len(self.blocks)}"
        self.blocks[key] = html
        return key


def stashed(parts: Sequence[str], stash: Callable[[str], str]) -> list[str]:
    """Markdown parts with each run of raw-HTML parts (those starting with ``<``) handed to
    ``stash`` as one block: one placeholder paragraph for Markdown to pass over per run."""
    out: list[str] = []
    run: list[str] = []
    for part in parts:
        if part.startswith("<"):
            run.append(part)
            continue
        if run:
            out.append(stash("\n\n".join(run)))
            run = []
        out.append(part)
    if run:
        out.append(stash("\n\n".join(run)))
    return out
