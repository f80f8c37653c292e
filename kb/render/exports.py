"""Machine-readable exports: all entries as one JSON, one JSON per entry, and OSV records.

The OSV records follow the OSV schema (https://ossf.github.io/osv-schema/) so that tools
which read vulnerability databases can read the knowledge base: each package condition
becomes an ``affected`` item with ``ECOSYSTEM`` ranges and the known releases in range;
the exact PEP 440 specifiers, the interpreter condition, the signatures and the fixes go in
``database_specific``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from kb.models import SCHEMA_VERSION, Condition, Entry, ReferenceKind
from kb.normalize import NORMALIZER_VERSION
from kb.render import paths

OSV_SCHEMA_VERSION = "1.6.0"
EXPORT_VERSION = 1
"""Version of the shape of ``api/entries.json``; bumped on incompatible changes."""


def dumps(data: object) -> str:
    """Deterministic JSON text."""
    return indented_json(data) + "\n"


def indented_json(data: object) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)``, the same text.

    With ``indent`` the json module gives up its C encoder for a pure-Python one built of
    nested generators, which was the larger part of writing the exports. This writes the
    same layout directly and escapes strings with the C function json uses itself. Data
    it does not know (a key that is not a string, a value of another type) is left to
    ``json.dumps``.
    """
    out: list[str] = []
    try:
        _indent(data, "\n", out)
    except _Unhandled:
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return "".join(out)


class _Unhandled(Exception):
    """A value :func:`indented_json` leaves to ``json.dumps``."""


_STRING = json.encoder.encode_basestring


