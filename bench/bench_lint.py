"""Benchmark ``kb lint`` against the floor: loading the same files with libyaml and nothing else.

``python bench/bench_lint.py [--sizes 1000,10000] [--repeat 3]`` generates the synthetic
corpus (bench/gen_corpus.py) in a temporary directory, then times, for each size:

* floor: ``yaml.load(text, Loader=yaml.CSafeLoader)`` on every file (read included);
* library: ``kb.lint.run_lint([root])`` in this process (imports already done);
* CLI: ``kb lint ROOT`` end to end in a fresh interpreter (startup and imports included).

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


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Fastest of ``repeat`` runs of ``fn``: (CPU seconds, wall-clock seconds)."""
    cpu, wall = [], []
    for _ in range(repeat):
        start_cpu, start = _cpu(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(_cpu() - start_cpu)
    return min(cpu), min(wall)


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


def cli(root: Path) -> None:
    """``kb lint ROOT`` in a fresh interpreter."""
    subprocess.run(
        [sys.executable, "-m", "kb", "lint", str(root)],
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
    return {
        "floor": best(lambda: floor(files), repeat),
        "library": best(lambda: library(root), repeat),
        "cli": best(lambda: cli(root), repeat),
    }


def table(results: dict[int, dict[str, tuple[float, float]]]) -> str:
    """The Markdown table of the results (CPU seconds; entries/s from the wall clock)."""
    lines = [
        "| entries | floor: yaml.load, CPU s | kb lint library, CPU s | ratio "
        "| kb lint CLI, CPU s | ratio | floor entries/s | library entries/s | CLI entries/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in sorted(results.items()):
        (f_cpu, f_wall), (l_cpu, l_wall), (c_cpu, c_wall) = r["floor"], r["library"], r["cli"]
        lines.append(
            f"| {n:,} | {f_cpu:.2f} | {l_cpu:.2f} | {l_cpu / f_cpu:.2f}x | {c_cpu:.2f} "
            f"| {c_cpu / f_cpu:.2f}x | {n / f_wall:,.0f} | {n / l_wall:,.0f} | {n / c_wall:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best counts")
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
