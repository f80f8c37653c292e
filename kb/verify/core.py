"""Verify entries: plan the combinations, install each, run the reproduction, record outcomes.

Returns :class:`~kb.verify.record.Verification` values and writes nothing; the command
writes the files, each as soon as its entry is done (``finished``). Runs of all the
entries asked for share one pool of workers (the work is installing and waiting on
subprocesses), and each result goes to ``progress`` as it arrives so that a long run
shows where it is.
"""

from __future__ import annotations

import datetime as dt
import platform
import re
import sysconfig
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from kb import __version__
from kb.matching import CompiledSignature, compile_signature
from kb.verify import interpreters, procs, runner
from kb.verify.envs import Installer
from kb.verify.interpreters import Interpreter
from kb.verify.plan import (
    Combination,
    Expected,
    ReleaseSource,
    combinations_of_sets,
    conditions_of,
    expected_of,
    minor,
)
from kb.verify.record import RunRecord, Verification, entry_hash
from kb.verify.runner import Outcome, Result

if TYPE_CHECKING:
    from kb.models import Entry

DEFAULT_TIMEOUT = 120.0
"""Seconds one reproduction may run before the run is inconclusive."""

Progress = Callable[[str, Combination, Result], None]
"""Called once per finished run: the entry id, the combination, its result."""

Finished = Callable[[int, Verification], None]
"""Called once per entry whose runs are all done: its index among the entries, its result."""


@dataclass(frozen=True, slots=True)
class Settings:
    """How to verify: where environments come from, time limits, the release source."""

    installer: Installer
    timeout: float = DEFAULT_TIMEOUT
    releases: ReleaseSource | None = None
    jobs: int = 2
    python: str = platform.python_version()
    today: dt.date | None = None
    interpreters: Mapping[str, Interpreter] = field(default_factory=dict)
    """The interpreter of each minor version this machine has (see
    :func:`kb.verify.interpreters.discover`), besides the one running kb."""
    _installers: dict[str, Installer] = field(default_factory=dict, repr=False)
    """The installer of each other interpreter, made on first use."""

    def available(self) -> dict[str, str]:
        """Minor version to full version of every interpreter runs may use."""
        out = {m: i.version for m, i in self.interpreters.items()}
        out[minor(self.python)] = self.python
        return out

    def installer_for(self, python: str) -> Installer | None:
        """The installer that makes environments of interpreter release ``python``; None
        when this machine has no interpreter of its minor version."""
        if minor(python) == minor(self.python):
            return self.installer
        found = self.interpreters.get(minor(python))
        if found is None or found.version != python:
            return None
        return self._installers.setdefault(
            found.path, replace(self.installer, interpreter=found.path)
        )


def runnable(entry: Entry) -> str | None:
    """Why the entry's reproduction cannot be run here, or None when it can."""
    repro = entry.reproduction
    if repro is None:
        return "no reproduction"
    if repro.language.value not in runner.RUNNABLE:
        return f"the reproduction is {repro.language.value}, not code kb can run"
    if repro.needs:
        return f"the reproduction needs {repro.needs}"
    markers = [s.marker for _, s in entry.affected.sets()]
    for marker in markers:
        if marker and _marker_holds(marker) is None:
            return f"the marker {marker!r} does not parse"
    if not any(not m or _marker_holds(m) for m in markers):
        return "needs a machine where " + " or ".join(dict.fromkeys(m for m in markers if m))
    return None


def _marker_holds(marker: str) -> bool | None:
    """Whether the PEP 508 ``marker`` holds on this machine; None when it does not parse."""
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(marker).evaluate()
    except InvalidMarker:
        return None


def plan(entry: Entry, settings: Settings) -> list[Combination]:
    """The combinations ``kb verify`` tests for ``entry``: those of its conditions and of
    each alternative whose marker holds here, each once, every expectation judged over all
    of the entry's condition sets (as ``kb verify --check`` judges the runs)."""

    sets = [
        conditions_of(s.conditions)
        for _, s in entry.affected.sets()
        if not s.marker or _marker_holds(s.marker)
    ]

    def judge(packages: tuple[tuple[str, str], ...], python: str) -> Expected:
        return expected_of(entry, packages, python)

    return combinations_of_sets(
        sets, packages_python(entry, settings), judge, settings.releases, settings.available()
    )


def packages_python(entry: Entry, settings: Settings) -> str:
    """The interpreter release combinations of packages run on: the one running kb, or this
    machine's of the minor version the reproduction asks for (that minor version alone,
    which the runner reports missing, when there is none)."""
    wanted = entry.reproduction.python if entry.reproduction is not None else None
    if wanted is None:
        return settings.python
    return settings.available().get(wanted, wanted)


