"""Every generated file of the site, as a mapping from site path to text.

Pure: given loaded entries and a few settings, returns the Markdown pages, JSON exports
and the feed. :mod:`kb.render.plugin` hands the result to mkdocs; the golden tests
compare it with files on disk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb.models import Entry, json_schema
from kb.render import (
    entry_page,
    exports,
    feed,
    index_pages,
    paths,
    rules_ref,
    schema_ref,
    search_index,
)
from kb.render.stash import Stash

if TYPE_CHECKING:
    from kb.verify.record import Verification


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """What the generated files depend on besides the entries."""

    edit_base: str | None = None
    """URL prefix that, followed by an entry file's repository path, edits that file."""
    site_url: str | None = None
    site_name: str = "kb"
    known_releases: Mapping[str, Sequence[str]] = field(default_factory=dict)
    feed_size: int = 50


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """An entry and the path of its YAML file relative to the repository."""

    entry: Entry
    yaml_path: str
    verification: Verification | None = None
    """What ``kb verify`` recorded for the entry as it is now, if anything."""


def generate(
    sources: Sequence[SourceEntry],
    settings: SiteSettings,
    rules: Sequence[rules_ref.RuleDoc] = (),
    stash: Stash | None = None,
) -> dict[str, str]:
    """Site path -> text for every generated page and export, sorted by path.

    With ``stash``, entry pages carry placeholders for their raw-HTML blocks (the plugin
    restores them after Markdown); without it every page is complete Markdown.
    """
    entries = sorted((s.entry for s in sources), key=lambda e: e.id)
    titles = {e.id: (paths.entry_src(e), e.title) for e in entries}
    out: dict[str, str] = {}
    by_package: dict[str, list[Entry]] = defaultdict(list)
    for src in sorted(sources, key=lambda s: s.entry.id):
        e = src.entry
        by_package[e.package].append(e)
        edit_url = settings.edit_base + src.yaml_path if settings.edit_base else None
        uri = paths.entry_src(e)
        out[uri] = entry_page.render(
            e,
            yaml_path=src.yaml_path,
            edit_url=edit_url,
            titles=titles,
            known_releases=settings.known_releases,
            stash=stash.for_page(uri) if stash is not None else None,
            verification=src.verification,
        )
        out[f"api/entries/{e.id}.json"] = exports.entry_json(e)
        out[f"api/osv/{e.id}.json"] = exports.osv_json(e)
    out[paths.PACKAGES_INDEX] = index_pages.packages_index(entries)
    for package, chosen in by_package.items():
        out[paths.package_src(package)] = index_pages.package_page(package, chosen)
    out[paths.STATUSES] = index_pages.statuses_page(entries)
    out[paths.EXCEPTIONS] = index_pages.exceptions_page(entries)
    out[paths.TAGS] = index_pages.tags_page(entries)
    out[paths.RULES] = rules_ref.rules_page(rules)
    out[paths.FORMAT] = schema_ref.format_page(json_schema())
    out["api/entries.json"] = exports.entries_json(entries)
    out["api/search.json"] = search_index.search_json(entries)
    out["feed.xml"] = feed.atom(
        entries, site_url=settings.site_url, title=settings.site_name, size=settings.feed_size
    )
    return dict(sorted(out.items()))


HOME_MARKERS = ("<!-- kb:stats -->", "<!-- kb:newest -->")
"""Placeholders in the hand-written home page that the generated parts replace."""


def fill_home(markdown: str, entries: Sequence[Entry], newest: int = 10) -> str:
    """The home page with its generated parts (counts, newest entries) filled in."""
    return markdown.replace(HOME_MARKERS[0], index_pages.home_stats(entries)).replace(
        HOME_MARKERS[1], index_pages.home_newest(entries, newest)
    )
