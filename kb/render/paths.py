"""Where each generated page lives in the site, and links between them."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from kb.catalog.records import page_url

if TYPE_CHECKING:
    from kb.models import Entry, Status


def entry_src(entry: Entry) -> str:
    """Source path of an entry's page, relative to the docs directory."""
    return f"entries/{entry.package}/{entry.id}.md"


def entry_url(entry: Entry) -> str:
    """Site-relative URL of an entry's page."""
    return page_url(entry.package, entry.id)


def package_src(package: str) -> str:
    """Source path of a package's index page."""
    return f"packages/{package}.md"


def status_anchor(status: Status) -> str:
    """Anchor of a status' section on the statuses page."""
    return status.value


def anchor(text: str) -> str:
    """A stable anchor for free text (an exception type, a tag)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def rel(from_src: str, to_src: str) -> str:
    """Relative Markdown link from one source page to another (mkdocs validates and rewrites it)."""
    return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


def src_url(src: str, directory_urls: bool = True) -> str:
    """The site URL mkdocs gives the page ``src`` (``""`` for the home page)."""
    stem = src.removesuffix(".md")
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def href(from_src: str, to_src: str, directory_urls: bool = True) -> str:
    """The link from one page to another in the built site, as mkdocs would write it for a
    Markdown link (for raw HTML that Markdown does not see)."""
    here, there = src_url(from_src, directory_urls), src_url(to_src, directory_urls)
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    target = posixpath.relpath(there or ".", base.rstrip("/") or ".")
    if there.endswith("/") or not there:
        return "./" if target == "." else target + "/"
    return target


PACKAGES_INDEX = "packages/index.md"
STATUSES = "statuses.md"
EXCEPTIONS = "exceptions.md"
TAGS = "tags.md"
RULES = "reference/rules.md"
FORMAT = "reference/format.md"
HOME = "index.md"
