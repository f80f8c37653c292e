"""The prefilter loses nothing: scanning finds exactly what trying every signature on every
line finds, over a generated corpus whose entries share error templates."""

from __future__ import annotations

import io
import random

import pytest

from bench.gen_corpus import generate, queries
from kb.catalog.loaded import load_catalog
from kb.matching import CompiledSignature, compile_signature, scan_words
from kb.normalize import normalize
from kb.scan import scan, signatures_of
from kb.scan.prefilter import Prefilter

N = 300


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[CompiledSignature]:
    root = tmp_path_factory.mktemp("corpus")
    generate(N, root)
    catalog, result = load_catalog(root)
    assert result.problems == []
    signatures, notes = signatures_of(catalog)
    assert notes == []
    return signatures


def _brute_force(text: str, signatures: list[CompiledSignature]) -> set[tuple[str, int]]:
    """Every (entry, line) where some signature of the entry matches the line."""
    found: set[tuple[str, int]] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        normalized = normalize(line)
        for sig in signatures:
            if sig.kind != "symptom" and sig.matches(line, normalized):
                found.add((sig.entry_id, number))
    return found


def _scanned(
    text: str, signatures: list[CompiledSignature], prefilter: Prefilter | None = None
) -> set[tuple[str, int]]:
    report = scan([("log", io.BytesIO(text.encode()))], signatures, prefilter)
    return {(f.entry_id, n) for f in report.findings for _, n in f.lines}


def test_scan_finds_exactly_what_brute_force_finds(corpus: list[CompiledSignature]) -> None:
    rng = random.Random(5)
    pasted = [text for text, _ in queries(N, seed=1)]
    rng.shuffle(pasted)
    # the same lines with case and spacing changed: the normalized match still holds
    shouted = [p.upper().replace(" ", "  ") for p in pasted[:40]]
    text = "\n".join(pasted + shouted)
    found = _scanned(text, corpus)
    assert found == _brute_force(text, corpus)
    assert len({entry for entry, _ in found}) > N * 0.8
    shouted_from = text.count("\n", 0, text.index(shouted[0])) + 1
    assert any(line >= shouted_from for _, line in found)


def test_each_signature_gets_a_selective_fragment(corpus: list[CompiledSignature]) -> None:
    prefilter = Prefilter([s for s in corpus if s.kind != "symptom"])
    assert prefilter.unfiltered == []
    owners = [len(prefilter._owners[i]) for i in range(len(prefilter.fragments))]
    assert max(owners) <= 5  # a candidate line is verified against few signatures


def test_candidate_words_survive_normalization_and_skip_placeholders() -> None:
    sig = compile_signature(
        "x",
        0,
        "exception",
        "OSError: [Errno 24] Too many open files: '/srv/app/data.db' at line 12",
        None,
        "OSError",
    )
    words = scan_words(sig)
    assert "oserror" in words and "errno" in words and "data.db" in words
    assert not any(w in ("srv", "app", "n", "line <n>") for w in words)
    regex_sig = compile_signature(
        "y",
        0,
        "exception",
        "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'",
        r"cannot import name '(?:url_quote|url_parse)' from 'werkzeug\.urls'",
        None,
    )
    regex_words = scan_words(regex_sig)
    assert "werkzeug.urls" in regex_words
    assert "url_quote" not in regex_words  # not in every match of the regex


def test_a_log_of_nothing_but_fragments_is_still_exact(corpus: list[CompiledSignature]) -> None:
    prefilter = Prefilter([s for s in corpus if s.kind != "symptom"])
    text = "\n".join(f.decode() for f in prefilter.fragments)
    assert _scanned(text, corpus, prefilter=prefilter) == _brute_force(text, corpus)
