"""Verification results as text for people and JSON for machines (strings; never prints)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kb.verify.check import contradictions, describe
from kb.verify.record import Verification

if TYPE_CHECKING:
    from kb.models import Entry
    from kb.verify.bisect import Bisection

_LABEL = {"affected": "affected", "not-affected": "not affected", "inconclusive": "inconclusive"}


def progress_line(entry_id: str, combo: Any, result: Any) -> str:
    """``werkzeug-2789-...  flask==2.2.3 werkzeug==3.0.0: affected (4.1 s)``."""
    why = f" ({result.reason})" if result.reason else ""
    return (
        f"{entry_id}  {combo.label()}: {_LABEL[result.outcome.value]}{why} [{result.seconds:.1f} s]"
    )


def render_text(entries: Sequence[Entry], verifications: Sequence[Verification]) -> str:
    """One block per entry: each run's outcome, then the contradictions."""
    out: list[str] = []
    for entry, v in zip(entries, verifications, strict=True):
        counts = Counter(r.outcome for r in v.runs)
        tally = ", ".join(f"{counts[k]} {_LABEL[k]}" for k in _LABEL if counts[k])
        head = f"{entry.id}: " + (f"not run: {v.not_run}" if v.not_run else tally or "no runs")
        out.append(head)
        for run in v.runs:
            detail = run.matched if run.outcome == "affected" else run.reason or ""
            expect = "" if run.outcome in ("inconclusive", run.expected) else " (!)"
            out.append(f"  {_LABEL[run.outcome]:<13} {describe(run)}{expect}  {detail}".rstrip())
        for _, message in contradictions(entry, v):
            out.append(f"  contradiction: {message}")
    return "".join(f"{line}\n" for line in out)


def to_data(entry: Entry, v: Verification) -> dict[str, Any]:
    """An entry's verification with its contradictions, as plain data."""
    data: dict[str, Any] = json.loads(v.to_json())
    data["contradictions"] = [m for _, m in contradictions(entry, v)]
    return data


def render_json(entries: Sequence[Entry], verifications: Sequence[Verification]) -> str:
    """A JSON array: each verification file's content plus its contradictions."""
    items = [to_data(e, v) for e, v in zip(entries, verifications, strict=True)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def summary(
    entries: Sequence[Entry], verifications: Sequence[Verification], *, written: bool
) -> str:
    """One line for stderr."""
    counts = Counter(r.outcome for v in verifications for r in v.runs)
    found = sum(len(contradictions(e, v)) for e, v in zip(entries, verifications, strict=True))
    runs = ", ".join(f"{counts[k]} {_LABEL[k]}" for k in _LABEL if counts[k]) or "no runs"
    files = f"; {counted(len(verifications), 'verification file')} written" if written else ""
    verdict = counted(found, "contradiction") if found else "no contradiction"
    return f"kb verify: {counted(len(entries), 'entry', 'entries')}: {runs}; {verdict}{files}."


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``1 entry``, ``2 entries``."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def bisect_text(b: Bisection) -> str:
    """What a bisection tested and what it proposes."""
    lines = [f"{b.entry}: bisecting {b.package} (declared {b.declared!r}"
             + (f", fixed {b.declared_fixed}" if b.declared_fixed else "") + ")"]  # fmt: skip
    for version, (outcome, detail) in b.tested.items():
        lines.append(
            f"  {b.package}=={version}: {_LABEL[outcome]}" + (f"  {detail}" if detail else "")
        )
    if b.note:
        lines.append(f"  {b.note}")
    lines.extend(f"  caveat: {c}" for c in b.caveats)
    lines.append(f"first affected: {b.first_affected or '-'}")
    lines.append(f"first fixed: {b.first_fixed or '-'}")
    lines.append(f"proposed specifier: {b.proposed or '-'}")
    lines.append("agrees with the entry" if b.agrees else "DISAGREES with the entry")
    return "".join(f"{line}\n" for line in lines)


def bisect_json(b: Bisection) -> str:
    """The bisection as a JSON object."""
    data = {
        "entry": b.entry,
        "package": b.package,
        "declared": b.declared,
        "declared_fixed": b.declared_fixed,
        "tested": {v: {"outcome": o, "detail": d} for v, (o, d) in b.tested.items()},
        "first_affected": b.first_affected,
        "first_fixed": b.first_fixed,
        "proposed": b.proposed,
        "note": b.note,
        "caveats": b.caveats,
        "agrees": b.agrees,
    }
    return json.dumps(data, indent=2) + "\n"
