"""Linting in several processes gives exactly the report of one process."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.gen_corpus import generate
from kb.cli import main
from kb.lint import run_lint
from kb.lint.parallel import MIN_FILES_PER_WORKER, worker_count
from tests.lint.factory import distinct, entry, write


def test_worker_count() -> None:
    assert worker_count(None, 100_000) == 1
    assert worker_count(3, 100_000) == 3
    assert worker_count(4, 2) == 2
    assert worker_count(0, MIN_FILES_PER_WORKER - 1) == 1
    assert worker_count(0, 100 * MIN_FILES_PER_WORKER) >= 1


def test_processes_give_the_same_report(tmp_path: Path) -> None:
    root = tmp_path / "entries"
    generate(120, root)
    write(root)
    # cross-entry findings span chunks: a duplicate id and a duplicate signature
    write(root, entry(), folder="acme-lint", name="zz-copy")
    write(root, distinct("acme-lint-70-broken", "broken_frame", status="nope"))
    (root / "acme-lint" / "bad.yaml").write_text("id: x\nsummary: a: b\n", encoding="utf-8")
    one = run_lint([root])
    many = run_lint([root], jobs=2)
    assert one.files == many.files == 124
    assert [str(p) for p in many.findings] == [str(p) for p in one.findings]
    assert {p.code for p in one.findings} >= {"KB101", "KB203", "KB301", "KB303", "KB406"}


def test_progress_reaches_every_file(tmp_path: Path) -> None:
    root = tmp_path / "entries"
    generate(40, root)
    seen: list[int] = []
    run_lint([root], jobs=2, progress=seen.append)
    assert seen[-1] == 40 and seen == sorted(seen)


def test_jobs_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "entries"
    generate(10, root)
    assert main(["lint", "--jobs", "2", str(root)]) == 0
    assert main(["lint", "-j", "0", str(root)]) == 0
    assert main(["lint", "--jobs", "-1", str(root)]) == 2
    assert "--jobs" in capsys.readouterr().err
