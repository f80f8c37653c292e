"""Every generated file of the site, as a mapping from site path to text.

Pure: given loaded entries and a few settings, returns the Markdown pages, JSON exports
and the feed. :mod:`kb.render.plugin` hands the result to mkdocs; the golden tests
compare it with files on disk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
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
    directory_urls: bool = True
    """Whether the site uses mkdocs' directory URLs (links in raw HTML are written for them)."""


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """An entry and the path of its YAML file relative to the repository."""

    entry: Entry
    yaml_path: str
    verification: Verification | None = None
    """What ``kb verify`` recorded for the entry as it is now, if anything."""


class Site:
    """Every generated file of the site, each rendered only when asked for.

    The plugin keeps one of these for a build and renders each page or export when mkdocs
    reads or copies it, so that no more than one page's text is held at a time.
    """

    def __init__(
        self,
        sources: Sequence[SourceEntry],
        settings: SiteSettings,
        rules: Sequence[rules_ref.RuleDoc] = (),
    ) -> None:
        self.settings = settings
        self.rules = tuple(rules)
        self.sources = sorted(sources, key=lambda s: s.entry.id)
        self.entries = [s.entry for s in self.sources]
        self.titles = {e.id: (paths.entry_src(e), e.title) for e in self.entries}
        self.by_package: dict[str, list[Entry]] = defaultdict(list)
        for e in self.entries:
            self.by_package[e.package].append(e)
        self._pages = {paths.entry_src(e): e for e in self.entries}
        self._makers: dict[str, Callable[[Stash | None], str]] = {}
        for src in self.sources:
            e = src.entry
            self._makers[paths.entry_src(e)] = partial(self._entry_page, src)
            self._makers[f"api/entries/{e.id}.json"] = _stashless(exports.entry_json, e)
            self._makers[f"api/osv/{e.id}.json"] = _stashless(exports.osv_json, e)
        self._makers[paths.PACKAGES_INDEX] = _stashless(index_pages.packages_index, self.entries)
        for package, chosen in self.by_package.items():
            self._makers[paths.package_src(package)] = self._lister(
                paths.package_src(package), partial(index_pages.package_page, package, chosen)
            )
        for path, page in (
            (paths.STATUSES, index_pages.statuses_page),
            (paths.EXCEPTIONS, index_pages.exceptions_page),
            (paths.TAGS, index_pages.tags_page),
        ):
            self._makers[path] = self._lister(path, partial(page, self.entries))
        self._makers[paths.RULES] = _stashless(rules_ref.rules_page, self.rules)
        self._makers[paths.FORMAT] = lambda _stash: schema_ref.format_page(json_schema())
        self._makers["api/entries.json"] = _stashless(exports.entries_json, self.entries)
        self._makers["api/search.json"] = _stashless(search_index.search_json, self.entries)
        self._makers["feed.xml"] = lambda _stash: feed.atom(
            self.entries, site_url=settings.site_url, title=settings.site_name,
            size=settings.feed_size,
        )  # fmt: skip

    def paths(self) -> list[str]:
        """Every generated site path, sorted."""
        return sorted(self._makers)

    def entry_of(self, path: str) -> Entry | None:
        """The entry whose page is ``path``, if it is an entry page."""
        return self._pages.get(path)

    def text(self, path: str, stash: Stash | None = None) -> str:
        """The text of one generated file. With ``stash``, an entry page's raw-HTML blocks
        are handed to it and placeholders stand in their place (see :mod:`kb.render.stash`)."""
        return self._makers[path](stash)

    def chunks(self, path: str) -> Iterable[str]:
        """The text of a generated file in pieces: the exports of every entry are written
        one entry at a time; any other file is one piece."""
        if path == "api/entries.json":
            return exports.entries_json_chunks(self.entries)
        if path == "api/search.json":
            return search_index.search_json_chunks(self.entries)
        return (self.text(path),)

    def _lister(self, path: str, page: Callable[..., str]) -> Callable[[Stash | None], str]:
        """The maker of a page listing entries (see :mod:`kb.render.index_pages`)."""
        directory_urls = self.settings.directory_urls

        def make(stash: Stash | None) -> str:
            handed = stash.for_page(path) if stash is not None else None
            return page(directory_urls=directory_urls, stash=handed)

        return make

    def _entry_page(self, src: SourceEntry, stash: Stash | None) -> str:
        e = src.entry
        settings = self.settings
        edit_url = settings.edit_base + src.yaml_path if settings.edit_base else None
        uri = paths.entry_src(e)
        return entry_page.render(
            e,
            yaml_path=src.yaml_path,
            edit_url=edit_url,
            titles=self.titles,
            known_releases=settings.known_releases,
            stash=stash.for_page(uri) if stash is not None else None,
            verification=src.verification,
            directory_urls=settings.directory_urls,
        )


def _stashless(make: Callable[..., str], *args: object) -> Callable[[Stash | None], str]:
    """A maker that ignores the stash (the page or export has no raw-HTML blocks to hand over)."""
    return lambda _stash: make(*args)


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
    site = Site(sources, settings, rules)
    return {path: site.text(path, stash) for path in site.paths()}


HOME_MARKERS = ("<!-- kb:stats -->", "<!-- kb:newest -->")
"""Placeholders in the hand-written home page that the generated parts replace."""


def fill_home(markdown: str, entries: Sequence[Entry], newest: int = 10) -> str:
    """The home page with its generated parts (counts, newest entries) filled in."""
    return markdown.replace(HOME_MARKERS[0], index_pages.home_stats(entries)).replace(
        HOME_MARKERS[1], index_pages.home_newest(entries, newest)
    )
