"""``api/search.json``: what the site's own search page ranks over.

Per entry: its title, URL, package and status for the result list; each signature's
normalized text (an exact match is a normalized signature inside the normalized query,
as in ``kb search``), its regular expression and its terms; and a bag of terms with the
weight of the strongest field each appears in (signatures 4, title and packages 2,
examples, summary and tags 1). The page tokenizes the query with a port of
:func:`kb.normalize.normalize` and :func:`kb.normalize.tokens`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from kb.models import Entry
from kb.normalize import NORMALIZER_VERSION, normalize, unique_tokens
from kb.render import paths

SEARCH_INDEX_VERSION = 1
FIELD_WEIGHTS = {"sigs": 4, "title": 2, "packages": 2, "examples": 1, "summary": 1, "tags": 1}


def _bag(entry: Entry) -> dict[str, int]:
    fields = {
        "sigs": " ".join(
            [s.text for s in entry.signatures] + [s.exception or "" for s in entry.signatures]
        ),
        "title": entry.title,
        "packages": " ".join([entry.package, *entry.affected.packages()]).replace("-", "_"),
        "examples": " ".join(e.text for e in entry.examples),
        "summary": entry.summary,
        "tags": " ".join(entry.tags).replace("-", "_"),
    }
    bag: dict[str, int] = {}
    for name, text in fields.items():
        weight = FIELD_WEIGHTS[name]
        for term in unique_tokens(normalize(text)):
            if bag.get(term, 0) < weight:
                bag[term] = weight
    return dict(sorted(bag.items()))


def _doc(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "title": entry.title,
        "url": paths.entry_url(entry),
        "package": entry.package,
        "status": entry.status.value,
        "sigs": [
            {
                "n": normalize(s.text),
                "re": s.regex,
                "t": unique_tokens(normalize(s.text)),
            }
            for s in entry.signatures
        ],
        "w": _bag(entry),
    }


def search_json(entries: Sequence[Entry]) -> str:
    """The search page's index, compact and deterministic."""
    return "".join(search_json_chunks(entries))


def search_json_chunks(entries: Sequence[Entry]) -> Iterator[str]:
    """:func:`search_json` in pieces, one entry at a time."""
    from kb.render.exports import json_chunks

    head = {"version": SEARCH_INDEX_VERSION, "normalizer_version": NORMALIZER_VERSION}
    ordered = sorted(entries, key=lambda e: e.id)
    return json_chunks(head, "docs", (_doc(e) for e in ordered), indent=None)
