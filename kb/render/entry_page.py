"""The page of one entry: the same sections, in the same order, for every entry.

Title and status line, signatures, error example, what broke and why, version
compatibility, fix options, how to verify, prevention, minimal reproduction, evidence,
related entries, sources, and a link to edit the entry's YAML file. Headings are fixed
words; all entry text goes through :mod:`kb.render.markup`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from kb.models import Entry, Reference, ReferenceKind, Status
from kb.render import compat
from kb.render.markup import (
    escape,
    highlighted_block,
    inline,
    link,
    md_inline,
    paragraphs,
    pre_block,
)
from kb.render.paths import entry_src, href
from kb.render.stash import stashed

if TYPE_CHECKING:
    from kb.verify.record import Verification

SECTIONS = (
    "Signatures",
    "Error example",
    "What broke and why",
    "Version compatibility",
    "Fix options",
    "How to verify",
    "Prevention",
    "Minimal reproduction",
    "Evidence",
    "Related entries",
    "Sources",
    "Edit this entry",
)
"""The second-level headings of every entry page, in order."""

STATUS_WORDS = {
    Status.FIXED_UPSTREAM: "fixed upstream",
    Status.FIXED_IN_DEPENDENTS: "fixed in dependents",
    Status.WORKAROUND_ONLY: "workaround only",
    Status.WONT_FIX: "won't fix",
    Status.OPEN: "open",
}


def status_badge(status: Status) -> str:
    """The status as a coloured badge that also reads as words."""
    return (
        f'<span class="kb-badge kb-badge--{status.value}" data-status="{status.value}">'
        f"{escape(STATUS_WORDS[status])}</span>"
    )


def ranges(entry: Entry) -> str:
    """The affected ranges as one line, e.g. ``acme-web <2.3 (fixed in 2.3)``.

    Safe both in raw HTML and in Markdown text.
    """
    # md_inline escapes for HTML and for Markdown alike, so the line fits both contexts.
    sets = []
    for _, conditions in entry.affected.sets():
        parts = []
        for cond in conditions.conditions:
            label = "Python" if cond.package == "python" else cond.package
            fixed = f" (fixed in {md_inline(cond.fixed)})" if cond.fixed else ""
            parts.append(f"<code>{md_inline(label)} {md_inline(cond.specifier)}</code>{fixed}")
        text = " with ".join(parts)
        if conditions.marker:
            text += f" on <code>{md_inline(conditions.marker)}</code>"
        sets.append(text)
    return "; or ".join(sets)


def upstream_issue(entry: Entry) -> Reference | None:
    """The first reference of kind ``issue``, if any."""
    return next((r for r in entry.evidence.references if r.kind is ReferenceKind.ISSUE), None)


def _status_line(entry: Entry) -> str:
    names = [p for p in entry.affected.packages() if p != "python"]
    packages = ", ".join(
        f"<code>{escape(p)}</code>" for p in dict.fromkeys([entry.package, *names])
    )
    issue = upstream_issue(entry)
    issue_html = link(issue.url, issue.title or issue.url) if issue else "none recorded"
    verified = entry.last_verified.isoformat() if entry.last_verified else "never"
    reproduced = (
        '<strong class="kb-reproduced" data-reproduced="true">reproduced</strong>'
        if entry.evidence.reproduced.done
        else '<strong class="kb-reproduced" data-reproduced="false">not reproduced</strong>'
    )
    items = [
        ("Packages", packages),
        ("Affected", ranges(entry)),
        ("Status", status_badge(entry.status)),
        ("Upstream issue", issue_html),
        ("Last verified", escape(verified)),
        ("Confidence", f"{round(entry.evidence.confidence * 100)}%"),
        ("Reproduction", reproduced),
    ]
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    return f'<dl class="kb-status-line">{body}</dl>'


def _signatures(entry: Entry) -> list[str]:
    out = []
    for sig in entry.signatures:
        label = f"{sig.kind.value}"
        if sig.exception:
            label += f" · <code>{escape(sig.exception)}</code>"
        out.append(f'<p class="kb-label">{label}</p>')
        out.append(pre_block(sig.text))
        if sig.regex:
            out.append('<p class="kb-label">regular expression</p>')
            out.append(pre_block(sig.regex))
    if entry.near_misses:
        out.append('<p class="kb-label">Not this failure (look-alikes)</p>')
        items = "".join(
            f"<li><code>{escape(n.text)}</code>: {inline(n.why)}</li>" for n in entry.near_misses
        )
        out.append(f"<ul>{items}</ul>")
    return out


def _examples(entry: Entry) -> list[str]:
    out = []
    for ex in entry.examples:
        source = f" from {link(ex.source, ex.source)}" if ex.source else ""
        out.append(f'<p class="kb-label">{escape(ex.kind.value)}{source}</p>')
        out.append(pre_block(ex.text))
    return out


def _what_broke(entry: Entry) -> list[str]:
    return [
        '<p class="kb-label">What broke</p>',
        paragraphs(entry.what_broke),
        '<p class="kb-label">Why</p>',
        paragraphs(entry.why),
        '<p class="kb-label">Trigger</p>',
        paragraphs(entry.trigger),
    ]


def _compat(
    entry: Entry,
    known: Mapping[str, Sequence[str]] | None,
    verification: Verification | None = None,
) -> list[str]:
    sets = entry.affected.sets()
    runs = compat.verified_runs(verification) if verification is not None else None
    out: list[str] = []
    for number, (_, conditions) in enumerate(sets):
        if len(sets) > 1:
            lead = "Affected when" if number == 0 else "Or, also affected when"
            out.append(f'<p class="kb-label">{lead}:</p>')
        dims = compat.dimensions(conditions.conditions, known)
        out.extend(compat.tables(dims, runs))
        notes = [c for c in conditions.conditions if c.note]
        if notes:
            items = "".join(
                f"<li><code>{escape(c.package)}</code>: {inline(c.note or '')}</li>" for c in notes
            )
            out.append(f"<ul>{items}</ul>")
        if conditions.marker:
            out.append(
                f"<p>Only where the environment marker <code>{escape(conditions.marker)}</code> "
                "holds.</p>"
            )
    out.append(compat.LEGEND)
    if verification is not None:
        out.append(compat.verified_legend(verification))
    return out


def _fixes(entry: Entry) -> list[str]:
    out = []
    for number, fix in enumerate(entry.fixes, start=1):
        out.append(f"### {number}. {md_inline(fix.summary)}")
        meta = f'<p class="kb-label">{escape(fix.kind.value)}'
        if fix.requires:
            meta += f" · requires <code>{escape(fix.requires)}</code>"
        out.append(meta + "</p>")
        steps = "".join(f"<li>{inline(s)}</li>" for s in fix.steps)
        out.append(f"<ol>{steps}</ol>")
        out.append(
            f'<p class="kb-when-not"><strong>When not to use:</strong> '
            f"{inline(fix.when_not_to_use)}</p>"
        )
    return out


def _reproduction(entry: Entry) -> list[str]:
    repro = entry.reproduction
    if repro is None:
        return ["<p>No minimal reproduction recorded.</p>"]
    out = []
    if repro.setup:
        out.append('<p class="kb-label">Setup</p>')
        out.append(highlighted_block("\n".join(repro.setup), "shell"))
    lang = {"python": "python", "shell": "shell", "text": "text"}[repro.language.value]
    if repro.python:
        out.append(f"<p>Runs on CPython {escape(repro.python)}.</p>")
    out.append(f'<p class="kb-label">{escape(repro.language.value)}</p>')
    out.append(highlighted_block(repro.code, lang))
    return out


def _evidence(entry: Entry) -> list[str]:
    ev = entry.evidence
    done = "Reproduced" if ev.reproduced.done else "Not reproduced"
    out = [
        f"<p><strong>{done}:</strong> {inline(ev.reproduced.how)}</p>",
        f"<p><strong>Confidence:</strong> {round(ev.confidence * 100)}%</p>",
    ]
    refs = "".join(
        f'<li><span class="kb-ref-kind">{escape(r.kind.value)}</span> '
        f"{link(r.url, r.title or r.url)}{': ' + inline(r.note) if r.note else ''}</li>"
        for r in ev.references
    )
    out.append(f'<ul class="kb-references">{refs}</ul>')
    checked = "".join(f"<li>{inline(c)}</li>" for c in ev.checked)
    out.append(f'<p class="kb-label">Checked</p>\n<ul>{checked}</ul>')
    if ev.unverified:
        unverified = "".join(f"<li>{inline(u)}</li>" for u in ev.unverified)
        out.append(f'<p class="kb-label">Not verified</p>\n<ul>{unverified}</ul>')
    if ev.excerpts:
        quotes = "".join(
            f"<blockquote><p>{inline(x.quote)}</p><p>— {link(x.url, x.author)}</p></blockquote>"
            for x in ev.excerpts
        )
        out.append(f'<div class="kb-excerpts">{quotes}</div>')
    return out


def _related(
    entry: Entry, titles: Mapping[str, tuple[str, str]], directory_urls: bool = True
) -> list[str]:
    if not entry.related:
        return ["<p>None.</p>"]
    here = entry_src(entry)
    items = []
    for rid in entry.related:
        target = titles.get(rid)
        if target is None:
            # An unknown id is a lint finding; the page shows it without a broken link.
            items.append(f"<li><code>{escape(rid)}</code> (not in this knowledge base)</li>")
        else:
            src, title = target
            url = escape(href(here, src, directory_urls))
            items.append(f'<li><a href="{url}">{inline(title)}</a></li>')
    return [f"<ul>{''.join(items)}</ul>"]


def _sources(entry: Entry) -> list[str]:
    if not entry.sources:
        return ["<p>None.</p>"]
    items = "".join(f"<li>{link(s.url, s.title)}</li>" for s in entry.sources)
    return [f"<ul>{items}</ul>"]


def render(
    entry: Entry,
    *,
    yaml_path: str,
    edit_url: str | None,
    titles: Mapping[str, tuple[str, str]],
    known_releases: Mapping[str, Sequence[str]] | None = None,
    stash: Callable[[str], str] | None = None,
    verification: Verification | None = None,
    directory_urls: bool = True,
) -> str:
    """The Markdown source of an entry's page.

    ``yaml_path`` is the entry file relative to the repository, ``edit_url`` where to edit it
    (None when the site has no repository URL), ``titles`` maps entry ids to
    ``(page source path, title)`` for related links, written for mkdocs' directory URLs
    unless ``directory_urls`` is false. ``stash``, when given, receives each run of
    raw-HTML blocks and returns the text to put in its place (see :mod:`kb.render.stash`).
    """
    if edit_url is not None and link(edit_url).startswith("<a "):
        edit = f'<p><a class="kb-edit" href="{escape(edit_url)}">Edit this entry</a> '
        edit += f"(<code>{escape(yaml_path)}</code>)</p>"
    else:
        edit = f'<p class="kb-edit">Edit <code>{escape(yaml_path)}</code> in the repository.</p>'
    sections: list[tuple[str, list[str]]] = [
        ("Signatures", _signatures(entry)),
        ("Error example", _examples(entry)),
        ("What broke and why", _what_broke(entry)),
        ("Version compatibility", _compat(entry, known_releases, verification)),
        ("Fix options", _fixes(entry)),
        ("How to verify", [paragraphs(entry.verify)]),
        (
            "Prevention",
            [
                "<ul>" + "".join(f"<li>{inline(p)}</li>" for p in entry.prevention) + "</ul>"
                if entry.prevention
                else "<p>None recorded.</p>"
            ],
        ),
        ("Minimal reproduction", _reproduction(entry)),
        ("Evidence", _evidence(entry)),
        ("Related entries", _related(entry, titles, directory_urls)),
        ("Sources", _sources(entry)),
        ("Edit this entry", [edit]),
    ]
    tags = " ".join(f"<code>{escape(t)}</code>" for t in entry.tags)
    parts = [
        f"# {md_inline(entry.title)}",
        _status_line(entry),
        paragraphs(entry.summary, "kb-summary"),
    ]
    if tags:
        parts.append(f'<p class="kb-tags">Tags: {tags}</p>')
    for heading, blocks in sections:
        parts.append(f"## {heading}")
        parts.extend(blocks)
    if stash is not None:
        parts = stashed(parts, stash)
    return "\n\n".join(parts) + "\n"
