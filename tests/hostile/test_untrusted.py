"""An entry whose signatures fail lint must not drive search or scan at full confidence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.search import search_text
from tests.conftest import FIXTURE_KB
from tests.hostile.runner import assert_no_bug, kb

UNRELATED = "AttributeError: 'Session' object has no attribute 'mount_adapter'"
GENERIC = """\
  - kind: exception
    text: "AttributeError: "
    exception: AttributeError
"""


def _generic_kb(tmp_path: Path) -> Path:
    """The fixture KB with acme-http's only signature replaced by ``AttributeError: ``."""
    root = tmp_path / "entries"
    shutil.copytree(FIXTURE_KB, root)
    path = next(root.glob("acme-http/*.yaml"))
    text = path.read_text()
    old = text[text.index("signatures:\n") + len("signatures:\n") : text.index("examples:")]
    path.write_text(text.replace(old, GENERIC))
    return root


def test_lint_rejects_the_generic_signature(tmp_path: Path) -> None:
    root = _generic_kb(tmp_path)
    proc = kb("lint", str(root), cache=tmp_path)
    assert proc.returncode == 1
    assert "KB405" in proc.stdout


def test_search_skips_the_signatures_of_an_entry_that_fails_lint(tmp_path: Path) -> None:
    root = _generic_kb(tmp_path)
    result, report = search_text(UNRELATED, root, cache=tmp_path / "cache")
    assert not any(h.confidence == "high" for h in result.hits)
    assert not any(h.exact for h in result.hits)
    (warning,) = [w for w in report.warnings if "fails lint" in w]
    assert "KB403" in warning or "KB405" in warning
    assert "acme-http" in warning


def test_search_never_says_high_on_a_signature_without_identifying_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as if lint had passed the entry (an index written before the rule, a rule ignored)
    monkeypatch.setattr("kb.catalog.trust.signature_problems", lambda loaded, ctx=None: [])
    root = _generic_kb(tmp_path)
    result, _ = search_text(UNRELATED, root, cache=tmp_path / "cache")
    exact = [h for h in result.hits if h.exact]
    assert exact, "the generic signature matches"
    assert all(h.confidence == "medium" for h in exact)


def test_the_cli_warns_and_does_not_answer_high(tmp_path: Path) -> None:
    root = _generic_kb(tmp_path)
    proc = kb("search", UNRELATED, cache=tmp_path, entries=root)
    assert_no_bug(proc)
    assert "confidence: high" not in proc.stdout
    assert "fails lint; their signatures are not used" in proc.stderr
    proc = kb("scan", "-", stdin=f"{UNRELATED}\n".encode(), cache=tmp_path, entries=root)
    assert_no_bug(proc)
    assert proc.returncode == 0
    assert "fails lint; its signatures are not used" in proc.stderr


def test_trusted_entries_still_answer_high(tmp_path: Path) -> None:
    root = _generic_kb(tmp_path)
    line = "ImportError: cannot import name 'url_quote' from 'acme_util.urls'"
    proc = kb("search", line, cache=tmp_path, entries=root)
    assert proc.returncode == 0
    assert "confidence: high" in proc.stdout