def _float(value: float) -> str:
    """A float as json writes it (``NaN`` and the infinities as JavaScript spells them)."""
    if math.isnan(value):
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _indent(value: object, newline: str, out: list[str]) -> None:
    """Append the JSON of ``value`` to ``out``; ``newline`` is a newline and the current
    indentation."""
    if isinstance(value, str):
        out.append(_STRING(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        lead = "{" + inner
        for key in sorted(value):
            if not isinstance(key, str):
                raise _Unhandled
            out.append(lead + _STRING(key) + ": ")
            _indent(value[key], inner, out)
            lead = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        lead = "[" + inner
        for item in value:
            out.append(lead)
            _indent(item, inner, out)
            lead = "," + inner
        out.append(newline + "]")
    elif type(value) is int:
        out.append(int.__repr__(value))
    elif type(value) is float:
        out.append(_float(value))
    else:
        raise _Unhandled


def entry_data(entry: Entry) -> dict[str, Any]:
    """An entry as JSON data, with its page URL relative to the site root."""
    data = entry.model_dump(mode="json", exclude_none=True)
    data["url"] = paths.entry_url(entry)
    return data


def entries_json(entries: Sequence[Entry]) -> str:
    """``api/entries.json``: every entry, sorted by id, with the format versions."""
    return "".join(entries_json_chunks(entries))


def entries_json_chunks(entries: Sequence[Entry]) -> Iterator[str]:
    """:func:`entries_json` in pieces, one entry at a time (a big KB's export is never
    held whole, nor all its entries as JSON data at once)."""
    head = {
        "export_version": EXPORT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "normalizer_version": NORMALIZER_VERSION,
        "count": len(entries),
    }
    ordered = sorted(entries, key=lambda e: e.id)
    return json_chunks(head, "entries", (entry_data(e) for e in ordered), indent=2)


_ITEMS = "\x00kb-items\x00"


def json_chunks(
    data: Mapping[str, Any], key: str, items: Iterable[Any], *, indent: int | None
) -> Iterator[str]:
    """The text of ``json.dumps({**data, key: list(items)})`` (keys sorted, UTF-8 kept,
    ``indent`` as given or compact, a final newline), one item at a time."""
    compact = (",", ":") if indent is None else None

    def dump(value: Any) -> str:
        if indent == 2:
            return indented_json(value)
        return json.dumps(
            value, ensure_ascii=False, indent=indent, sort_keys=True, separators=compact
        )

    before, after = (dump({**data, key: [_ITEMS]}) + "\n").split(json.dumps(_ITEMS))
    prefix = before[before.rindex("\n") + 1 :] if indent is not None else ""
    between = ",\n" + prefix if indent is not None else ","
    first = True
    for item in items:
        if first:
            yield before
        text = dump(item)
        if prefix:
            text = text.replace("\n", "\n" + prefix)
        yield text if first else between + text
        first = False
    if first:  # no items: the empty list
        yield dump({**data, key: []}) + "\n"
    else:
        yield after


def entry_json(entry: Entry) -> str:
    """``api/entries/<id>.json``: one entry."""
    return dumps({"schema_version": SCHEMA_VERSION, "entry": entry_data(entry)})


_OSV_REF = {
    ReferenceKind.ISSUE: "REPORT",
    ReferenceKind.FIX: "FIX",
    ReferenceKind.COMMIT: "FIX",
    ReferenceKind.CHANGELOG: "WEB",
    ReferenceKind.RELEASE: "PACKAGE",
    ReferenceKind.DUPLICATE: "REPORT",
    ReferenceKind.DISCUSSION: "DISCUSSION",
    ReferenceKind.DOCS: "WEB",
}


def osv_events(cond: Condition) -> list[dict[str, str]]:
    """OSV range events for a PEP 440 specifier, as close as OSV can say it.

    ``>=``/``==`` open a range, ``<`` closes it as fixed, ``<=`` as last affected; the
    exact specifier is kept in ``database_specific`` because OSV cannot express
    exclusions (``!=``) or exclusive lower bounds (``>``).
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec = SpecifierSet(cond.specifier)
    except InvalidSpecifier:
        return [{"introduced": "0"}]
    introduced = "0"
    closing: dict[str, str] = {}
    for clause in sorted(spec, key=str):
        if clause.operator in (">=", "==", "===", "~=", ">") and "*" not in clause.version:
            introduced = clause.version
        elif clause.operator == "<":
            closing = {"fixed": clause.version}
        elif clause.operator == "<=":
            closing = {"last_affected": clause.version}
    if not closing and cond.fixed:
        closing = {"fixed": cond.fixed}
    clauses = list(spec)
    if len(clauses) == 1 and clauses[0].operator in ("==", "===") and not closing:
        closing = {"last_affected": introduced}
    return [{"introduced": introduced}, *([closing] if closing else [])]


def _osv_affected(cond: Condition) -> dict[str, Any]:
    """The OSV ``affected`` item of one package condition."""
    from kb.matching import versions_in_range

    versions = [
        v for v, inside in versions_in_range(cond.specifier, cond.releases).items() if inside
    ]
    item: dict[str, Any] = {
        "package": {"ecosystem": "PyPI", "name": cond.package},
        "ranges": [{"type": "ECOSYSTEM", "events": osv_events(cond)}],
        "database_specific": {"specifier": cond.specifier},
    }
    if versions:
        item["versions"] = versions
    return item


def osv_record(entry: Entry) -> dict[str, Any]:
    """The OSV record of an entry: one ``affected`` item per package range of any
    condition set; the exact sets are in ``database_specific``."""
    affected = []
    seen: set[tuple[str, str]] = set()
    for _, conditions in entry.affected.sets():
        for cond in conditions.conditions:
            if cond.package == "python" or (cond.package, cond.specifier) in seen:
                continue
            seen.add((cond.package, cond.specifier))
            affected.append(_osv_affected(cond))
    modified = (entry.updated or entry.created).isoformat() + "T00:00:00Z"
    return {
        "schema_version": OSV_SCHEMA_VERSION,
        "id": f"KB-{entry.id}",
        "published": entry.created.isoformat() + "T00:00:00Z",
        "modified": modified,
        "summary": entry.title,
        "details": entry.summary,
        "affected": affected,
        "references": [{"type": _OSV_REF[r.kind], "url": r.url} for r in entry.evidence.references],
        "database_specific": {
            "kb_schema_version": SCHEMA_VERSION,
            "status": entry.status.value,
            "conditions": [
                c.model_dump(mode="json", exclude_none=True) for c in entry.affected.conditions
            ],
            "marker": entry.affected.marker,
            **(
                {
                    "alternatives": [
                        a.model_dump(mode="json", exclude_none=True)
                        for a in entry.affected.alternatives
                    ]
                }
                if entry.affected.alternatives
                else {}
            ),
            "signatures": [s.model_dump(mode="json", exclude_none=True) for s in entry.signatures],
            "fixes": [f.model_dump(mode="json", exclude_none=True) for f in entry.fixes],
            "url": paths.entry_url(entry),
        },
    }


def osv_json(entry: Entry) -> str:
    """``api/osv/<id>.json``."""
    return dumps(osv_record(entry))
