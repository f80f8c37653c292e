"""Lint a tree of entries: read each file once, run the selected rules, collect findings.

Pure: returns a :class:`LintReport` and never writes. One bad file never stops the run.
Each file is read once, parsed once, validated once; each entry's signatures are compiled
once; cross-entry rules use dictionaries over small per-entry records.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb import yamlio
from kb.errors import Location, Problem, display_path
from kb.lint.context import Corpus, EntryContext, FileContext, Record
from kb.lint.registry import Rule, Scope, select_codes
from kb.lint.rules import RULES
from kb.loader import LoadedEntry, iter_entry_files, validation_problems


@dataclass(slots=True)
class LintReport:
    """Findings sorted by path, line, column and code, and how many files were checked."""

    findings: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def files_with_findings(self) -> int:
        """How many distinct files have at least one finding."""
        return len({p.location.path for p in self.findings})

    def statistics(self) -> list[tuple[str, int]]:
        """``(code, count)`` pairs, most frequent first, then by code."""
        counts = Counter(p.code for p in self.findings)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def run_lint(
    paths: Iterable[Path],
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
    jobs: int | None = None,
) -> LintReport:
    """Lint the entry files under ``paths`` with the rules chosen by ``select``/``ignore``.

    ``jobs`` is the number of processes: one by default, ``0`` for one per CPU on large trees.
    Raises :class:`~kb.errors.UsageError` for a selector that names no rule.
    """
    from kb.lint.parallel import lint_in_processes, worker_count

    active = select_codes(RULES, select, ignore)
    # Shown paths are derived from each root once; per-file resolve() would dominate big runs.
    roots = [_shown(p) for p in paths]
    found: list[Problem] = []
    files = _entry_files(roots, found)
    workers = worker_count(jobs, len(files))
    part = lint_in_processes(files, active, workers, progress) if workers > 1 else None
    if part is None:
        part = lint_files(files, active, progress)
    found.extend(part.problems)
    corpus = Corpus(part.records, part.other_ids, _entries_roots(roots))
    _run(_rules(active, Scope.CORPUS), corpus, found)
    report = LintReport(files=len(files))
    report.findings = sorted(
        (p for p in found if p.code in active),
        key=lambda p: (p.location.path, p.location.line, p.location.col, p.code, p.message),
    )
    return report


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
    from pydantic import ValidationError

    from kb.models import Entry

    file_rules = _rules(active, Scope.FILE)
    entry_rules = _rules(active, Scope.ENTRY)
    want_records = bool(_rules(active, Scope.CORPUS))
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
            _run(file_rules, FileContext(path, display, raw, doc), found)
        try:
            entry = Entry.model_validate(doc.data)
        except ValidationError as exc:
            found.extend(validation_problems(exc, display, doc))
            if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
                part.other_ids.add(doc.data["id"])
            continue
        ctx = EntryContext(LoadedEntry(entry, path, display, doc), raw)
        _run(entry_rules, ctx, found)
        if want_records:
            part.records.append(_record(ctx))
    return part


def _rules(active: frozenset[str], scope: Scope) -> list[Rule]:
    return [r for r in RULES if r.scope is scope and r.code in active]


def _run(rules: list[Rule], subject: object, found: list[Problem]) -> None:
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


def _shown(path: Path) -> Path:
    """``path`` relative to the working directory when inside it, else as given."""
    if not path.is_absolute():
        return path
    try:
        return Path(display_path(path))
    except RuntimeError:  # a symlink loop: Path.resolve() raises RuntimeError before 3.13
        return path


def _entry_files(roots: list[Path], found: list[Problem]) -> list[Path]:
    """Entry files under ``roots``, shown under each root as given.

    The walk goes through a relative form of an absolute root, so that its problem
    reports never resolve a path (which fails on a symlink loop); paths and problem
    locations are then put back under the root as the user gave it.
    """
    files: list[Path] = []
    for root in roots:
        walk_root = root
        if root.is_absolute():
            try:
                walk_root = Path(os.path.relpath(root))
            except (ValueError, OSError):
                walk_root = root
        if walk_root is root:
            files.extend(iter_entry_files([root], found))
            continue
        prefix, shown = str(walk_root), str(root)
        problems: list[Problem] = []
        files.extend(
            Path(shown + str(p)[len(prefix) :]) for p in iter_entry_files([walk_root], problems)
        )
        for problem in problems:
            loc = problem.location
            path = shown + loc.path[len(prefix) :] if loc.path.startswith(prefix) else loc.path
            found.append(Problem(problem.code, problem.message, Location(path, loc.line, loc.col)))
    return files


def _entries_roots(roots: list[Path]) -> list[Path]:
    """Entries directories of the given paths: a directory itself, a file's grandparent."""
    out: dict[str, Path] = {}
    for root in roots:
        base = root if root.is_dir() else root.parent.parent
        out.setdefault(str(base), base)
    return list(out.values())
