"""Benchmark ``kb verify`` over the shipped entries: cold (empty cache) and warm.

``python bench/bench_verify.py [--jobs 3] [--no-build] [ID ...]`` runs ``kb verify
--dry-run`` twice over the entries (all with a reproduction by default) with a fresh
``KB_CACHE_DIR``: the first run starts from an empty cache (every wheel is downloaded,
every environment made), the second finds every environment made and every failed
install remembered. Needs the package
index. Prints a Markdown table of wall-clock time, runs and outcomes. Writes no
verification file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cache: Path, extra: list[str]) -> tuple[float, dict[str, int]]:
    """One ``kb verify --dry-run --json`` with ``cache``: wall seconds and outcome counts."""
    env = {**os.environ, "KB_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "kb", "verify", "--dry-run", "--json", "--quiet", *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kb verify failed ({proc.returncode}): {proc.stderr[-2000:]}")
    counts: dict[str, int] = {}
    for item in json.loads(proc.stdout):
        for r in item["runs"]:
            counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    return seconds, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--jobs", default="3")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args(argv)
    extra = ["--jobs", args.jobs, *(["--no-build"] if args.no_build else []), *args.ids]
    # The cache holds gigabytes of unpacked wheels: report before it is removed.
    with tempfile.TemporaryDirectory(prefix="kb-bench-verify-") as tmp:
        cache = Path(tmp)
        cold, counts = run(cache, extra)
        warm, again = run(cache, extra)
        report(cold, counts, warm, again)
        print(f"\ncache size: {disk_usage(cache) / 2**30:.1f} GiB", flush=True)
    return 0


def disk_usage(root: Path) -> int:
    """Bytes under ``root``, each file once however many hard links it has."""
    seen: dict[tuple[int, int], int] = {}
    for f in root.rglob("*"):
        st = f.lstat()
        if f.is_file() and not f.is_symlink():
            seen[(st.st_dev, st.st_ino)] = st.st_size
    return sum(seen.values())


def report(cold: float, counts: dict[str, int], warm: float, again: dict[str, int]) -> None:
    """The Markdown table."""
    runs = sum(counts.values())
    print("| cache | wall s | runs | runs/s | outcomes |")
    print("|---|---:|---:|---:|---|")
    for name, seconds, c in (("cold (empty)", cold, counts), ("warm", warm, again)):
        tally = ", ".join(f"{v} {k}" for k, v in sorted(c.items()))
        print(f"| {name} | {seconds:.1f} | {runs} | {runs / seconds:.1f} | {tally} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
