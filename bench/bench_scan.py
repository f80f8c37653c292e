"""Benchmark ``kb scan``: a large log against many generated entries, beside ``grep -F -f``.

``python bench/bench_scan.py [--entries N] [--size MB] [--workdir DIR]`` generates N
entries with ``bench/gen_corpus.py`` and a log of about MB megabytes (CI-like noise with
the error text of some entries spread through it), then measures, each in its own
process so that peak memory (``ru_maxrss``) is that process's alone:

* ``grep -F -f fragments`` and ``grep -F -i -f fragments``: the literal fragments kb's
  prefilter uses, searched by grep (the floor: no verification, no line bookkeeping);
* the scan alone (``kb.scan.scan`` over compiled signatures, loading excluded);
* ``kb scan`` end to end (loading and validating the N entry files included);
* the scan of a log a tenth the size, to show that memory does not grow with the log.

Prints a Markdown table. Nothing is written outside ``--workdir``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

NOISE = (
    "tests/unit/test_{w}.py::test_{w}_{n} PASSED{pad}[ {p:>2}%]",
    "2025-06-01 12:{m:02d}:{s:02d},{ms:03d} INFO {w}.worker: processed batch {n} in {ms} ms",
    "2025-06-01T12:{m:02d}:{s:02d}Z DEBUG urllib3.connectionpool: https://api.example.com:443 "
    '"GET /v1/{w}/{n} HTTP/1.1" 200 {ms}',
    "  Downloading {w}-{n}.{p}.0-py3-none-any.whl ({ms} kB)",
    "Collecting {w}>={p}.0 (from -r requirements.txt (line {n}))",
    "Requirement already satisfied: {w} in ./.venv/lib/python3.11/site-packages ({p}.{n})",
    "##[group]Run {w} --check --jobs {p}",
    "{w}/{w}_{n}.c:{n}:{p}: warning: unused variable 'tmp_{n}' [-Wunused-variable]",
    '127.0.0.1 - - [01/Jun/2025:12:{m:02d}:{s:02d} +0000] "POST /api/{w} HTTP/1.1" 201 {ms}',
    "",
)
WORDS = ("alpha", "billing", "cart", "delivery", "email", "feed", "gateway", "history")


def make_log(path: Path, size: int, errors: list[str], seed: int = 7) -> int:
    """Write about ``size`` bytes of CI-like noise with ``errors`` spread through it."""
    rng = random.Random(seed)
    every = max(1, size // (len(errors) + 1))
    next_error, written, lines, k = every, 0, 0, 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        buffer: list[str] = []
        while written < size:
            template = NOISE[rng.randrange(len(NOISE))]
            line = template.format(
                w=WORDS[rng.randrange(len(WORDS))],
                n=rng.randrange(10_000),
                p=rng.randrange(100),
                m=rng.randrange(60),
                s=rng.randrange(60),
                ms=rng.randrange(1000),
                pad=" " * rng.randrange(1, 30),
            )
            if written >= next_error and k < len(errors):
                line = errors[k]
                k += 1
                next_error += every
            buffer.append(line)
            written += len(line) + 1
            lines += line.count("\n") + 1
            if len(buffer) >= 4096:
                out.write("\n".join(buffer) + "\n")
                buffer = []
        if buffer:
            out.write("\n".join(buffer) + "\n")
    return lines


def _run(argv: list[str]) -> tuple[float, float, str]:
    """Run ``argv`` to completion; wall seconds, peak RSS in MiB and stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, out.decode(errors="replace")


def _seconds(run: tuple[float, float, str]) -> float:
    """Wall time of a run, or the time the child reports for its own scan when it does."""
    try:
        found = json.loads(run[2])
    except ValueError:
        return run[0]
    if isinstance(found, dict) and "build" in found:
        return float(found["build"] + found["scan"])
    return run[0]


def child_scan(entries: Path, log: Path) -> None:
    """In a child process: load, compile, scan; print timings as JSON."""
    from kb.catalog.loaded import load_catalog
    from kb.scan import scan, signatures_of
    from kb.scan.prefilter import Prefilter

    t0 = time.perf_counter()
    catalog, _ = load_catalog(entries)
    signatures, _ = signatures_of(catalog)
    t1 = time.perf_counter()
    with log.open("rb") as stream:
        report = scan([(log.name, stream)], signatures)
    t2 = time.perf_counter()
    prefilter = Prefilter([s for s in signatures if s.kind != "symptom"])
    print(
        json.dumps(
            {
                "load": t1 - t0,
                "scan": t2 - t1,
                "findings": len(report.findings),
                "matches": sum(f.count for f in report.findings),
                "lines": report.lines,
                "fragments": len(prefilter.fragments),
                "signatures": report.signatures,
                "unfiltered": report.unfiltered,
            }
        )
    )


def child_scan_only(signatures_file: Path, log: Path) -> None:
    """In a child process: scan with signatures compiled from a JSON dump (no loading)."""
    from kb.matching import compile_signature
    from kb.scan import scan
    from kb.scan.scanner import build_prefilter

    raw = json.loads(signatures_file.read_text())
    signatures = [compile_signature(*item) for item in raw]
    t0 = time.perf_counter()
    prefilter = build_prefilter(signatures)
    t1 = time.perf_counter()
    with log.open("rb") as stream:
        report = scan([(log.name, stream)], signatures, prefilter)
    t2 = time.perf_counter()
    print(json.dumps({"build": t1 - t0, "scan": t2 - t1, "findings": len(report.findings)}))


