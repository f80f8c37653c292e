"""Benchmark of the catalog: start-up of the commands as the KB grows, beside their floors.

Measured side by side in one run, on corpora from :mod:`bench.gen_corpus`:

- cold ``kb search`` of an exact error line (a new process, bytecode cached, catalog
  built) beside ``python -c pass``, on the bundled entries and on each generated size;
- the catalog build (every entry validated) and the full-text index built from it,
  beside SQLite FTS5 over the same text; a one-entry update of the catalog;
- ``kb check`` (a lockfile naming packages of the corpus) and ``kb scan`` (a small log)
  end to end with the catalog built.

Wall time is the median of several runs; CPU time (user + system of the child) is given
too, since it moves less when the machine is busy.

Usage: ``python bench/bench_catalog.py [--sizes 10000,100000]``; prints a Markdown table
and writes it to ``bench/out/catalog.md``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_search import (  # noqa: E402
    BUNDLED_LINE,
    OUT,
    corpus,
    fts_build,
    kb_command,
)
from bench.gen_corpus import queries  # noqa: E402
from kb.search import fulltext, open_index, understand  # noqa: E402

Timing = tuple[float, float]
"""Median wall and CPU seconds."""


def _run(args: list[str], env: dict[str, str]) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _medians(samples: list[Timing]) -> Timing:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def timed(args: list[str], env: dict[str, str], runs: int) -> Timing:
    """Median wall and CPU seconds of a new process (a first, untimed run caches bytecode)."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    _run(args, env)
    return _medians([_run(args, env) for _ in range(runs)])


def timed_beside_floor(args: list[str], env: dict[str, str], runs: int) -> tuple[Timing, Timing]:
    """:func:`timed` of ``args`` and of ``python -c pass``, run by turns, so that both see
    the same machine (a floor measured minutes apart from the command it is compared
    with moved by a third between runs)."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    floor_args = [sys.executable, "-c", "pass"]
    _run(args, env)
    _run(floor_args, env)
    measured, floor = [], []
    for _ in range(runs):
        measured.append(_run(args, env))
        floor.append(_run(floor_args, env))
    return _medians(measured), _medians(floor)


def one_entry_update(root: Path, cache: Path) -> float:
    """Seconds for the next search to bring one changed entry into the catalog: the file
    is saved as editors save (a new file renamed over the old one), then the index is
    opened as a search opens it."""
    from kb.search import RefreshReport

    path = sorted(root.rglob("*.yaml"))[len(list(root.glob("*"))) // 2]
    original = path.read_text(encoding="utf-8")

    def save(text: str) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    save(original.replace("title: ", "title: Revised: ", 1))
    try:
        report = RefreshReport()
        start = time.perf_counter()
        open_index(root, cache, report=report).close()
        elapsed = time.perf_counter() - start
        assert report.updated == 1, report
    finally:
        save(original)
        open_index(root, cache).close()
    return elapsed


def exact_line(n: int) -> str:
    """The final failure line of a generated query: an error line as a user pastes it."""
    for text, _ in queries(n)[:50]:
        lines = understand(text).failure_lines
        if lines:
            return lines[-1]
    raise RuntimeError("no query with a failure line")


def lockfile_for(root: Path, path: Path) -> None:
    """A requirements file naming the packages of a few entries, at versions in range."""
    packages = sorted({p.parent.name for p in list(root.rglob("*.yaml"))[:40]})
    path.write_text("".join(f"{p}==1.0\n" for p in packages), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--no-fulltext",
        action="store_true",
        help="leave out the full-text add-on build (Whoosh: the longest part at 100,000)",
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    kb = kb_command()
    rows: list[str] = []

    bundled_cache = OUT / "catalog-cache-bundled"
    shutil.rmtree(bundled_cache, ignore_errors=True)
    env_b = {**env, "KB_CACHE_DIR": str(bundled_cache), "KB_ENTRIES": str(ROOT / "entries")}
    subprocess.run([*kb, "index"], env=env_b, capture_output=True, check=True)
    search_b, floor_b = timed_beside_floor([*kb, "search", BUNDLED_LINE], env_b, args.runs)
    bundled = len(list((ROOT / "entries").rglob("*.yaml")))
    rows.append(f"| bundled ({bundled}) | {_pair(search_b, floor_b)} | | | | | | |")

    for n in [int(s) for s in args.sizes.split(",")]:
        root = corpus(n)
        cache = OUT / f"catalog-cache-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        start = time.perf_counter()
        index = open_index(root, cache)
        catalog_s = time.perf_counter() - start
        start = time.perf_counter()
        if not args.no_fulltext:
            fulltext.reader(index)
        fulltext_s = time.perf_counter() - start
        index.close()
        _, fts_s = fts_build(root)
        update_s = one_entry_update(root, cache)
        env_n = {**env, "KB_CACHE_DIR": str(cache), "KB_ENTRIES": str(root)}
        search_n, floor_n = timed_beside_floor([*kb, "search", exact_line(n)], env_n, args.runs)
        lock = OUT / f"catalog-req-{n}.txt"
        lockfile_for(root, lock)
        check_n = timed([*kb, "check", "--no-config", "-r", str(lock)], env_n, args.runs)
        log = OUT / f"catalog-log-{n}.txt"
        log.write_text(queries(n)[7][0] + "\nall done\n", encoding="utf-8")
        scan_n = timed([*kb, "scan", str(log)], env_n, args.runs)
        rows.append(
            f"| {n:,} | {_pair(search_n, floor_n)} | {catalog_s:.1f} s ({catalog_s / fts_s:.1f}x) "
            f"| {'-' if args.no_fulltext else f'{fulltext_s:.1f} s'} | {fts_s:.1f} s "
            f"| {update_s * 1000:.0f} ms "
            f"| {check_n[0] * 1000:.0f} ms ({check_n[1] * 1000:.0f} ms CPU) "
            f"| {scan_n[0] * 1000:.0f} ms ({scan_n[1] * 1000:.0f} ms CPU) |"
        )
        print(f"{n}: done", file=sys.stderr)

    lines = [
        "| entries | cold `kb search`: wall (CPU), / `python -c pass` by turns: ratio "
        "| catalog build (/ FTS5) | full-text add-on build | SQLite FTS5 build "
        "| one-entry update | `kb check` | `kb scan` |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]
    table = "\n".join(lines) + "\n"
    (OUT / "catalog.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


def _pair(measured: Timing, floor: Timing) -> str:
    """A cold search beside the ``python -c pass`` runs taken by turns with it."""
    wall, cpu = measured
    return (
        f"{wall * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU) / {floor[0] * 1000:.0f} ms: "
        f"{wall / floor[0]:.2f}x ({cpu / max(floor[1], 1e-3):.2f}x CPU)"
    )


if __name__ == "__main__":
    sys.exit(main())
