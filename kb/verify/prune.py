"""Free the space of cached environments that no plan uses any more.

Every combination ``kb verify`` runs gets its own environment in ``<cache>/envs``, kept for
the next run; a changed entry, a new release list or another interpreter leaves the old
ones behind. :func:`prune` removes each environment (and its remembered failure) whose key
is not among those the current plans use (:func:`kb.verify.core.environments`). An
environment another ``kb verify`` is making at that moment is locked, and is left alone.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kb.verify.envs import FAILED, LOCK


@dataclass(slots=True)
class PruneReport:
    """What :func:`prune` removed (or, for a dry run, would remove) and what it kept."""

    removed: list[str] = field(default_factory=list)
    """Keys of the environments (or remembered failures) removed."""
    freed: int = 0
    """Bytes they took."""
    kept: int = 0
    """Environments a plan still uses."""
    busy: list[str] = field(default_factory=list)
    """Keys left alone because another process held their lock."""


def prune(envs: Path, keep: Iterable[str], *, dry_run: bool = False) -> PruneReport:
    """Remove from ``envs`` every environment whose key is not in ``keep``."""
    wanted = set(keep)
    report = PruneReport()
    try:
        names = sorted(os.listdir(envs))
    except FileNotFoundError:
        return report
    keys = {_key_of(name) for name in names}
    for key in sorted(keys):
        if key in wanted:
            report.kept += int((envs / key).is_dir())
            continue
        parts = [envs / n for n in (key, key + FAILED) if (envs / n).exists()]
        if not parts:  # a lock left alone: nothing to free
            continue
        size = sum(_size(p) for p in parts)
        if dry_run:
            report.removed.append(key)
            report.freed += size
            continue
        if not _remove_unlocked(envs / (key + LOCK), parts):
            report.busy.append(key)
            continue
        report.removed.append(key)
        report.freed += size
    return report


def _key_of(name: str) -> str:
    for suffix in (FAILED, LOCK):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _remove_unlocked(lock: Path, parts: list[Path]) -> bool:
    """Remove ``parts`` holding ``lock`` (the one environments are made under); False when
    another process holds it."""
    import fcntl

    with open(lock, "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        try:
            for part in parts:
                if part.is_dir() and not part.is_symlink():
                    shutil.rmtree(part, ignore_errors=True)
                else:
                    part.unlink(missing_ok=True)
            lock.unlink(missing_ok=True)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return True


def _size(path: Path) -> int:
    """Bytes under ``path`` (its files' sizes; links are not followed)."""
    if not path.is_dir() or path.is_symlink():
        return path.lstat().st_size
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total
