"""KB6xx: evidence and prose: links, dates, related ids, reproductions and the text itself."""

from __future__ import annotations

import ast
import datetime as dt
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kb.lint.context import Corpus, EntryContext
from kb.lint.registry import Finding, Scope, declare
from kb.models import Entry, Language
from kb.scaffold import FILL_IN

Loc = tuple[str | int, ...]


_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?(?:[/?#]\S*)?"
)
_SPACE = re.compile(r"\s")


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an absolute http(s) URL with a host, or None when it is."""
    if _PLAIN_URL.fullmatch(url):
        return None
    if _SPACE.search(url):
        return "contains whitespace"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        return f"does not parse ({exc})"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not host:
        return "has no host"
    return None


def _urls(entry: Entry) -> Iterator[tuple[Loc, str]]:
    for i, ex in enumerate(entry.examples):
        if ex.source is not None:
            yield ("examples", i, "source"), ex.source
    for i, ref in enumerate(entry.evidence.references):
        yield ("evidence", "references", i, "url"), ref.url
    for i, exc in enumerate(entry.evidence.excerpts):
        yield ("evidence", "excerpts", i, "url"), exc.url
    for i, src in enumerate(entry.sources):
        yield ("sources", i, "url"), src.url


@declare("KB601", "unknown-related-id", "A related id names no entry.", Scope.CORPUS)
def unknown_related_id(corpus: Corpus) -> Iterator[Finding]:
    """
    ## What
    An id in `related:` is not the id of any entry.

    ## Why
    The site links related entries by id; a wrong id is a dead link, usually a typo or an
    entry that was renamed.

    ## Example
    ```yaml
    related: [flask-5264-werkzeug-3-url-quot]   # the entry is ...-url-quote
    ```
    """
    known = {rec.id for rec in corpus.records} | corpus.other_ids
    unresolved = [
        (rid, loc) for rec in corpus.records for rid, loc in rec.related if rid not in known
    ]
    if not unresolved:
        return
    # Linting some files only (a pre-commit run): ids of the other entries are their file names.
    for root in corpus.roots:
        known.update(_ids_on_disk(root))
    for rid, loc in unresolved:
        if rid not in known:
            yield loc, f"related id {rid!r} is not the id of any entry"


def _ids_on_disk(root: Path) -> set[str]:
    ids: set[str] = set()
    try:
        folders = [p for p in root.iterdir() if p.is_dir()]
    except OSError:
        return ids
    for folder in folders:
        try:
            ids.update(
                p.name.rsplit(".", 1)[0] for p in folder.iterdir() if p.suffix in (".yaml", ".yml")
            )
        except OSError:
            continue
    return ids


@declare("KB602", "invalid-url", "A URL is not an absolute http(s) URL with a host.", Scope.ENTRY)
def invalid_url(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    A URL in `examples[].source`, `evidence.references`, `evidence.excerpts` or `sources`
    is not an absolute `http://` or `https://` URL with a host.

    ## Why
    Evidence must be checkable by clicking it. Relative links, `file:` links and links
    with spaces break on the site; `javascript:` links are unsafe.

    ## Example
    ```yaml
    url: github.com/pallets/flask/issues/5264   # write https://github.com/...
    ```
    """
    for loc, url in _urls(ctx.loaded.entry):
        why = url_problem(url)
        if why is not None:
            yield ctx.location(*loc), f"URL {url!r} {why}"


@declare("KB603", "future-date", "A date lies in the future.", Scope.ENTRY)
def future_date(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    `created`, `updated` or `last_verified` is later than today.

    ## Why
    Dates tell readers how fresh the facts are; a date in the future is a typo (often the
    year) and would make a stale entry look current.

    ## Example
    ```yaml
    last_verified: 2062-03-01   # meant 2026-03-01
    ```
    """
    entry = ctx.loaded.entry
    today = dt.date.today()
    for key in ("created", "updated", "last_verified"):
        value: dt.date | None = getattr(entry, key)
        if value is not None and value > today:
            yield ctx.location(key), f"{key} {value.isoformat()} is in the future"


@declare("KB604", "missing-last-verified", "The entry has no last_verified date.", Scope.ENTRY)
def missing_last_verified(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    The entry does not say when its facts were last checked against the primary sources.

    ## Why
    Version ranges and fixes go stale as packages release; readers need to know how old
    the verification is, and maintainers use it to pick entries to re-check.

    ## Example
    ```yaml
    created: 2026-01-10
    last_verified: 2026-02-01   # add this
    ```
    """
    if ctx.loaded.entry.last_verified is None:
        yield (
            ctx.location("created"),
            "last_verified is missing; add the date the facts were checked",
        )


@declare(
    "KB605",
    "reproduction-syntax-error",
    "A Python reproduction does not parse.",
    Scope.ENTRY,
)
def reproduction_syntax_error(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    `reproduction.code` with `language: python` is not valid Python.

    ## Why
    A reproduction is meant to be run; one that fails with a SyntaxError reproduces
    nothing and wastes the reader's time.

    ## Example
    ```yaml
    reproduction:
      language: python
      code: |
        from flask import Flask
        app = Flask(__name__
    ```
    """
    repro = ctx.loaded.entry.reproduction
    if repro is None or repro.language is not Language.PYTHON:
        return
    try:
        if "\\" in repro.code:
            with warnings.catch_warnings():
                # Invalid escape sequences warn at parse time; only errors count here.
                warnings.simplefilter("ignore")
                ast.parse(repro.code)
        else:
            ast.parse(repro.code)
    except SyntaxError as exc:
        yield (
            ctx.location("reproduction", "code"),
            f"reproduction does not parse: {exc.msg} (line {exc.lineno} of the code)",
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        yield ctx.location("reproduction", "code"), f"reproduction does not parse: {exc}"


_CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
_TAG = re.compile(r"<!--|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


def _prose(entry: Entry) -> Iterator[tuple[Loc, str]]:
    for key in ("title", "summary", "what_broke", "why", "trigger", "verify"):
        yield (key,), getattr(entry, key)
    for i, text in enumerate(entry.prevention):
        yield ("prevention", i), text
    for i, fix in enumerate(entry.fixes):
        yield ("fixes", i, "summary"), fix.summary
        for j, step in enumerate(fix.steps):
            yield ("fixes", i, "steps", j), step
        yield ("fixes", i, "when_not_to_use"), fix.when_not_to_use
    for i, near in enumerate(entry.near_misses):
        yield ("near_misses", i, "why"), near.why
    for where, conditions in entry.affected.sets():
        for i, cond in enumerate(conditions.conditions):
            if cond.note:
                yield (*where, "conditions", i, "note"), cond.note
    ev = entry.evidence
    yield ("evidence", "reproduced", "how"), ev.reproduced.how
    for i, text in enumerate(ev.checked):
        yield ("evidence", "checked", i), text
    for i, text in enumerate(ev.unverified):
        yield ("evidence", "unverified", i), text
    for i, ref in enumerate(ev.references):
        if ref.title:
            yield ("evidence", "references", i, "title"), ref.title
        if ref.note:
            yield ("evidence", "references", i, "note"), ref.note
    for i, exc in enumerate(ev.excerpts):
        yield ("evidence", "excerpts", i, "quote"), exc.quote
    for i, src in enumerate(entry.sources):
        yield ("sources", i, "title"), src.title


def html_tag(text: str) -> str | None:
    """The first raw HTML tag of Markdown ``text`` outside code spans, or None."""
    if "<" not in text:
        return None
    match = _TAG.search(_CODE_SPAN.sub("", text))
    return match.group() if match else None


@declare("KB606", "raw-html", "Prose contains raw HTML outside backticks.", Scope.ENTRY)
def raw_html(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    A prose field (title, summary, why, fixes, evidence notes, ...) contains an HTML tag
    such as `<script>` or `</div>`, or an HTML comment, outside backticks.

    ## Why
    Prose is rendered as Markdown on the site. Raw HTML either disappears (so words
    like `<module>` vanish from the page) or is injected into it. Put code, including
    `<module>`, in backticks.

    ## Example
    ```yaml
    summary: Fails in <module> when imported.   # write `<module>`
    ```
    """
    for loc, text in _prose(ctx.loaded.entry):
        tag = html_tag(text)
        if tag is not None:
            shown = tag if len(tag) <= 40 else tag[:37] + "..."
            yield ctx.location(*loc), f"raw HTML {shown!r} in prose; put code in backticks"


def _strings(data: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, str(key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*loc, i))


@declare("KB607", "fill-in-placeholder", "A skeleton placeholder was not filled in.", Scope.ENTRY)
def fill_in_placeholder(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    A value still contains `FILL IN`, the marker of the skeleton that `kb new` writes.

    ## Why
    The skeleton is valid against the schema so that editors can help while it is
    written; this rule keeps an unfinished entry from being committed unnoticed.

    ## Example
    ```yaml
    title: "FILL IN: one line naming the failure"
    ```
    """
    if FILL_IN.encode() not in ctx.raw:
        return
    for loc, text in _strings(ctx.loaded.document.data, ()):
        if FILL_IN in text:
            first = text.strip().splitlines()[0] if text.strip() else text
            if len(first) > 60:
                first = first[:57] + "..."
            yield ctx.location(*loc), f"placeholder not filled in: {first!r}"
