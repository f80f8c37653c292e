"""The synthetic corpus of bench/: deterministic, lint-clean, and its queries find their entry."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bench.gen_corpus import entry_id, generate, main, queries, spec
from kb.lint import run_lint
from kb.loader import load_tree
from kb.matching import compile_signature
from kb.normalize import normalize


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.yaml"))
    }


def test_same_n_gives_the_same_files_and_smaller_is_a_prefix(tmp_path: Path) -> None:
    a, b, small = tmp_path / "a", tmp_path / "b", tmp_path / "small"
    generate(300, a)
    generate(300, b)
    generate(100, small)
    assert _digest(a) == _digest(b)
    assert len(_digest(a)) == 300
    assert _digest(small).items() <= _digest(a).items()


def test_generated_entries_are_lint_clean_and_varied(tmp_path: Path) -> None:
    paths = generate(600, tmp_path)
    report = run_lint([tmp_path])
    assert report.files == 600
    assert report.findings == [], [str(p) for p in report.findings[:5]]
    assert len({p.parent.name for p in paths}) > 100
    families = {spec(i).family for i in range(600)}
    assert families == {
        "import-name", "no-attribute", "no-module", "unexpected-kwarg", "key-error",
        "value-error", "os-error", "build", "log", "symptom",
    }  # fmt: skip
    texts = [p.read_text(encoding="utf-8") for p in paths]
    assert sum("regex:" in t for t in texts) > 60
    assert sum("- package: python" in t for t in texts) > 60
    assert sum(t.count("- package:") >= 2 for t in texts) > 300


def test_near_miss_families_share_a_template() -> None:
    by_module: dict[str, set[str]] = {}
    by_name: dict[str, set[str]] = {}
    for i in range(2000):
        s = spec(i)
        if s.family == "import-name":
            by_module.setdefault(s.module, set()).add(s.name)
            by_name.setdefault(s.name, set()).add(s.module)
    # many `cannot import name 'X' from 'Y'` for one Y, and one X from several Ys
    assert max(len(names) for names in by_module.values()) >= 10
    assert max(len(modules) for modules in by_name.values()) >= 3


def test_queries_correspond_to_entries_and_are_matched(tmp_path: Path) -> None:
    generate(200, tmp_path)
    loaded = {e.entry.id: e.entry for e in load_tree([tmp_path]).entries}
    pairs = queries(200, seed=7)
    assert [expected for _, expected in pairs] == [entry_id(i) for i in range(200)]
    assert pairs == queries(200, seed=7)
    assert pairs != queries(200, seed=8)
    for text, expected in pairs:
        entry = loaded[expected]
        sigs = [
            compile_signature(entry.id, i, s.kind, s.text, s.regex, s.exception)
            for i, s in enumerate(entry.signatures)
        ]
        norm = normalize(text)
        assert any(sig.matches(text, norm) for sig in sigs), (expected, text)
    assert any("\n" in q for q, _ in pairs) and any("\n" not in q for q, _ in pairs)
    assert any("INFO" in q for q, _ in pairs)


def test_command_line(tmp_path: Path) -> None:
    assert main(["5", str(tmp_path)]) == 0
    assert len(list(tmp_path.rglob("*.yaml"))) == 5
    assert main(["five", str(tmp_path)]) == 2
