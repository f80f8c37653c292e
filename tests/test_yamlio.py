"""The YAML reader: safe loading, positions, and every kind of hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb import yamlio


def problem_of(raw: bytes) -> yamlio.YamlProblem:
    with pytest.raises(yamlio.YamlReadError) as info:
        yamlio.parse(raw)
    return info.value.problem


def test_locate_maps_nested_keys_to_their_lines() -> None:
    doc = yamlio.parse(b"id: x\nsignatures:\n  - kind: exception\n    regex: '('\n")
    assert doc.locate(("signatures", 0, "regex")) == (4, 5)
    assert doc.locate(("signatures", 0)) == (3, 5)
    assert doc.locate(("id",)) == (1, 1)


def test_locate_falls_back_to_the_nearest_existing_parent() -> None:
    doc = yamlio.parse(b"id: x\naffected:\n  conditions: []\n")
    # a missing key is reported where its mapping starts
    assert doc.locate(("affected", "marker")) == (3, 3)
    assert doc.locate(("signatures", 0, "text")) == (1, 1)


def test_python_tags_are_refused_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    raw = f"id: !!python/object/apply:os.system ['touch {marker}']\n".encode()
    problem = problem_of(raw)
    assert problem.code == "KB106"
    assert problem.line == 1
    assert not marker.exists()


def test_alias_bomb_is_refused_before_expansion() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(ord("b"), ord("j")):
        prev = chr(i - 1)
        lines.append(f"{chr(i)}: &{chr(i)} [{','.join(['*' + prev] * 9)}]")
    problem = problem_of("\n".join(lines).encode())
    assert problem.code == "KB107"
    # reported at the anchor that is reused
    assert (problem.line, problem.col) == (1, 4)


def test_duplicate_keys_are_refused_with_the_second_line() -> None:
    problem = problem_of(b"id: a\ntitle: t\nid: b\n")
    assert (problem.code, problem.line) == ("KB108", 3)
    assert "'id'" in problem.message


def test_syntax_error_has_line_and_column() -> None:
    problem = problem_of(b"id: a\ntitle: [unclosed\nsummary: x\n")
    assert problem.code == "KB101"
    assert problem.line >= 2


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "KB105"),
        (b"   \n\n", "KB105"),
        (b"- a\n- b\n", "KB102"),
        (b"just a string\n", "KB102"),
        (b"id: a\x00b\n", "KB103"),
        (b"id: caf\xe9\n", "KB103"),
    ],
)
def test_bad_documents_get_a_code(raw: bytes, code: str) -> None:
    assert problem_of(raw).code == code


def test_invalid_utf8_points_at_the_byte() -> None:
    problem = problem_of(b"id: a\ntitle: caf\xe9\n")
    assert (problem.line, problem.col) == (2, 11)


def test_large_files_are_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as fh:
        fh.seek(50 * 1024 * 1024)
        fh.write(b"\n")
    with pytest.raises(yamlio.YamlReadError) as info:
        yamlio.read(path)
    assert info.value.problem.code == "KB104"


def test_dates_and_plain_scalars_load() -> None:
    doc = yamlio.parse(b"created: 2026-01-02\nn: 3\n")
    assert str(doc.data["created"]) == "2026-01-02"
    assert doc.data["n"] == 3


def test_data_is_what_the_yaml_library_constructs_for_every_shipped_entry() -> None:
    root = Path(__file__).resolve().parent.parent / "entries"
    for path in sorted(root.rglob("*.yaml")):
        raw = path.read_bytes()
        assert yamlio.parse(raw).data == yaml.load(raw, Loader=yaml.CSafeLoader), path


def test_scalars_keep_their_yaml_types() -> None:
    raw = b"a: 1\nb: 1.5\nc: true\nd: null\ne: 2024-01-02\nf: '1'\ng: [x, {h: 2}]\n"
    assert yamlio.parse(raw).data == yaml.safe_load(raw)


def test_nesting_as_deep_as_libyaml_allows_is_read() -> None:
    depth = 990
    data = yamlio.parse(b"a: " + b"[" * depth + b"]" * depth + b"\n").data["a"]
    for _ in range(depth - 1):
        data = data[0]
    assert data == []


def test_a_key_that_is_a_list_is_invalid_yaml_at_its_line() -> None:
    problem = problem_of(b"id: a\n[x]: 1\n")
    assert (problem.code, problem.line) == ("KB101", 2)
    assert "unhashable" in problem.message
