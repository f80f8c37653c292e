"""One entry in full, as text for a person or as JSON; formatting only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb.models import Entry


def entry_json(entry: Entry) -> str:
    """The entry as JSON, exactly the fields of its YAML file."""
    return json.dumps(entry.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def entry_text(entry: Entry, path: str) -> str:
    """The entry as readable text, in the order of its site page."""
    out: list[str] = [entry.title, "=" * min(len(entry.title), 100)]
    out.append(f"id: {entry.id}    package: {entry.package}    status: {entry.status.value}")
    verified = entry.last_verified.isoformat() if entry.last_verified else "never"
    reproduced = "reproduced" if entry.evidence.reproduced.done else "not reproduced"
    out.append(
        f"last verified: {verified}    confidence: {entry.evidence.confidence:.2f}    {reproduced}"
    )
    out.append(f"file: {path}")
    out += ["", entry.summary.strip(), "", "Signatures:"]
    for sig in entry.signatures:
        out.append(f"  [{sig.kind.value}] {sig.text}")
        if sig.regex:
            out.append(f"      regex: {sig.regex}")
    for number, (_, conditions) in enumerate(entry.affected.sets()):
        lead = "Affected (all must hold):" if number == 0 else "Or affected (all must hold):"
        out += ["", lead]
        for cond in conditions.conditions:
            fixed = f"  (fixed in {cond.fixed})" if cond.fixed else ""
            out.append(f"  {cond.package} {cond.specifier}{fixed}")
        if conditions.marker:
            out.append(f"  when {conditions.marker}")
    out += ["", "What broke:", _indent(entry.what_broke), "", "Why:", _indent(entry.why)]
    out += ["", "Trigger:", _indent(entry.trigger), "", "Fixes:"]
    for n, fix in enumerate(entry.fixes, 1):
        out.append(f"  {n}. [{fix.kind.value}] {fix.summary}")
        out.extend(f"     - {step}" for step in fix.steps)
        if fix.requires:
            out.append(f"     needs: {fix.requires}")
        out.append(f"     not when: {fix.when_not_to_use}")
    out += ["", "Verify:", _indent(entry.verify)]
    if entry.prevention:
        out += ["", "Prevention:"] + [f"  - {p}" for p in entry.prevention]
    if entry.reproduction:
        out += ["", f"Reproduction ({entry.reproduction.language.value}):"]
        out.extend(f"  $ {cmd}" for cmd in entry.reproduction.setup)
        out.append(_indent(entry.reproduction.code.rstrip()))
    out += ["", "Example:", _indent(entry.examples[0].text.rstrip())]
    out += ["", "Evidence:"]
    for ref in entry.evidence.references:
        out.append(f"  {ref.kind.value}: {ref.url}" + (f"  ({ref.title})" if ref.title else ""))
    out.append(f"  reproduced: {entry.evidence.reproduced.how}")
    if entry.related:
        out += ["", "Related: " + ", ".join(entry.related)]
    return "\n".join(out) + "\n"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.strip("\n").splitlines())
