"""``kb verify [ID...]``: run reproductions against real releases; the entry's signatures judge.

Imports nothing heavy at module level: ``kb --help`` builds this parser on every run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kb.commands._common import add_entries_option, add_format_option, entries_dir

if TYPE_CHECKING:
    from kb.loader import LoadedEntry
    from kb.verify.core import Settings
    from kb.verify.interpreters import Interpreter

DESCRIPTION = """\
Run each entry's reproduction against real releases and let the entry's own signatures
decide: a run is 'affected' when a line of its output matches a signature, 'not affected'
when it exits 0 without a match, 'inconclusive' otherwise (install failed, another error,
timeout, or a Python this machine lacks; the reason is recorded).

For each entry kb tests the releases listed in its conditions, the fixed release and the
one before it, and the bounds of each range; for several packages, the affected
combination and each package varied alone; the same for each alternative condition set,
every combination once, and what each should show is judged by all the sets. Packages
run on the interpreter running kb, or on the minor version the reproduction names
(python: "3.9"); each Python release a condition names runs on this machine's CPython of
that minor version (the one running kb, --python, pythonX.Y on PATH, then pyenv's
versions), and is judged as the release that ran. Every
combination is installed into its own cached environment (uv when installed, else venv
and pip), and the results are written to entries/<package>/<id>.verified.json beside the
entry, for committing.

