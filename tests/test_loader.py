"""The loader: a whole tree, every problem collected, schema errors at the key's line."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from kb.catalog.loaded import Catalog
from kb.loader import load_tree
from tests.conftest import FIXTURE_KB


def test_fixture_kb_loads_clean() -> None:
    result = load_tree([FIXTURE_KB])
    assert result.problems == []
    assert [e.entry.id for e in Catalog(result.entries)] == [
        "acme-http-7-client-proxies-removed",
        "acme-web-12-removed-url-quote",
    ]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_schema_errors_point_at_the_offending_key(fixture_kb: Path) -> None:
    path = next(fixture_kb.glob("acme-web/*.yaml"))
    _replace(path, "    exception: ImportError\n", "    exception: ImportError\n    colour: red\n")
    _replace(path, "  confidence: 0.9\n", "  confidence: high\n")
    result = load_tree([fixture_kb])
    lines = path.read_text(encoding="utf-8").splitlines()
    by_code = {p.code: p for p in result.problems}
    assert set(by_code) == {"KB201", "KB203"}
    unknown = by_code["KB201"]
    assert lines[unknown.location.line - 1].strip() == "colour: red"
    assert "signatures[0].colour" in unknown.message
    wrong = by_code["KB203"]
    assert lines[wrong.location.line - 1].strip() == "confidence: high"
    # the other entry still loads
    assert [e.entry.id for e in result.entries] == ["acme-http-7-client-proxies-removed"]


def test_missing_key_is_reported_at_its_mapping(fixture_kb: Path) -> None:
    path = next(fixture_kb.glob("acme-http/*.yaml"))
    _replace(path, "  - kind: exception\n    text:", "  - text:")
    result = load_tree([fixture_kb])
    (problem,) = result.problems
    assert problem.code == "KB202"
    assert "signatures[0].kind" in problem.message
    line = path.read_text(encoding="utf-8").splitlines()[problem.location.line - 1]
    assert "text:" in line


def test_every_bad_file_is_reported_and_nothing_is_written(
    fixture_kb: Path, write_file: Callable[[str, str | bytes], Path]
) -> None:
    bad = [
        write_file("entries/x/empty.yaml", ""),
        write_file("entries/x/list.yaml", "- a\n"),
        write_file("entries/x/binary.yaml", b"\x89PNG\x00\x00garbage"),
        write_file("entries/x/latin1.yaml", b"id: caf\xe9\n"),
        write_file("entries/x/broken.yaml", "id: [\n"),
    ]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in bad}
    result = load_tree([fixture_kb])
    assert sorted(p.code for p in result.problems) == ["KB101", "KB102", "KB103", "KB103", "KB105"]
    assert all(p.location.path.endswith(".yaml") for p in result.problems)
    assert len(result.entries) == 2
    assert before == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in bad}


def test_symlink_loop_is_a_problem_not_a_hang(fixture_kb: Path) -> None:
    os.symlink(fixture_kb, fixture_kb / "acme-web" / "loop")
    result = load_tree([fixture_kb])
    assert [p.code for p in result.problems] == ["KB109"]
    assert len(result.entries) == 2


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    result = load_tree([tmp_path / "nope"])
    assert [p.code for p in result.problems] == ["KB100"]
