"""Index pages: the home page's generated parts, one page per package, statuses, exception
types and tags. Headings are Markdown (they make the table of contents); the lists of
entries are HTML with the links mkdocs would write, handed to the stash when there is one,
so that Markdown does not parse every entry of a big knowledge base again. The home page's
short list stays Markdown, with links mkdocs checks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from kb.models import Entry, Status
from kb.render import paths
from kb.render.entry_page import STATUS_WORDS, ranges, status_badge
from kb.render.markup import escape, inline, md_inline
from kb.render.stash import stashed


def newest_first(entries: Sequence[Entry]) -> list[Entry]:
    """Entries by creation date, newest first; ties by id."""
    by_id = sorted(entries, key=lambda e: e.id)
    return sorted(by_id, key=lambda e: e.created, reverse=True)


def last_change(entry: Entry) -> dt.date:
    """When the entry last changed: ``updated``, else ``created``."""
    return entry.updated or entry.created


StashFn = Callable[[str], str]


def _page(parts: list[str], stash: StashFn | None) -> str:
    return "\n\n".join(stashed(parts, stash) if stash is not None else parts) + "\n"


def _html_list(
    entries: Sequence[Entry], here: str, directory_urls: bool, *, package: bool = True
) -> str:
    if not entries:
        return "<p>None.</p>"
    items = []
    for e in entries:
        target = escape(paths.href(here, paths.entry_src(e), directory_urls))
        where = f"<code>{escape(e.package)}</code> · " if package else ""
        items.append(
            f'<li><a href="{target}">{inline(e.title)}</a><br>'
            f"{where}{ranges(e)} · {status_badge(e.status)} · {e.created.isoformat()}</li>"
        )
    return f'<ul class="kb-entry-list">{"".join(items)}</ul>'


def _item(entry: Entry, here: str, *, package: bool = True) -> str:
    target = paths.rel(here, paths.entry_src(entry))
    where = f"<code>{md_inline(entry.package)}</code> · " if package else ""
    return (
        f"- [{md_inline(entry.title)}]({target})  \n"
        f"  {where}{ranges(entry)} · {status_badge(entry.status)} · {entry.created.isoformat()}"
    )


def _list(entries: Sequence[Entry], here: str, *, package: bool = True) -> str:
    if not entries:
        return "None."
    return "\n".join(_item(e, here, package=package) for e in entries)


def home_stats(entries: Sequence[Entry]) -> str:
    """Counts for the home page: entries, packages, and entries per status."""
    by_status: dict[Status, int] = defaultdict(int)
    for e in entries:
        by_status[e.status] += 1
    packages = len({e.package for e in entries})
    reproduced = sum(1 for e in entries if e.evidence.reproduced.done)
    lines = [
        f"**{len(entries)}** entries for **{packages}** packages; **{reproduced}** reproduced.",
        "",
        "| Status | Entries |",
        "| --- | ---: |",
    ]
    for status in Status:
        link = f"{paths.rel(paths.HOME, paths.STATUSES)}#{paths.status_anchor(status)}"
        lines.append(f"| [{STATUS_WORDS[status]}]({link}) | {by_status.get(status, 0)} |")
    return "\n".join(lines)


def home_newest(entries: Sequence[Entry], count: int = 10) -> str:
    """The newest entries, for the home page."""
    return _list(newest_first(entries)[:count], paths.HOME)


def packages_index(entries: Sequence[Entry]) -> str:
    """The list of packages with their entry counts."""
    counts: dict[str, int] = defaultdict(int)
    for e in entries:
        counts[e.package] += 1
    here = paths.PACKAGES_INDEX
    lines = ["# Packages", "", "| Package | Entries |", "| --- | ---: |"]
    for name in sorted(counts):
        target = paths.rel(here, paths.package_src(name))
        lines.append(f"| [{md_inline(name)}]({target}) | {counts[name]} |")
    return "\n".join(lines) + "\n"


def package_page(
    package: str,
    entries: Sequence[Entry],
    *,
    directory_urls: bool = True,
    stash: StashFn | None = None,
) -> str:
    """One package's known failures, newest first, with their affected ranges."""
    here = paths.package_src(package)
    parts = [
        f"# {md_inline(package)}",
        f"Known failures filed under `{package}`, newest first.",
        _html_list(newest_first(entries), here, directory_urls, package=False),
    ]
    return _page(parts, stash)


def statuses_page(
    entries: Sequence[Entry], *, directory_urls: bool = True, stash: StashFn | None = None
) -> str:
    """Entries grouped by status, newest first within each."""
    here = paths.STATUSES
    parts = ["# Entries by status"]
    for status in Status:
        chosen = [e for e in entries if e.status is status]
        parts.append(f"## {STATUS_WORDS[status].capitalize()} {{ #{paths.status_anchor(status)} }}")
        parts.append(_html_list(newest_first(chosen), here, directory_urls))
    return _page(parts, stash)


def exceptions_page(
    entries: Sequence[Entry], *, directory_urls: bool = True, stash: StashFn | None = None
) -> str:
    """Entries grouped by the exception types their signatures name."""
    return _grouped_page(
        "# Entries by exception type",
        paths.EXCEPTIONS,
        entries,
        lambda e: [s.exception for s in e.signatures if s.exception],
        md_inline,
        directory_urls=directory_urls,
        stash=stash,
    )


def tags_page(
    entries: Sequence[Entry], *, directory_urls: bool = True, stash: StashFn | None = None
) -> str:
    """Entries grouped by tag."""
    return _grouped_page(
        "# Entries by tag",
        paths.TAGS,
        entries,
        lambda e: e.tags,
        str,
        directory_urls=directory_urls,
        stash=stash,
    )


def _grouped_page(
    title: str,
    here: str,
    entries: Sequence[Entry],
    keys: Callable[[Entry], Iterable[str]],
    heading: Callable[[str], str],
    *,
    directory_urls: bool,
    stash: StashFn | None,
) -> str:
    """A page with a section per key, each listing its entries newest first."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        for key in dict.fromkeys(keys(e)):
            groups[key].append(e)
    parts = [title]
    if not groups:
        parts.append("None.")
    for key in sorted(groups):
        parts.append(f"## {heading(key)} {{ #{paths.anchor(key)} }}")
        parts.append(_html_list(newest_first(groups[key]), here, directory_urls))
    return _page(parts, stash)
