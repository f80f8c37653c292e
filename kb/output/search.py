"""Search results as text for people and as JSON for tools; formatting only, no searching."""

from __future__ import annotations

from kb.catalog.records import condition_sets
from kb.matching import Applicability
from kb.startup import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from kb.search.engine import Hit, SearchResult

STATUS_WORDS = {
    "fixed-upstream": "fixed upstream",
    "fixed-in-dependents": "fixed in dependents",
    "workaround-only": "workaround only",
    "wont-fix": "won't fix",
    "open": "open",
}


def affected_text(record: dict[str, Any]) -> str:
    """``flask <2.2.5 (fixed in 2.2.5) + werkzeug >=3.0``; alternatives joined by ``; or``."""
    sets = []
    for conditions in condition_sets(record):
        parts = []
        for cond in conditions.conditions:
            part = f"{cond.package} {cond.specifier}"
            if cond.fixed:
                part += f" (fixed in {cond.fixed})"
            parts.append(part)
        text = " + ".join(parts)
        if conditions.marker:
            text += f" when {conditions.marker}"
        sets.append(text)
    return "; or ".join(sets)


def hit_json(hit: Hit) -> dict[str, Any]:
    """One hit in the JSON output."""
    record = hit.record
    packages = sorted(
        {record["package"], *(c.package for s in condition_sets(record) for c in s.conditions)}
    )
    out: dict[str, Any] = {
        "id": record["id"],
        "title": record["title"],
        "score": hit.score,
        "confidence": hit.confidence,
        "match": "signature" if hit.exact else "text",
        "matched_line": hit.matched_line,
        "packages": packages,
        "affected": record["affected"],
        "alternatives": record.get("alternatives", []),
        "status": record["status"],
        "fix": record["fix"],
        "references": [r["url"] for r in record["references"]],
        "page": record["page"],
        "applies": hit.applies.value,
    }
    if hit.versions:
        out["versions"] = hit.versions
    return out


def to_json(result: SearchResult) -> str:
    """The whole result as JSON (stable key order)."""
    import json

    query = result.query.as_dict()
    query["versions"] = result.versions
    payload = {"query": query, "hits": [hit_json(h) for h in result.hits]}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_text(result: SearchResult, site_root: str = "") -> str:
    """The result for a person: the best hits, each with its fix and affected versions.

    ``site_root`` (the published site's URL, ending in ``/``) turns page paths into links.
    """
    shown = [h for h in result.hits if h.confidence != "low"] or []
    if not shown:
        lines = ["No known failure matches."]
        if result.hits:
            lines.append("Closest, with low confidence:")
            lines.extend(f"  {h.id}  {h.record['title']}" for h in result.hits[:3])
        return "\n".join(lines) + "\n"
    out: list[str] = []
    for rank, hit in enumerate(shown, 1):
        record = hit.record
        out.append(f"{rank}. {record['title']}")
        out.append(f"   id:         {record['id']}")
        out.append(
            f"   confidence: {hit.confidence} (score {hit.score:.2f}, "
            f"{'signature match' if hit.exact else 'text match'})"
        )
        if hit.matched_line:
            out.append(f"   matched:    {_clip(hit.matched_line)}")
        out.append(f"   affected:   {affected_text(record)}")
        if hit.applies is Applicability.NOT_AFFECTED:
            out.append(f"   versions:   not affected with your versions ({_versions(hit)})")
        elif hit.applies is Applicability.AFFECTED:
            out.append(f"   versions:   affects your versions ({_versions(hit)})")
        out.append(f"   status:     {STATUS_WORDS.get(record['status'], record['status'])}")
        fix = record["fix"]
        out.append(f"   fix:        {fix['summary']}")
        for step in fix["steps"]:
            out.append(f"               - {step}")
        for ref in record["references"][:2]:
            out.append(f"   {ref['kind'] + ':':<11} {ref['url']}")
        out.append(f"   page:       {site_root}{record['page']}")
        out.append(f"   details:    kb show {record['id']}")
        out.append("")
    return "\n".join(out)


def _versions(hit: Hit) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(hit.versions.items())) or "none known"


def _clip(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
