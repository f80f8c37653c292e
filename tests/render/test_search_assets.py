"""The search page's JavaScript port of the normalizer follows kb.normalize.

tests/render/test_search_vectors.py checks that both give the same output; this check names
the version, so that a change to kb/normalize.py that bumps NORMALIZER_VERSION cannot ship
without the port.
"""

from __future__ import annotations

import re

from kb.normalize import NORMALIZER_VERSION

from .conftest import ROOT


def test_the_javascript_port_follows_the_current_normalizer() -> None:
    script = (ROOT / "site/assets/kb-search.js").read_text(encoding="utf-8")
    declared = re.search(r"var NORMALIZER_VERSION = (\d+);", script)
    assert declared is not None
    assert int(declared.group(1)) == NORMALIZER_VERSION, (
        "kb/normalize.py changed: port the change to site/assets/kb-search.js"
    )
