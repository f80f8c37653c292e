"""Lint a tree of entries: read each file once, run the selected rules, collect findings.

Pure: returns a :class:`LintReport` and never writes. One bad file never stops the run.
Each file is read once, parsed once, validated once; each entry's signatures are compiled
once; cross-entry rules use dictionaries over small per-entry records.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import Location, Problem, display_path
from kb.lint.context import Corpus
from kb.lint.registry import Scope, select_codes
from kb.lint.rules import RULES
from kb.lint.worker import lint_files, rules_of, run_rules
from kb.loader import iter_entry_files


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
    # imported here: the process pool machinery is not needed by importers of kb.lint
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
    run_rules(rules_of(active, Scope.CORPUS), corpus, found)
    report = LintReport(files=len(files))
    report.findings = sorted(
        (p for p in found if p.code in active),
        key=lambda p: (p.location.path, p.location.line, p.location.col, p.code, p.message),
    )
    return report


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