def verify_entries(
    entries: Sequence[Entry],
    settings: Settings,
    progress: Progress | None = None,
    finished: Finished | None = None,
) -> list[Verification]:
    """Verify each entry (in the order given); entries that cannot run get ``not_run``.

    ``finished`` gets each entry's verification as soon as the last of its runs is in
    (entries without runs first), so that the caller can write it then. On an interrupt
    (``KeyboardInterrupt`` in the calling thread) the runs not started are dropped, the
    reproductions and installs still running are killed, and the interrupt goes on once
    every worker has ended: no verification is made for an entry with a run missing.
    """
    plans = [plan(e, settings) if runnable(e) is None else [] for e in entries]
    results: list[dict[Combination, Result]] = [{} for _ in entries]
    remaining = [len(p) for p in plans]
    out: list[Verification | None] = [None] * len(entries)

    def finish(i: int) -> None:
        runs = [_record(combo, results[i][combo]) for combo in plans[i]]
        done = _verification(entries[i], settings, runs, runnable(entries[i]))
        out[i] = done
        if finished is not None:
            finished(i, done)

    for i, left in enumerate(remaining):
        if left == 0:
            finish(i)
    compiled = [_signatures(e) for e in entries]
    pool = ThreadPoolExecutor(max_workers=max(1, settings.jobs))
    try:
        futures = {
            pool.submit(run_one, entries[i], compiled[i], combo, settings): (i, combo)
            for i, combos in enumerate(plans)
            for combo in combos
        }
        order = {future: n for n, future in enumerate(futures)}
        pending = set(futures)
        while pending:
            # A short wait, so that a Ctrl-C is seen at once whichever thread it lands on.
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=order.__getitem__):
                i, combo = futures[future]
                result = future.result()
                results[i][combo] = result
                if progress is not None:
                    progress(entries[i].id, combo, result)
                remaining[i] -= 1
                if remaining[i] == 0:
                    finish(i)
    except BaseException:
        # Ctrl-C: drop what has not started, end what is running, and wait for the
        # workers, so that none of them records anything once this returns.
        procs.stop_all()
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        finally:
            procs.resume()
        raise
    pool.shutdown()
    return [v for v in out if v is not None]


def run_one(
    entry: Entry, signatures: Sequence[CompiledSignature], combo: Combination, settings: Settings
) -> Result:
    """Install one combination and run the entry's reproduction in it."""
    repro = entry.reproduction
    assert repro is not None
    installer = settings.installer_for(combo.python)
    if installer is None:
        return Result(
            Outcome.INCONCLUSIVE,
            reason=f"needs Python {minor(combo.python)}, not on this machine",
        )
    reqs, pins = requirements(entry, combo)
    env = installer.environment(reqs, pins)
    if env.error is not None:
        # A failure that shows itself while installing (a build that breaks) still counts.
        output = env.output.replace(str(installer.cache), "<cache>")
        matched = runner.first_match(output, repro.code, signatures)
        if matched is not None:
            return Result(Outcome.AFFECTED, matched=matched, reason="while installing")
        return Result(Outcome.INCONCLUSIVE, reason=env.error)
    return runner.run(
        repro.language.value,
        repro.code,
        signatures,
        env.path,
        settings.timeout,
        interpreters={**settings.interpreters, minor(settings.python): interpreters.running()},
    )


def requirements(entry: Entry, combo: Combination) -> tuple[list[str], list[str]]:
    """What the environment of ``combo`` installs, and which of it are the pinned releases
    under test."""
    repro = entry.reproduction
    assert repro is not None
    pins = [f"{name}=={version}" for name, version in combo.packages]
    reqs = [*pins, *repro.requirements]
    names = {name for name, _ in combo.packages}
    if repro.language.value == "shell" and re.search(r"\bpip\b", repro.code) and "pip" not in names:
        reqs.append("pip")
    return reqs, pins


def environments(entries: Sequence[Entry], settings: Settings) -> set[str]:
    """The keys (see :meth:`~kb.verify.envs.Installer.key`) of the environments the plans
    of ``entries`` use with ``settings``."""
    out: set[str] = set()
    for entry in entries:
        if runnable(entry) is not None:
            continue
        for combo in plan(entry, settings):
            installer = settings.installer_for(combo.python)
            if installer is not None:
                out.add(installer.key(*requirements(entry, combo)))
    return out


def _signatures(entry: Entry) -> list[CompiledSignature]:
    out = []
    for i, sig in enumerate(entry.signatures):
        try:
            out.append(compile_signature(entry.id, i, sig.kind, sig.text, sig.regex, sig.exception))
        except re.error:
            out.append(compile_signature(entry.id, i, sig.kind, sig.text, None, sig.exception))
    return out


def _record(combo: Combination, result: Result) -> RunRecord:
    return RunRecord(
        combo.packages,
        combo.python,
        combo.expected.value,
        result.outcome.value,
        result.matched,
        result.reason,
    )


def _verification(
    entry: Entry, settings: Settings, runs: list[RunRecord], not_run: str | None
) -> Verification:
    today = settings.today or dt.date.today()
    return Verification(
        entry=entry.id,
        hash=entry_hash(entry),
        date=today.isoformat(),
        kb=__version__,
        interpreter=f"{platform.python_implementation()} {settings.python}",
        platform=sysconfig.get_platform(),
        installer=settings.installer.name,
        runs=runs,
        not_run=not_run,
    )
