"""Hostile and broken files: each gets a finding with its place, the run goes on, nothing changes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from bench.gen_corpus import generate
from kb.cli import main
from tests.lint.factory import MODELINE, distinct, dump, entry, lint, write

BOMB = MODELINE + "".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n',
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(8)
        ),
    ]
)

BAD_FILES: dict[str, tuple[bytes, str, int]] = {
    "malformed-yaml": ((MODELINE + "id: x\ntitle: [unclosed\nsummary: y\n").encode(), "KB101", 4),
    "alias-bomb": (BOMB.encode(), "KB107", 2),
    "binary-garbage": (bytes(range(256)) * 40, "KB103", 1),
    "not-utf8": ((MODELINE + "id: x\ntitle: na\xefve\n").encode("latin-1"), "KB103", 3),
    "empty": (b"", "KB105", 1),
    "list": ((MODELINE + "- id: x\n- id: y\n").encode(), "KB102", 2),
    "scalar": ((MODELINE + "just text\n").encode(), "KB102", 2),
    "tag": ((MODELINE + "id: !!python/name:os.system x\n").encode(), "KB106", 2),
}


def _snapshot(root: Path) -> dict[str, tuple[int, str]]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            out[str(path)] = (
                path.stat().st_mtime_ns,
                hashlib.sha256(path.read_bytes()).hexdigest(),
            )
    return out


def _tree_with(root: Path, name: str, content: bytes) -> Path:
    write(root)  # a clean entry
    write(root, distinct("acme-lint-60-other", "other_frame", last_verified=None))  # one finding
    path = root / "acme-lint" / f"{name}.yaml"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_gets_one_located_finding_and_the_run_goes_on(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, code, line = BAD_FILES[name]
    root = tmp_path / "entries"
    path = _tree_with(root, name, content)
    before = _snapshot(root)

    report = lint(root)
    mine = [p for p in report.findings if p.location.path == str(path)]
    assert [p.code for p in mine] == [code], [str(p) for p in report.findings]
    assert mine[0].location.line == line
    assert report.files == 3
    assert any(p.code == "KB604" for p in report.findings)  # the other files were linted

    assert main(["lint", str(root)]) == 1
    out, err = capsys.readouterr()
    assert f"{path}:{line}:" in out
    assert "Traceback" not in err and "internal error" not in err
    assert _snapshot(root) == before


def test_fifty_megabyte_file_is_refused_without_parsing(tmp_path: Path) -> None:
    root = tmp_path / "entries"
    path = root / "acme-lint" / "huge.yaml"
    write(root)
    with path.open("wb") as fh:
        fh.write(MODELINE.encode())
        fh.write(b"summary: " + b"x" * (50 * 1024 * 1024) + b"\n")
    before = _snapshot(root)
    report = lint(root)
    assert [(p.code, p.location.path) for p in report.findings] == [("KB104", str(path))]
    assert "52,428," in report.findings[0].message
    assert _snapshot(root) == before


def test_symlink_loop_is_reported_and_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = Path("entries")
    write(root)
    os.symlink("..", root / "acme-lint" / "loop")
    os.symlink("loop-b.yaml", root / "acme-lint" / "loop-a.yaml")
    os.symlink("loop-a.yaml", root / "acme-lint" / "loop-b.yaml")
    report = lint(root)
    found = sorted((p.code, Path(p.location.path).name) for p in report.findings)
    assert ("KB109", "loop") in found
    assert ("KB100", "loop-a.yaml") in found and ("KB100", "loop-b.yaml") in found
    assert report.files == 1


def test_invalid_entries_keep_their_ids_for_related(tmp_path: Path) -> None:
    root = tmp_path / "entries"
    write(root, entry(related=["acme-lint-61-broken"]))
    write(root, distinct("acme-lint-61-broken", "broken_frame", status="nope"))
    report = lint(root)
    assert [p.code for p in report.findings] == ["KB203"]


def test_linting_one_file_resolves_related_ids_from_its_tree(tmp_path: Path) -> None:
    root = tmp_path / "entries"
    target = write(root, entry(related=["acme-lint-62-sibling"]))
    write(root, distinct("acme-lint-62-sibling", "sibling_frame"), folder="acme-app")
    assert lint(target).findings == []
    assert [p.code for p in lint(write(root, entry(related=["acme-lint-63-none"]))).findings] == [
        "KB601"
    ]


@pytest.mark.slow
def test_ten_thousand_generated_entries_in_one_run(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    generate(10_000, root)
    broken = root / "fluxkit" / "broken.yaml"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text(dump(entry(status="fixed")), encoding="utf-8")
    before = _snapshot(root)
    report = lint(root)
    assert report.files == 10_001
    assert [(p.code, p.location.path) for p in report.findings] == [
        ("KB203", str(broken)),
    ]
    assert _snapshot(root) == before


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_device_file_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "entries"
    write(root)
    link = root / "acme-lint" / "zero.yaml"
    os.symlink("/dev/zero", link)
    report = lint(root)
    assert [(p.code, p.location.path) for p in report.findings] == [("KB104", str(link))]


def test_symlink_loops_outside_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    root = tmp_path / "kb" / "entries"
    write(root, entry(last_verified=None))
    os.symlink("..", root / "acme-lint" / "loop")
    os.symlink("loop-b.yaml", root / "acme-lint" / "loop-a.yaml")
    os.symlink("loop-a.yaml", root / "acme-lint" / "loop-b.yaml")
    assert main(["lint", str(root)]) == 1
    out, err = capsys.readouterr()
    assert f"{root}/acme-lint/loop: KB109" in out
    assert f"{root}/acme-lint/loop-a.yaml: KB100" in out
    assert f"{root}/acme-lint/acme-lint-41-parse-frame-removed.yaml:" in out
    assert "internal error" not in err and "Traceback" not in err
    os.symlink("self", tmp_path / "self")
    assert main(["lint", str(tmp_path / "self")]) == 2
