"""Site build time: kb's site at N generated entries beside a bare mkdocs-material floor.

``python bench/bench_site.py 1000 10000`` generates N entries with :mod:`bench.gen_corpus`,
builds kb's site over them (``mkdocs build`` with the project's mkdocs.yml, ``KB_ENTRIES``
pointing at the corpus), then builds a bare mkdocs-material site of N plain Markdown pages
with the same theme features (``navigation.prune``, search, a navigation that does not
list every page) — the floor. Prints a Markdown
table with wall and CPU time, CPU time per page, peak memory and the ratio to the floor
(CPU time, which other load on the machine disturbs less than wall time). Every build
runs in its own process; work goes to ``bench/out/site/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gen_corpus import generate  # noqa: E402

FLOOR_CONFIG = """\
site_name: floor
docs_dir: docs
site_dir: out
theme:
  name: material
  features:
    - navigation.prune
    - content.code.copy
plugins:
  - search
# As on kb's site, the pages are not listed in the navigation: with every page in one
# navigation section, each page would embed all the others and the build grows as N².
nav:
  - index.md
validation:
  nav:
    omitted_files: ignore
markdown_extensions:
  - attr_list
  - tables
  - toc
  - pymdownx.highlight
  - pymdownx.superfences
"""

FLOOR_PAGE = """\
# Page {i}

A plain page of the floor build, number {i}. It has a few paragraphs of text so that the
Markdown, search and theme work per page is not zero.

## Section

Text with `inline code` and a [link](https://example.com/{i}).

```text
ImportError: cannot import name 'thing_{i}' from 'package.module'
```
"""


@dataclass(frozen=True)
class Run:
    """One measured build."""

    seconds: float
    cpu: float
    max_rss_mb: float
    pages: int


def _measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({' '.join(cmd)}):\n{err[-3000:]}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, 0)


def _count_pages(site: Path) -> int:
    return sum(1 for _ in site.rglob("index.html"))


def kb_build(n: int, work: Path) -> Run:
    """Build kb's site over ``n`` generated entries."""
    entries = work / "entries"
    if not entries.is_dir() or sum(1 for _ in entries.rglob("*.yaml")) != n:
        shutil.rmtree(entries, ignore_errors=True)
        generate(n, entries)
    out = work / "kb-out"
    env = {**os.environ, "KB_ENTRIES": str(entries), "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"),
           "-d", str(out)]  # fmt: skip
    run = _measure(cmd, ROOT, env)
    return Run(run.seconds, run.cpu, run.max_rss_mb, _count_pages(out))


def floor_build(n: int, work: Path) -> Run:
    """Build a bare mkdocs-material site of ``n`` plain pages."""
    floor = work / "floor"
    docs = floor / "docs"
    if not docs.is_dir() or sum(1 for _ in docs.glob("*.md")) != n + 1:
        shutil.rmtree(floor, ignore_errors=True)
        docs.mkdir(parents=True)
        (docs / "index.md").write_text("# Floor\n", encoding="utf-8")
        for i in range(n):
            (docs / f"page-{i:05d}.md").write_text(FLOOR_PAGE.format(i=i), encoding="utf-8")
    (floor / "mkdocs.yml").write_text(FLOOR_CONFIG, encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(floor / "mkdocs.yml")]
    run = _measure(cmd, floor, env)
    return Run(run.seconds, run.cpu, run.max_rss_mb, _count_pages(floor / "out"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--work", type=Path, default=ROOT / "bench/out/site")
    args = parser.parse_args(argv)
    print("| entries | kb: wall s | kb: CPU s | kb: CPU ms/page | kb: peak MB | floor: wall s "
          "| floor: CPU s | floor: CPU ms/page | floor: peak MB | kb / floor (CPU) |")  # fmt: skip
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in args.sizes:
        work = args.work / str(n)
        work.mkdir(parents=True, exist_ok=True)
        kb = kb_build(n, work)
        floor = floor_build(n, work)
        print(
            f"| {n} | {kb.seconds:.1f} | {kb.cpu:.1f} | {1000 * kb.cpu / kb.pages:.1f} | "
            f"{kb.max_rss_mb:.0f} | {floor.seconds:.1f} | {floor.cpu:.1f} | "
            f"{1000 * floor.cpu / floor.pages:.1f} | {floor.max_rss_mb:.0f} | "
            f"{kb.cpu / floor.cpu:.2f} |",
            flush=True,
        )
        print(f"<!-- {n}: kb built {kb.pages} pages, floor {floor.pages} pages -->", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
