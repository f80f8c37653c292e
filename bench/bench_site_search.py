"""Site search quality: the relevance set's queries typed into the built site's search.

``python bench/bench_site_search.py`` builds the site over ``entries/`` once per search
variant, opens it in headless Chromium (Debian's ``/usr/bin/chromium`` through
Playwright), types every query of ``tests/relevance/queries/*.yaml`` the way a user
pastes it (newlines become spaces) and records the rank of the expected entry's page among
the results. Prints hit@1, hit@3, hit@10 and MRR per variant, and per query name the misses.

Variants: mkdocs-material's search with its default separator; with the separator in
mkdocs.yml; and kb's own search page (``find/``), which ranks over ``api/search.json``
with the same normalization as ``kb search``.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests/relevance/queries"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEPARATOR_LINE = re.compile(r"^      separator: .*\n", re.MULTILINE)


@dataclass(frozen=True)
class Query:
    """One relevance query and the entry it should find."""

    entry: str
    name: str
    text: str


def load_negatives() -> list[str]:
    """Error texts kb does not know (``tests/relevance/negatives/*.yaml``)."""
    texts = []
    for path in sorted((QUERIES.parent / "negatives").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts.extend(n["text"] for n in data.get("negatives", []))
    return texts


def load_queries() -> list[Query]:
    out = []
    for path in sorted(QUERIES.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            print(f"skipped {path.name}: {exc}", file=sys.stderr)
            continue
        for q in data["queries"]:
            out.append(Query(data["entry"], q["name"], q["text"]))
    return out


def build(variant: str, out: Path) -> Path:
    """Build the site with the variant's mkdocs.yml; returns the site directory."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if variant == "material-default":
        config = SEPARATOR_LINE.sub("", config)
    config = config.replace("docs_dir: site", f"docs_dir: {ROOT / 'site'}")
    out.mkdir(parents=True, exist_ok=True)
    cfg = out / "mkdocs.yml"
    cfg.write_text(config, encoding="utf-8")
    site = out / "site"
    env = {**os.environ, "KB_ENTRIES": str(ROOT / "entries"), "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(cfg), "-d", str(site)],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    return site


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _stable(tab: Any, script: str) -> list[str]:
    previous: list[str] = []
    for _ in range(40):
        tab.wait_for_timeout(150)
        current: list[str] = tab.evaluate(script)
        if current == previous and (current or _ > 10):
            return current
        previous = current
    return previous


def material_results(tab: Any, base: str, text: str) -> list[str]:
    """Page URLs the material search box lists for ``text``, in order."""
    tab.goto(base)
    box = tab.locator("input.md-search__input")
    box.click()
    box.fill(text[:-1])
    box.press_sequentially(text[-1])
    script = "[...document.querySelectorAll('.md-search-result__item > a')].map(a => a.href)"
    return _stable(tab, script)


def own_results(tab: Any, base: str, text: str) -> list[str]:
    """Page URLs kb's own search page lists for ``text``, in order."""
    tab.goto(base + "find/?text=" + quote(text))
    script = "[...document.querySelectorAll('#kb-results li a')].map(a => a.href)"
    return _stable(tab, script)


def rank(results: list[str], entry: str) -> int | None:
    pages: list[str] = []
    for url in results:
        page = url.split("#")[0].split("?")[0]
        if page not in pages:
            pages.append(page)
    for i, page in enumerate(pages, start=1):
        if page.rstrip("/").endswith("/" + entry):
            return i
    return None


def measure(
    variant: str, driver: Callable[[Any, str, str], list[str]], queries: list[Query], work: Path
) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    site = build(variant, work / variant)
    ranks: list[int | None] = []
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        for q in queries:
            text = " ".join(q.text.split())
            r = rank(driver(tab, base, text), q.entry)
            ranks.append(r)
            if r != 1:
                print(f"  {variant}: {q.entry} / {q.name}: rank {r}", file=sys.stderr)
        false_matches = None
        if driver is own_results:
            # The own page labels a signature match, its only confident claim; an unknown
            # error must never get one.
            false_matches = 0
            for text in load_negatives():
                own_results(tab, base, " ".join(text.split()))
                first = tab.locator("#kb-results li").first
                if first.count() and "signature match" in first.inner_text():
                    false_matches += 1
                    print(f"  {variant}: negative matched: {text[:60]!r}", file=sys.stderr)
        browser.close()
    n = len(ranks)
    return {
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@3": sum(1 for r in ranks if r is not None and r <= 3) / n,
        "hit@10": sum(1 for r in ranks if r is not None and r <= 10) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "false": -1.0 if false_matches is None else float(false_matches),
    }


VARIANTS: dict[str, Callable[[Any, str, str], list[str]]] = {
    "material-default": material_results,
    "material-tuned": material_results,
    "own-page": own_results,
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--work", type=Path, default=ROOT / "bench/out/site-search")
    args = parser.parse_args(argv)
    queries = load_queries()
    print(f"{len(queries)} queries for {len({q.entry for q in queries})} entries\n")
    print("| variant | hit@1 | hit@3 | hit@10 | MRR | negatives with a signature match |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in args.variants:
        m = measure(name, VARIANTS[name], queries, args.work)
        false = "n/a" if m["false"] < 0 else f"{int(m['false'])} of {len(load_negatives())}"
        print(f"| {name} | {m['hit@1']:.2f} | {m['hit@3']:.2f} | {m['hit@10']:.2f} | "
              f"{m['mrr']:.2f} | {false} |", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
