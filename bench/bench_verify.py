"""Benchmark ``kb verify`` over the shipped entries: cold (empty cache) and warm.

``python bench/bench_verify.py [--jobs 3] [--no-build] [--exclude ID] [ID ...] [-- ARGS]``
runs ``kb verify --dry-run`` twice over the entries (all with a reproduction by default,
less each ``--exclude``; ``ARGS`` after ``--`` go to ``kb verify`` as they are, such as
``--pip --no-index --find-links DIR``) with a fresh ``KB_CACHE_DIR``: the first run
starts from an empty cache (every wheel is downloaded, every environment made), the second
finds every environment made and every failed install remembered. Needs the package
index. Prints a Markdown table of wall-clock time, runs and outcomes, each row as soon as
its run ends. Writes no verification file.
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
    parser.add_argument("--exclude", action="append", default=[], metavar="ID")
    argv = sys.argv[1:] if argv is None else argv
    passed = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    ids = args.ids or (all_ids() if args.exclude else [])
    ids = [i for i in ids if i not in set(args.exclude)]
    extra = ["--jobs", args.jobs, *(["--no-build"] if args.no_build else []), *passed, *ids]
    # The cache holds gigabytes of unpacked wheels: report before it is removed.
    with tempfile.TemporaryDirectory(prefix="kb-bench-verify-") as tmp:
        cache = Path(tmp)
        print("| cache | wall s | runs | runs/s | outcomes |")
        print("|---|---:|---:|---:|---|", flush=True)
        cold, counts = run(cache, extra)
        row("cold (empty)", cold, counts)
        print(f"<!-- cache after the cold run: {disk_usage(cache) / 2**30:.1f} GiB -->", flush=True)
        warm, again = run(cache, extra)
        row("warm", warm, again)
    return 0


def all_ids() -> list[str]:
    """The ids of every shipped entry with a reproduction, as ``kb verify --plan`` lists them."""
    cmd = [sys.executable, "-m", "kb", "verify", "--plan", "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return [item["entry"] for item in json.loads(proc.stdout)]


def disk_usage(root: Path) -> int:
    """Bytes under ``root``, each file once however many hard links it has."""
    seen: dict[tuple[int, int], int] = {}
    for f in root.rglob("*"):
        st = f.lstat()
        if f.is_file() and not f.is_symlink():
            seen[(st.st_dev, st.st_ino)] = st.st_size
    return sum(seen.values())


def row(name: str, seconds: float, counts: dict[str, int]) -> None:
    """One row of the Markdown table."""
    runs = sum(counts.values())
    tally = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    print(f"| {name} | {seconds:.1f} | {runs} | {runs / seconds:.1f} | {tally} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
