"""The search page's JavaScript normalizer and ranker against shared test vectors.

``tests/fixtures/search-vectors.json`` holds texts with what :mod:`kb.normalize` makes of
them, and queries with the entry ``kb search`` puts first on the fixture KB. The Python
side always checks that the file is what kb computes now (``KB_UPDATE_GOLDEN=1``
rewrites it); the JavaScript side is checked against the same file by Node.js here and
in Chromium by the browser test, so the port cannot drift without a failing test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kb.catalog.loaded import load_catalog
from kb.normalize import NORMALIZER_VERSION, normalize, tokens
from kb.render.search_index import search_json
from kb.search import Searcher, open_index, understand
from tests.conftest import FIXTURE_KB, ROOT

VECTORS = ROOT / "tests" / "fixtures" / "search-vectors.json"
SCRIPT = ROOT / "site" / "assets" / "kb-search.js"

TEXTS = [
    "ImportError: cannot import name 'url_quote' from 'werkzeug.urls' "
    "(/usr/lib/python3.11/site-packages/werkzeug/urls.py)",
    '  File "C:\\Users\\me\\app\\main.py", line 42, in <module>',
    "2024-05-01T12:00:01Z worker 0x7f3a2b1c pid 4121 took 12.5s (uuid "
    "123e4567-e89b-12d3-a456-426614174000, sha deadbeefcafe1234)",
    "AttributeError: module 'numpy' has no attribute 'float' — np.float was removed in 1.24",
    "TypeError: AsyncClient.__init__() got an unexpected keyword argument ‘proxies’",
    "pydantic.errors.PydanticImportError: `BaseSettings` has been moved to pydantic-settings",
    '  File "/usr/local/lib/python3.12/asyncio/locks.py", line 77, in __init__',
    '  File "D:\\a\\proj\\venv\\Lib\\site-packages\\click\\core.py", line 1, in x',
    "error in ./src/app/main.py and src\\app\\util.py; see /tmp/log/run.txt or /opt/data/",
    "[/srv/app/x.py] path=/home/u/a.b/c.d (/..../.x) //host/share/f.txt ...",
    "a" * 300 + "/" + "b/" * 200,
]

QUERIES = [
    "ImportError: cannot import name 'url_quote' from 'acme_util.urls' (/x/site-packages/acme_util/urls.py)",
    "ImportError: cannot import name 'url_unquote' from 'acme_util.urls'",
    "TypeError: Client.__init__() got an unexpected keyword argument 'proxies'",
    "acme client proxies argument removed",
]


def compute() -> dict[str, Any]:
    """The vectors as kb computes them now."""
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        searcher = Searcher(open_index(FIXTURE_KB, Path(cache)))
        ranked = []
        for query in QUERIES:
            hits = searcher.search(understand(query), limit=1).hits
            ranked.append({"query": query, "top": hits[0].id if hits else None})
        searcher.index.close()
    return {
        "normalizer_version": NORMALIZER_VERSION,
        "texts": [{"text": t, "normalized": normalize(t), "tokens": tokens(t)} for t in TEXTS],
        "queries": ranked,
    }


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return data


def fixture_search_json() -> str:
    catalog, _ = load_catalog(FIXTURE_KB)
    return search_json([loaded.entry for loaded in catalog])


def test_the_vectors_are_what_kb_computes() -> None:
    now = compute()
    if os.environ.get("KB_UPDATE_GOLDEN") == "1":
        VECTORS.write_text(json.dumps(now, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert load() == now, (
        "kb changed: KB_UPDATE_GOLDEN=1 rewrites tests/fixtures/search-vectors.json"
    )
    assert all(q["top"] for q in now["queries"])


NODE_CHECK = r"""
const fs = require("fs");
const [script, vectorsPath, indexPath] = process.argv.slice(1);
global.window = {};
global.location = { href: "http://localhost/find/" };
global.document = { currentScript: null, readyState: "loading", addEventListener() {} };
eval(fs.readFileSync(script, "utf8"));
const kb = window.kbSearch;
const vectors = JSON.parse(fs.readFileSync(vectorsPath, "utf8"));
const index = kb.prepare(JSON.parse(fs.readFileSync(indexPath, "utf8")));
const out = {
  normalizer_version: kb.normalizerVersion,
  texts: vectors.texts.map((v) => ({ text: v.text, normalized: kb.normalize(v.text), tokens: kb.tokens(v.text) })),
  queries: vectors.queries.map((q) => {
    const hits = kb.rank(index, q.query, 1);
    return { query: q.query, top: hits.length ? hits[0].doc.id : null };
  }),
};
process.stdout.write(JSON.stringify(out));
"""


def run_port(tmp_path: Path) -> dict[str, Any]:
    """What the JavaScript port makes of the vectors, run by Node.js."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the browser test checks the port in Chromium)")
    index = tmp_path / "search.json"
    index.write_text(fixture_search_json(), encoding="utf-8")
    proc = subprocess.run(
        [node, "-e", NODE_CHECK, str(SCRIPT), str(VECTORS), str(index)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_the_javascript_port_gives_the_vectors(tmp_path: Path) -> None:
    assert run_port(tmp_path) == load()