An install that fails is remembered in the cache (verify/envs under $KB_CACHE_DIR, else
~/.cache/kb), and later runs report it as inconclusive ("install failed (cached DATE):
...") without trying again, until --retry-failed or a new installer version. Timeouts
and failures whose output tells of the network failing (connection, DNS, timeout, HTTP
5xx) are not remembered.

--check reads those files without running anything, for CI: it fails when one is
malformed, stale (the entry's reproduction, conditions or signatures changed since) or
contradicts the entry. --bisect PACKAGE ID walks PACKAGE's releases in O(log n) runs to
find the first affected and the first fixed release, and proposes a specifier.
"""

EPILOG = """\
exit codes: 0 every verified outcome agrees with its entry; 1 contradictions (or, with
--check, a malformed, stale or contradicting file); 2 usage error; 3 internal error;
130 interrupted (Ctrl-C); 143 terminated (SIGTERM). Progress goes to stderr, results to
stdout (--json for machines).

Each entry's file is written as soon as all of its runs are done. An interrupted run
keeps the files of the entries it finished, leaves every other entry's file as it was
(never a partial one), and says on one line which entries were not finished.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "verify",
        help="run reproductions against real releases and record the outcomes",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="entries to verify (default: all)")
    add_entries_option(p)
    add_format_option(p, "text", "json")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="re-read the verification files without running; fail on malformed, stale "
        "or contradicting ones",
    )
    mode.add_argument(
        "--bisect",
        nargs=2,
        metavar=("PACKAGE", "ID"),
        help="find PACKAGE's first affected and first fixed release for entry ID",
    )
    mode.add_argument("--plan", action="store_true", help="print the combinations to test and exit")
    mode.add_argument(
        "--prune",
        action="store_true",
        help="remove the cached environments that no entry's plan uses with these options "
        "(all entries under --entries; with --dry-run, only list them)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds one reproduction may run (default: 120)",
    )
    p.add_argument(
        "--install-timeout",
        type=float,
        default=600.0,
        metavar="S",
        help="seconds one install may take (default: 600)",
    )
    p.add_argument(
        "--jobs", "-j", type=int, default=2, metavar="N", help="runs at once (default: 2)"
    )
    p.add_argument(
        "--find-links",
        action="append",
        default=[],
        metavar="DIR",
        help="also install from wheels in DIR (repeatable)",
    )
    p.add_argument("--no-index", action="store_true", help="install only from --find-links")
    p.add_argument(
        "--no-build",
        action="store_true",
        help="install wheels only; a release without one for this Python is inconclusive",
    )
    p.add_argument("--pip", action="store_true", help="use venv and pip even when uv is installed")
    p.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="PATH",
        help="a CPython interpreter for the runs of its minor version (repeatable; first "
        "wins). Besides the one running kb and these, pythonX.Y on PATH and pyenv's are used",
    )
    p.add_argument(
        "--this-python-only",
        action="store_true",
        help="run on the interpreter running kb (and --python) only; runs for other minor "
        "versions are inconclusive",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="try again the installs that failed in an earlier run (by default each is "
        "remembered in the cache and its run reported inconclusive at once)",
    )
    p.add_argument(
        "--releases-from-index",
        action="store_true",
        help="ask the package index for each package's releases, so that the release "
        "before each bound is the real previous one (default: the entry's own lists)",
    )
    p.add_argument(
        "--releases",
        type=Path,
        metavar="FILE",
        help="for --bisect: read the releases from FILE, one a line (default: the index)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="run, but write no files (--prune: remove nothing)"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kb.errors import UsageError

    root = entries_dir(args)
    if not root.is_dir():
        raise UsageError(f"{root}: no such entries directory")
    if args.jobs < 1:
        raise UsageError("--jobs: must be 1 or more")
    if args.releases is not None and not args.bisect:
        raise UsageError("--releases: only with --bisect (see --releases-from-index)")
    if args.check:
        return _check(args, root)
    if args.bisect:
        return _bisect(args, root)
    if args.prune:
        if args.ids:
            raise UsageError("--prune: every entry's plan decides what is kept; give no ID")
        return _prune(args, root)
    loaded = _select(root, args.ids, runnable_only=False)
    if args.plan:
        return _plan(args, loaded)
    return _verify(args, loaded)


def _select(root: Path, ids: list[str], *, runnable_only: bool) -> list[LoadedEntry]:
    from kb.errors import EntryNotFoundError, InputError
    from kb.loader import load_tree

    result = load_tree([root])
    if result.problems and not ids:
        for problem in result.problems:
            print(f"kb: {problem}", file=sys.stderr)
    by_id = {le.entry.id: le for le in result.entries}
    if ids:
        missing = [i for i in ids if i not in by_id]
        if missing:
            if result.problems:
                raise InputError(f"{root}: {len(result.problems)} entry files do not load")
            raise EntryNotFoundError(f"no entry with id {', '.join(map(repr, missing))}")
        return [by_id[i] for i in ids]
    return [le for le in sorted(by_id.values(), key=lambda le: le.entry.id)
            if le.entry.reproduction is not None]  # fmt: skip


def _settings(args: argparse.Namespace, *, with_releases: bool = False) -> Settings:
    from kb.verify.core import DEFAULT_TIMEOUT, Settings
    from kb.verify.envs import IndexOptions, Installer

    options = IndexOptions(
        find_links=tuple(str(Path(d).resolve()) for d in args.find_links),
        no_index=args.no_index,
        no_build=args.no_build,
    )
    installer = Installer(
        options=options,
        timeout=args.install_timeout,
        use_uv=False if args.pip else None,
        retry_failed=args.retry_failed,
    )
    releases = None
    if with_releases or args.releases_from_index:
        from kb.verify.releases import from_file, from_index

        releases = from_file(args.releases) if args.releases else from_index(options)
    return Settings(
        installer=installer,
        timeout=args.timeout if args.timeout is not None else DEFAULT_TIMEOUT,
        releases=releases,
        jobs=args.jobs,
        interpreters=_interpreters(args),
    )


def _interpreters(args: argparse.Namespace) -> dict[str, Interpreter]:
    """The interpreters runs may use, said on stderr when there are others than kb's."""
    from kb.verify.interpreters import discover

    found = discover(args.python, search=not args.this_python_only)
    if len(found) > 1 and not args.quiet:
        said = ", ".join(
            f"{i.version} ({i.source}{'' if i.source == 'running kb' else ': ' + i.path})"
            for i in sorted(found.values(), key=lambda i: i.release)
        )
        print(f"kb verify: interpreters: {said}", file=sys.stderr)
    return found


def _prune(args: argparse.Namespace, root: Path) -> int:
    import json

    from kb.verify.core import environments
    from kb.verify.prune import prune

    loaded = _select(root, [], runnable_only=False)
    settings = _settings(args)
    keep = environments([le.entry for le in loaded], settings)
    envs = settings.installer.cache / "envs"
    report = prune(envs, keep, dry_run=args.dry_run)
    if args.format == "json":
        data = {
            "cache": str(envs),
            "removed": report.removed,
            "freed_bytes": report.freed,
            "kept": report.kept,
            "busy": report.busy,
            "dry_run": args.dry_run,
        }
        print(json.dumps(data, indent=2))
        return 0
    verb = "would remove" if args.dry_run else "removed"
    print(
        f"kb verify: {envs}: {verb} {len(report.removed)} environments or remembered failures "
        f"({_megabytes(report.freed)}); kept {report.kept} that the plans of "
        f"{len(loaded)} entries use"
        + (f"; left {len(report.busy)} in use by another kb verify" if report.busy else "")
    )
    return 0


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _plan(args: argparse.Namespace, loaded: list[LoadedEntry]) -> int:
    import json

    from kb.verify.core import plan, runnable

    settings = _settings(args)
    out = []
    for item in loaded:
        why = runnable(item.entry)
        combos = [] if why else plan(item.entry, settings)
        out.append((item.entry.id, why, combos))
    if args.format == "json":
        data = [
            {
                "entry": i,
                "not_run": why,
                "combinations": [
                    {"packages": dict(c.packages), "python": c.python, "expected": c.expected}
                    for c in combos
                ],
            }
            for i, why, combos in out
        ]
        print(json.dumps(data, indent=2))
        return 0
    for entry_id, why, combos in out:
        print(entry_id + (f"  (not run: {why})" if why else ""))
        for c in combos:
            print(f"  {c.expected.value:<13} {c.label()}  on Python {c.python}")
    return 0


def _verify(args: argparse.Namespace, loaded: list[LoadedEntry]) -> int:
    from kb.fsutil import write_atomic
    from kb.verify import record, report
    from kb.verify.check import contradictions
    from kb.verify.core import plan, runnable, verify_entries
    from kb.verify.record import Verification
    from kb.verify.report import counted

    settings = _settings(args)
    total = sum(len(plan(le.entry, settings)) for le in loaded if runnable(le.entry) is None)
    done = 0
    finished: dict[int, Verification] = {}

    def progress(entry_id: str, combo: object, result: object) -> None:
        nonlocal done
        done += 1
        if not args.quiet:
            print(f"kb verify: [{done}/{total}] {report.progress_line(entry_id, combo, result)}",
                  file=sys.stderr, flush=True)  # fmt: skip

    def write(i: int, verification: Verification) -> None:
        # Each entry's file as soon as its last run is in: an interrupted run keeps them.
        if not args.dry_run:
            write_atomic(record.path_for(loaded[i].path), verification.to_json())
        finished[i] = verification

    if not args.quiet:
        said = f"{counted(len(loaded), 'entry', 'entries')}, {counted(total, 'run')}"
        print(f"kb verify: {said}", file=sys.stderr, flush=True)
    try:
        with _terminate_as_interrupt():
            verify_entries([le.entry for le in loaded], settings, progress, write)
    except KeyboardInterrupt as exc:
        unfinished = [le.entry.id for i, le in enumerate(loaded) if i not in finished]
        print(_interrupted(len(finished), unfinished, dry_run=args.dry_run), file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, _Terminated) else EXIT_INTERRUPTED
    verifications = [finished[i] for i in range(len(loaded))]
    found = 0
    for item, verification in zip(loaded, verifications, strict=True):
        found += len(contradictions(item.entry, verification))
    entries = [le.entry for le in loaded]
    if args.format == "json":
        sys.stdout.write(report.render_json(entries, verifications))
    else:
        sys.stdout.write(report.render_text(entries, verifications))
    print(report.summary(entries, verifications, written=not args.dry_run), file=sys.stderr)
    return 1 if found else 0


EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C (SIGINT)."""

EXIT_TERMINATED = 143
"""Exit code after SIGTERM."""


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: finished entries keep their files."""


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`_Terminated` in this (the main) thread while in the block."""
    import signal

    def handler(signum: int, frame: object) -> None:
        raise _Terminated

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupted(finished: int, unfinished: list[str], *, dry_run: bool) -> str:
    """The one line printed when a run is interrupted."""
    shown = ", ".join(unfinished[:10])
    if len(unfinished) > 10:
        shown += f" and {len(unfinished) - 10} more"
    if dry_run:
        done = f"{finished} entr{'ies' if finished != 1 else 'y'} finished (--dry-run: no files)"
    else:
        done = f"{finished} verification file{'s' if finished != 1 else ''} written"
    if not unfinished:
        return f"kb verify: interrupted; {done}; every entry had finished"
    kept = "" if dry_run else " (their files are unchanged)"
    return f"kb verify: interrupted; {done}; {len(unfinished)} not finished{kept}: {shown}"


def _check(args: argparse.Namespace, root: Path) -> int:
    import json

    from kb.verify.check import FAILING, check

    loaded = _select(root, args.ids, runnable_only=False)
    findings = check(loaded, roots=[] if args.ids else [root])
    failing = [f for f in findings if f.kind in FAILING]
    if args.format == "json":
        data = [{"path": f.path, "kind": f.kind, "message": f.message} for f in findings]
        print(json.dumps(data, indent=2))
    else:
        for f in findings:
            print(f)
    missing = len(findings) - len(failing)
    note = f"; {missing} without a verification file" if missing else ""
    if failing:
        print(f"kb verify --check: {len(failing)} problems{note}.", file=sys.stderr)
        return 1
    print(f"kb verify --check: {len(loaded)} entries, all verification files agree{note}.",
          file=sys.stderr)  # fmt: skip
    return 0


def _bisect(args: argparse.Namespace, root: Path) -> int:
    from kb.verify import bisect, report

    package, entry_id = args.bisect
    loaded = _select(root, [entry_id], runnable_only=True)[0]
    settings = _settings(args, with_releases=True)

    def progress(version: str, outcome: str) -> None:
        if not args.quiet:
            print(f"kb verify --bisect: {package}=={version}: {outcome}", file=sys.stderr)

    try:
        with _terminate_as_interrupt():
            result = bisect.bisect(loaded.entry, package, settings, progress)
    except _Terminated:
        print("kb verify --bisect: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    if args.format == "json":
        sys.stdout.write(report.bisect_json(result))
    else:
        sys.stdout.write(report.bisect_text(result))
    return 0 if result.agrees else 1
