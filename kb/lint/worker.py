"""Linting files one by one: the per-file work that a run does in one process or several.

Parse each file, run the file rules, validate it (the loader's one validation), run the
entry rules, and keep what the cross-entry rules need. Imported by the runner and by the
worker processes alike; it imports neither.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb import yamlio
from kb.errors import Location, Problem
from kb.lint.context import EntryContext, FileContext, Record
from kb.lint.registry import Rule, Scope
from kb.lint.rules import RULES
from kb.loader import LoadedEntry, validate


@dataclass(slots=True)
class Part:
    """What linting some files gave: their problems and what the cross-entry rules need."""

    problems: list[Problem] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    other_ids: set[str] = field(default_factory=set)


def lint_files(
    files: Sequence[Path],
    active: frozenset[str],
    progress: Callable[[int], None] | None = None,
    done: int = 0,
) -> Part:
    """Run the file and entry rules of ``active`` on ``files``, in order."""
    file_rules = rules_of(active, Scope.FILE)
    entry_rules = rules_of(active, Scope.ENTRY)
    want_records = bool(rules_of(active, Scope.CORPUS))
    part = Part()
    found = part.problems
    for path in files:
        done += 1
        if progress is not None:
            progress(done)
        display = str(path)
        doc, raw = _read(path, display, found)
        if doc is None:
            continue
        if file_rules:
            run_rules(file_rules, FileContext(path, display, raw, doc), found)
        entry, problems = validate(doc, display)
        if entry is None:
            found.extend(problems)
            if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
                part.other_ids.add(doc.data["id"])
            continue
        ctx = EntryContext(LoadedEntry(entry, path, display, doc), raw)
        run_rules(entry_rules, ctx, found)
        if want_records:
            part.records.append(_record(ctx))
    return part


def rules_of(active: frozenset[str], scope: Scope) -> list[Rule]:
    return [r for r in RULES if r.scope is scope and r.code in active]


def run_rules(rules: list[Rule], subject: object, found: list[Problem]) -> None:
    for rule in rules:
        assert rule.check is not None
        for loc, message in rule.check(subject):
            found.append(Problem(rule.code, message, loc))


def _read(path: Path, display: str, found: list[Problem]) -> tuple[yamlio.Document | None, bytes]:
    """Read and parse one file, appending the problem that stops it (if any)."""
    limit = yamlio.MAX_FILE_BYTES
    try:
        with open(path, "rb", buffering=0) as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISREG(st.st_mode) and st.st_size > limit:
                raw, usual = b"", False
            else:
                # Regular files are read whole (sized by fstat); anything else only up to
                # one byte past the limit, which is enough to refuse it.
                raw = fh.readall() if stat.S_ISREG(st.st_mode) else fh.read(limit + 1)
                usual = len(raw) <= limit
    except OSError:
        usual, raw = False, b""
    if not usual and raw and not _stat_too_large(path):
        # Longer than the limit yet not by its size: a device or pipe that never ends.
        found.append(
            Problem(
                "KB104", f"file is not a regular file of at most {limit:,} bytes", Location(display)
            )
        )
        return None, b""
    try:
        # The unusual cases (too large, unreadable) go through the reader for its messages.
        doc = yamlio.parse(raw) if usual else yamlio.read(path)
    except yamlio.YamlReadError as exc:
        p = exc.problem
        found.append(Problem(p.code, p.message, Location(display, p.line, p.col)))
        return None, raw
    return doc, raw


def _stat_too_large(path: Path) -> bool:
    try:
        return os.stat(path).st_size > yamlio.MAX_FILE_BYTES
    except OSError:
        return False


def _record(ctx: EntryContext) -> Record:
    entry = ctx.loaded.entry
    return Record(
        id=entry.id,
        display=ctx.display,
        id_location=ctx.location("id"),
        signatures=tuple(
            (sig.normalized, ctx.location("signatures", sig.index, "text"))
            for sig in ctx.signatures
        ),
        related=tuple((rid, ctx.location("related", i)) for i, rid in enumerate(entry.related)),
    )
