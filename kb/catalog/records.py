"""What the index keeps of an entry: plain JSON-able data, enough to show a hit.

A search shows hits from these records without validating entries through pydantic
again; only a changed entry is loaded and turned into a record.
"""

from __future__ import annotations

from collections.abc import Mapping

from kb.matching import ConditionSet, canonical
from kb.matching.versions import python_inside
from kb.normalize import normalize, tokens
from kb.startup import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

    from kb.models import Entry

    Record = dict[str, Any]

_REFERENCE_KINDS = ("issue", "fix", "commit")


def record_of(entry: Entry, relpath: str) -> Record:
    """The record of one entry; ``relpath`` is its file relative to the entries directory."""
    fix = entry.fixes[0]
    sets = [entry.affected, *entry.affected.alternatives]
    python_specs = {
        c.specifier for s in sets for c in s.conditions if canonical(c.package) == "python"
    }
    return {
        "id": entry.id,
        "title": entry.title,
        "package": entry.package,
        "path": relpath,
        "page": page_url(entry.package, entry.id),
        "summary": entry.summary,
        "status": entry.status.value,
        "affected": [
            {"package": c.package, "specifier": c.specifier, "fixed": c.fixed}
            for c in entry.affected.conditions
        ],
        "marker": entry.affected.marker,
        "alternatives": [
            {
                "conditions": [
                    {"package": c.package, "specifier": c.specifier, "fixed": c.fixed}
                    for c in alt.conditions
                ],
                "marker": alt.marker,
            }
            for alt in entry.affected.alternatives
        ],
        "fix": {
            "kind": fix.kind.value,
            "summary": fix.summary,
            "steps": list(fix.steps),
            "requires": fix.requires,
        },
        "references": [
            {"kind": r.kind.value, "url": r.url, "title": r.title}
            for r in entry.evidence.references
            if r.kind.value in _REFERENCE_KINDS
        ],
        "signatures": [
            {
                "kind": s.kind.value,
                "text": s.text,
                "regex": s.regex,
                "exception": s.exception,
            }
            for s in entry.signatures
        ],
        "tags": list(entry.tags),
        "python_inside": {
            spec: inside
            for spec in sorted(python_specs)
            if (inside := python_inside(spec)) is not None
        },
    }


def page_url(package: str, entry_id: str) -> str:
    """Site-relative URL of an entry's page (mkdocs directory URLs): the one place that
    says it, for the site, the exports and the links search prints."""
    return f"entries/{package}/{entry_id}/"


class EntrySummary(NamedTuple):
    """What check, scan and the listings need of an entry, without loading its file."""

    id: str
    title: str
    package: str
    path: str
    status: str
    sets: tuple[ConditionSet, ...]
    fix: str
    requires: str | None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> EntrySummary:
        """From an index record (see :func:`record_of`)."""
        return cls(
            id=record["id"],
            title=record["title"],
            package=record["package"],
            path=record["path"],
            status=record["status"],
            sets=tuple(condition_sets(record)),
            fix=record["fix"]["summary"],
            requires=record["fix"]["requires"],
        )

    @classmethod
    def from_entry(cls, entry: Entry, relpath: str = "") -> EntrySummary:
        """From a validated entry."""
        return cls.from_record(record_of(entry, relpath))

    @property
    def fixed(self) -> list[tuple[str, str]]:
        """``(package, first fixed release)`` of every condition that names one."""
        return [(c.package, c.fixed) for s in self.sets for c in s.conditions if c.fixed]

    @property
    def packages(self) -> set[str]:
        """The entry's package and every package of its conditions."""
        return {self.package, *(c.package for s in self.sets for c in s.conditions)}


def condition_sets(record: Mapping[str, Any]) -> list[ConditionSet]:
    """The condition sets of a record (its ``affected`` first, then its alternatives)."""
    first = {"conditions": record["affected"], "marker": record.get("marker")}
    inside = record.get("python_inside")
    return [ConditionSet.from_data(d, inside) for d in (first, *record.get("alternatives", ()))]


def document_of(entry: Entry, relpath: str) -> dict[str, str]:
    """The full-text fields of an entry, as the Whoosh index stores them."""
    sig_text = "\n".join(
        f"{s.text}\n{normalize(s.text)}\n{s.exception or ''}" for s in entry.signatures
    )
    examples = "\n".join(e.text for e in entry.examples)
    summary = "\n".join((entry.summary, entry.what_broke, entry.why, entry.trigger))
    packages = {entry.package, *entry.affected.packages()}
    package_terms = packages | {p.replace("-", "_") for p in packages}
    bag_source = "\n".join((sig_text, examples, entry.title, summary, " ".join(entry.tags)))
    return {
        "id": entry.id,
        "path": relpath,
        "sigs": sig_text,
        "examples": examples,
        "title": entry.title,
        "summary": summary,
        "packages": " ".join(sorted(package_terms)),
        "tags": " ".join(entry.tags),
        "bag": " ".join(sorted(set(tokens(bag_source)) | set(package_terms))),
    }
