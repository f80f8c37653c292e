"""Lint a large tree in several processes: the per-file work is independent.

Files are split into contiguous chunks, linted by forked workers, and the parts are put
back together in file order, so the result is the same as a run in one process. Used only
where forking is safe (Linux, no other threads) and the tree is large enough to pay for
the workers; anything that goes wrong with the pool falls back to one process.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from kb.lint.worker import Part, lint_files

MIN_FILES_PER_WORKER = 1000
"""Below this many files per extra process, starting it costs more than it saves."""


def worker_count(jobs: int | None, files: int) -> int:
    """Processes to use: one by default; ``jobs``; or, for ``jobs=0``, one per CPU when the
    tree is large enough (at least :data:`MIN_FILES_PER_WORKER` files each)."""
    if jobs is None:
        return 1
    if jobs > 0:
        return max(1, min(jobs, files))
    if not sys.platform.startswith("linux"):
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, files // MIN_FILES_PER_WORKER))


def lint_in_processes(
    files: Sequence[Path],
    active: frozenset[str],
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> Part | None:
    """Lint ``files`` in ``workers`` forked processes; None when that is not possible here."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return None
    size = max(1, -(-len(files) // (workers * 4)))
    chunks = [list(files[i : i + size]) for i in range(0, len(files), size)]
    merged = Part()
    done = 0
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns about fork in threaded processes; there is only this thread.
            warnings.simplefilter("ignore", DeprecationWarning)
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for chunk, part in zip(
                    chunks, pool.map(lint_files, chunks, [active] * len(chunks)), strict=True
                ):
                    merged.problems.extend(part.problems)
                    merged.records.extend(part.records)
                    merged.other_ids.update(part.other_ids)
                    done += len(chunk)
                    if progress is not None:
                        progress(done)
    except (BrokenProcessPool, OSError):
        return None
    return merged
