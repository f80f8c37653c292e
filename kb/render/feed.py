"""An Atom feed of new and updated entries, newest change first."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urljoin

from kb.models import Entry
from kb.render import paths
from kb.render.index_pages import last_change
from kb.render.markup import escape


def _iso(entry: Entry) -> str:
    return last_change(entry).isoformat() + "T00:00:00Z"


def atom(entries: Sequence[Entry], *, site_url: str | None, title: str, size: int = 50) -> str:
    """The feed text; links are absolute when ``site_url`` is known, else site-relative."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    chosen = sorted(sorted(entries, key=lambda e: e.id), key=last_change, reverse=True)[:size]
    updated = _iso(chosen[0]) if chosen else "1970-01-01T00:00:00Z"
    feed_id = urljoin(base, "feed.xml") if base else "urn:kb:feed"
    items = []
    for e in chosen:
        href = urljoin(base, paths.entry_url(e)) if base else paths.entry_url(e)
        kind = "Updated" if e.updated and e.updated != e.created else "New"
        entry_id = href if base else f"urn:kb:entry:{e.id}"
        items.append(
            "  <entry>\n"
            f"    <id>{escape(entry_id)}</id>\n"
            f"    <title>{escape(e.title)}</title>\n"
            f'    <link rel="alternate" type="text/html" href="{escape(href)}"/>\n'
            f"    <published>{e.created.isoformat()}T00:00:00Z</published>\n"
            f"    <updated>{_iso(e)}</updated>\n"
            f'    <category term="{escape(e.package)}"/>\n'
            f'    <summary type="text">{escape(kind + ": " + e.summary)}</summary>\n'
            "  </entry>\n"
        )
    self_link = (
        f'  <link rel="self" type="application/atom+xml" href="{escape(feed_id)}"/>\n'
        if base
        else ""
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <id>{escape(feed_id)}</id>\n"
        f"  <title>{escape(title)}</title>\n"
        f"  <updated>{updated}</updated>\n"
        f"{self_link}"
        "  <author><name>kb contributors</name></author>\n"
        f"{''.join(items)}"
        "</feed>\n"
    )
