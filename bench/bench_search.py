"""Benchmark of ``kb search`` against a plain SQLite FTS5 (bm25) baseline.

For each corpus size (entries from :mod:`bench.gen_corpus`, near-miss families included):

- index build time (a full build into an empty cache) and the incremental update after
  one entry changed;
- warm query latency p50/p95 through the library (:class:`kb.search.Searcher`), recall@1;
- the same latency and recall@1 for SQLite FTS5 with bm25 over the same text (the
  baseline: every query term OR-ed, ranked by bm25);
- cold ``kb search`` end to end (a new process per query, index already built) beside
  ``python -c "import whoosh"``, on the generated corpus and on the bundled entries.

Usage: ``python bench/bench_search.py [--sizes 1000,10000] [--queries 300]``; prints a
Markdown table and writes it to ``bench/out/search.md``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gen_corpus import generate, queries  # noqa: E402
from kb.search import Searcher, open_index, understand  # noqa: E402

OUT = ROOT / "bench" / "out"
BUNDLED_LINE = "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def corpus(n: int) -> Path:
    """A fresh corpus of ``n`` entries (generated anew: it takes seconds, and a corpus
    left by an older generator would not match today's queries)."""
    root = OUT / f"corpus-{n}"
    shutil.rmtree(root, ignore_errors=True)
    generate(n, root)
    return root


def build(root: Path, cache: Path) -> float:
    shutil.rmtree(cache, ignore_errors=True)
    start = time.perf_counter()
    open_index(root, cache).close()
    return time.perf_counter() - start


def incremental(root: Path, cache: Path) -> float:
    """One changed entry brought into the catalog by the next search (see
    :func:`bench.bench_catalog.one_entry_update`, which this is)."""
    from bench.bench_catalog import one_entry_update

    return one_entry_update(root, cache)


def near_miss(text: str) -> str:
    """The same message about a name kb does not know: no signature matches it exactly,
    so the query takes the full-text path through Whoosh."""
    return re.sub(r"'([A-Za-z_][\w.]*)'", lambda m: f"'{m.group(1)[::-1]}zq'", text, count=1)


def kb_queries(root: Path, cache: Path, sample: list[tuple[str, str]]) -> tuple[list[float], float]:
    index = open_index(root, cache)
    searcher = Searcher(index)
    times: list[float] = []
    hits = 0
    # warm up: compiled signatures, Whoosh reader
    for text, _ in sample[:5]:
        searcher.search(understand(text), limit=5)
    for text, expected in sample:
        start = time.perf_counter()
        result = searcher.search(understand(text), limit=5)
        times.append(time.perf_counter() - start)
        hits += bool(result.hits) and result.hits[0].id == expected
    index.close()
    return times, hits / len(sample)


def fts_build(root: Path) -> tuple[sqlite3.Connection, float]:
    import yaml

    start = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE e USING fts5(id UNINDEXED, body)")
    rows = []
    for path in sorted(root.rglob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        body = "\n".join(
            [data["title"], data["summary"]]
            + [s["text"] for s in data["signatures"]]
            + [e["text"] for e in data["examples"]]
        )
        rows.append((data["id"], body))
    db.executemany("INSERT INTO e VALUES (?, ?)", rows)
    db.commit()
    return db, time.perf_counter() - start


def fts_queries(db: sqlite3.Connection, sample: list[tuple[str, str]]) -> tuple[list[float], float]:
    times: list[float] = []
    hits = 0
    for text, expected in sample:
        start = time.perf_counter()
        terms = list(dict.fromkeys(re.findall(r"[A-Za-z0-9_]+", text)))[:64]
        match = " OR ".join(f'"{t}"' for t in terms) or '""'
        row = db.execute(
            "SELECT id FROM e WHERE e MATCH ? ORDER BY bm25(e) LIMIT 5", (match,)
        ).fetchone()
        times.append(time.perf_counter() - start)
        hits += row is not None and row[0] == expected
    return times, hits / len(sample)


def cold(args: list[str], env: dict[str, str], runs: int = 7) -> float:
    """Median wall time of a new process, with bytecode caching as users have it.

    Some environments set PYTHONDONTWRITEBYTECODE, which makes every process compile
    every module it imports; a first run writes the bytecode, the timed runs use it.
    """
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(args, env=env, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def kb_command() -> list[str]:
    script = Path(sys.executable).parent / "kb"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kb"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--no-fulltext",
        action="store_true",
        help="leave out the near-miss queries, which build the Whoosh index first "
        "(the longest part at 100,000)",
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ}
    whoosh_cold = cold([sys.executable, "-c", "import whoosh"], env)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        root = corpus(n)
        cache = OUT / f"cache-{n}"
        build_s = build(root, cache)
        inc_s = incremental(root, cache)
        rng = random.Random(n)
        sample = rng.sample(queries(n), min(args.queries, n))
        kb_times, kb_recall = kb_queries(root, cache, sample)
        text_times: list[float] = []
        if not args.no_fulltext:
            text_times, _ = kb_queries(root, cache, [(near_miss(t), i) for t, i in sample])
        db, fts_build_s = fts_build(root)
        fts_times, fts_recall = fts_queries(db, sample)
        env_n = {**env, "KB_CACHE_DIR": str(cache), "KB_ENTRIES": str(root)}
        # an error line as a user would paste it: the final failure line of a query
        exact_line = next(
            info.failure_lines[-1]
            for info in (understand(text) for text, _ in sample)
            if info.failure_lines
        )
        kb_cold = cold([*kb_command(), "search", exact_line], env_n)
        rows.append(
            (
                n, build_s, inc_s, kb_times, kb_recall, text_times,
                fts_build_s, fts_times, fts_recall, kb_cold,
            )
        )  # fmt: skip
        print(f"{n}: done", file=sys.stderr)
    bundled_cache = OUT / "cache-bundled"
    env_b = {**env, "KB_CACHE_DIR": str(bundled_cache), "KB_ENTRIES": str(ROOT / "entries")}
    subprocess.run([*kb_command(), "index"], env=env_b, capture_output=True, check=True)
    bundled_cold = cold([*kb_command(), "search", BUNDLED_LINE], env_b, runs=15)
    whoosh_cold = cold([sys.executable, "-c", "import whoosh"], env, runs=15)

    lines = [
        "| entries | index build | one-entry update | kb p50 / p95 | kb recall@1 "
        "| kb full-text p50 / p95 | FTS5 build | FTS5 p50 / p95 | FTS5 recall@1 "
        "| cold `kb search` |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, b, inc, kt, kr, tt, fb, ft, fr, kc in rows:
        full_text = (
            f"{percentile(tt, 0.5) * 1000:.1f} / {percentile(tt, 0.95) * 1000:.1f} ms"
            if tt
            else "not run"
        )
        lines.append(
            f"| {n:,} | {b:.1f} s | {inc * 1000:.0f} ms "
            f"| {percentile(kt, 0.5) * 1000:.1f} / {percentile(kt, 0.95) * 1000:.1f} ms "
            f"| {kr:.3f} | {full_text} | {fb:.1f} s "
            f"| {percentile(ft, 0.5) * 1000:.1f} / {percentile(ft, 0.95) * 1000:.1f} ms "
            f"| {fr:.3f} | {kc * 1000:.0f} ms |"
        )
    lines.append("")
    lines.append(
        f"Cold `kb search` of an exact error line on the bundled entries: "
        f'{bundled_cold * 1000:.0f} ms median; `python -c "import whoosh"`: '
        f"{whoosh_cold * 1000:.0f} ms median."
    )
    table = "\n".join(lines) + "\n"
    (OUT / "search.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