def paths(work: Path, n: int, size_mb: int) -> tuple[Path, Path, Path, Path, Path]:
    """Where the corpus, signature dump, fragments and the two logs are."""
    return (
        work / f"entries-{n}",
        work / f"signatures-{n}.json",
        work / f"fragments-{n}.txt",
        work / f"log-{size_mb}mb.log",
        work / f"log-{max(1, size_mb // 10)}mb.log",
    )


def prepare(work: Path, n: int, size_mb: int) -> None:
    """Corpus, logs, fragments file and signature dump, made once per N and size."""
    from bench.gen_corpus import generate, queries

    entries, dump, fragments, big, small = paths(work, n, size_mb)
    if not entries.is_dir():
        generate(n, entries)
    if not dump.exists() or not fragments.exists():
        from kb.catalog.loaded import load_catalog
        from kb.scan import signatures_of
        from kb.scan.prefilter import Prefilter

        catalog, _ = load_catalog(entries)
        signatures, _ = signatures_of(catalog)
        dump.write_text(
            json.dumps(
                [
                    [
                        s.entry_id,
                        s.index,
                        s.kind,
                        s.text,
                        s.regex.pattern if s.regex else None,
                        s.exception,
                    ]
                    for s in signatures
                ]
            )
        )
        prefilter = Prefilter([s for s in signatures if s.kind != "symptom"])
        fragments.write_bytes(b"\n".join(prefilter.fragments) + b"\n")
    rng = random.Random(3)
    errors = [text for text, _ in rng.sample(queries(n), min(n, 500))]
    for path, size in ((big, size_mb), (small, max(1, size_mb // 10))):
        if not path.exists():
            make_log(path, size * 1024 * 1024, errors)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=100, help="log size in MB")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kb-bench-scan"))
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (fastest)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, a, b = args.child
        if mode == "prepare":
            prepare(args.workdir, int(a), int(b))
        else:
            (child_scan if mode == "full" else child_scan_only)(Path(a), Path(b))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    me = [sys.executable, str(Path(__file__).resolve())]
    # prepared in a child: a forked child starts with its parent's pages, so the parent
    # stays small to keep the children's peak RSS their own
    subprocess.run(
        [
            *me,
            "--workdir",
            str(args.workdir),
            "--child",
            "prepare",
            str(args.entries),
            str(args.size),
        ],
        check=True,
    )
    entries, dump, fragments, big, small = paths(args.workdir, args.entries, args.size)
    grep = shutil.which("grep") or "grep"
    kb = [sys.executable, "-m", "kb"]

    def best(argv: list[str]) -> tuple[float, float, str]:
        # the fastest run is the least disturbed by other work on the machine
        runs = [_run(argv) for _ in range(args.repeat)]
        fastest = min(runs, key=_seconds)
        return fastest[0], max(r[1] for r in runs), fastest[2]

    rows = []
    g = best([grep, "-c", "-F", "-f", str(fragments), str(big)])
    rows.append(("grep -F -f fragments (floor)", g[0], g[1], f"{g[2].strip()} lines"))
    gi = best([grep, "-c", "-F", "-i", "-f", str(fragments), str(big)])
    rows.append(("grep -F -i -f fragments", gi[0], gi[1], f"{gi[2].strip()} lines"))
    s = best([*me, "--child", "only", str(dump), str(big)])
    found = json.loads(s[2])
    total = found["build"] + found["scan"]
    rows.append(
        (
            "kb.scan.scan: prefilter build + scan",
            total,
            s[1],
            f"build {found['build']:.2f} s, scan {found['scan']:.2f} s; "
            f"{found['findings']} entries found",
        )
    )
    small_run = best([*me, "--child", "only", str(dump), str(small)])
    small_found = json.loads(small_run[2])
    rows.append(
        (
            f"kb.scan.scan, {small.stat().st_size // 2**20} MB log",
            small_found["build"] + small_found["scan"],
            small_run[1],
            "peak memory does not grow with the log",
        )
    )
    cli = [*kb, "scan", "--entries", str(entries), "--json", str(big)]
    # a fresh index cache, so that the first run really builds the search index the
    # command reads its signatures from
    cache = args.workdir / "kb-cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["KB_CACHE_DIR"] = str(cache)
    first = _run(cli)
    indexed = best(cli)
    full = json.loads(_run([*me, "--child", "full", str(entries), str(big)])[2])
    rows.append(
        (
            "kb scan (CLI, first run: builds the index)",
            first[0],
            first[1],
            f"loading and validating {args.entries} entries alone: {full['load']:.1f} s",
        )
    )
    rows.append(("kb scan (CLI, index built)", indexed[0], indexed[1], "end to end"))
    print(
        f"log: {big.stat().st_size / 2**20:.0f} MB, {full['lines']} lines; "
        f"entries: {args.entries}, signatures scanned: {full['signatures']}, "
        f"literal fragments: {full['fragments']}, without fragment: {full['unfiltered']}; "
        f"matching lines: {full['matches']}\n"
    )
    print("| run | seconds | peak RSS MiB | notes |\n| --- | ---: | ---: | --- |")
    for name, secs, rss, note in rows:
        print(f"| {name} | {secs:.2f} | {rss:.0f} | {note} |")
    print(
        f"\nkb.scan.scan / grep -F -f: {total / g[0]:.2f}x "
        f"(scan alone {found['scan'] / g[0]:.2f}x); / grep -F -i -f: {total / gi[0]:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
