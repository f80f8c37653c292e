"""Benchmark ``kb lint`` against the floor: loading the same files with libyaml and nothing else.

``python bench/bench_lint.py [--sizes 1000,10000] [--repeat 3]`` generates the synthetic
corpus (bench/gen_corpus.py) in a temporary directory, then times, for each size:

* floor: ``yaml.load(text, Loader=yaml.CSafeLoader)`` on every file (read included);
* library: ``kb.lint.run_lint([root])`` in this process (imports already done);
* CLI: ``kb lint ROOT`` end to end in a fresh interpreter (startup and imports included);
* CLI -j0: the same with one process per CPU (wall clock is what it saves, not CPU).

Each figure is the best of ``--repeat`` runs, in CPU seconds (user + system; for the CLI,
of the child process): the machine is shared, and CPU time does not count the time other
processes take. Wall-clock entries per second are given beside. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gen_corpus import generate  # noqa: E402


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def best(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float]]:
    """For each run, the fastest of ``repeat`` (CPU seconds, wall-clock seconds).

    The runs take turns, so that a burst of load on the machine hits all of them alike.
    """
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    wall: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, fn in runs.items():
            start_cpu, start = _cpu(), time.perf_counter()
            fn()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(_cpu() - start_cpu)
    return {name: (min(cpu[name]), min(wall[name])) for name in runs}


def floor(files: list[Path]) -> None:
    """The bare cost: read and parse every file with libyaml's safe loader."""
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def library(root: Path) -> None:
    """``run_lint`` in this process; the corpus must be clean."""
    from kb.lint import run_lint

    report = run_lint([root])
    if report.findings:
        raise SystemExit(f"corpus is not lint-clean: {report.findings[0]}")


def cli(root: Path, *options: str) -> None:
    """``kb lint ROOT`` in a fresh interpreter."""
    subprocess.run(
        [sys.executable, "-m", "kb", "lint", *options, str(root)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )


def measure(n: int, repeat: int, workdir: Path) -> dict[str, tuple[float, float]]:
    """Seconds for floor, library and CLI on an ``n``-entry corpus."""
    root = workdir / f"corpus-{n}"
    generate(n, root)
    files = sorted(root.rglob("*.yaml"))
    library(root)  # warm the page cache and the imports before timing anything
    floor(files)
    return best(
        {
            "floor": lambda: floor(files),
            "library": lambda: library(root),
            "cli": lambda: cli(root),
            "cli_j0": lambda: cli(root, "--jobs", "0"),
        },
        repeat,
    )


def table(results: dict[int, dict[str, tuple[float, float]]]) -> str:
    """The Markdown table of the results (CPU seconds; entries/s from the wall clock)."""
    lines = [
        "| entries | floor: yaml.load, CPU s | kb lint library, CPU s | ratio "
        "| kb lint CLI, CPU s | ratio | floor entries/s | library entries/s | CLI entries/s "
        "| CLI -j0 entries/s | CLI -j0 wall ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in sorted(results.items()):
        (f_cpu, f_wall), (l_cpu, l_wall), (c_cpu, c_wall) = r["floor"], r["library"], r["cli"]
        j_wall = r["cli_j0"][1]
        lines.append(
            f"| {n:,} | {f_cpu:.2f} | {l_cpu:.2f} | {l_cpu / f_cpu:.2f}x | {c_cpu:.2f} "
            f"| {c_cpu / f_cpu:.2f}x | {n / f_wall:,.0f} | {n / l_wall:,.0f} | {n / c_wall:,.0f} "
            f"| {n / j_wall:,.0f} | {j_wall / f_wall:.2f}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the best counts")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="kb-bench-lint-") as tmp:
        results = {n: measure(n, args.repeat, Path(tmp)) for n in sizes}
    print(table(results))
    print(
        f"\n{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, libyaml {yaml.__with_libyaml__}, best of {args.repeat}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
